// Private to the AMQP transport: EventHandling consumes the events of this
// process's handlers (include/hypha/transport/amqp.hpp, "Events"): one queue
// per handler, named as Nameko names it for the handler type. A handler that
// fails is retried by republishing the event to its own queue, after a
// delay that doubles; after max_retries it moves to `<queue>.dlq`.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "broker.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha::amqp {

class EventHandling {
 public:
  explicit EventHandling(Broker& broker) : broker_(broker) {}

  void subscribe(const EventSubscription& sub, std::shared_ptr<EventEndpoint> endpoint);
  void unsubscribe(const EventEndpoint& endpoint);
  /// forget drops the record of the subscriptions (at stop: the consumers are gone).
  void forget();
  /// dead_lettered counts the events moved to a dead-letter queue.
  std::size_t dead_lettered() const noexcept { return dead_lettered_.load(); }

 private:
  // One event delivery being handled; kept for a retry or the dead-letter queue.
  struct EventDelivery {
    std::string queue;
    std::string handler;  // "<svc>.<method>", for logs
    int max_retries = 0;
    int retries = 0;
    std::string exchange;
    std::string routing_key;
    Message message;
    std::uint64_t generation = 0;
    std::uint64_t tag = 0;
  };

  void on_event(const std::shared_ptr<EventEndpoint>& endpoint, const EventSubscription& sub, const std::string& queue,
                Delivery&& d);
  void retry_or_dead_letter(const EventDelivery& d, bool retry, const ErrorInfo& error);

  Broker& broker_;
  ConsumerIds<EventEndpoint> subscribed_;
  std::atomic<std::size_t> dead_lettered_{0};
};

}  // namespace hypha::amqp
