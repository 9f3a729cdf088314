// Private to the AMQP transport: Broker is what its parts share. AmqpTransport
// (amqp_transport.cpp) is four parts, one per side of Nameko's protocol, each
// in a file of its own, over one Broker:
//   RpcCalls          calls other services and waits for their replies (rpc_calls.hpp)
//   RpcServing        answers the requests to the services of this process (rpc_serving.hpp)
//   EventDispatching  publishes events (event_dispatching.hpp)
//   EventHandling     consumes events for the handlers here (event_handling.hpp)
// The Broker holds the settings, the publisher connections, the consumer
// connection's loop, the scheduler of delayed work, and what is declared.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "consumer.hpp"
#include "hypha/core/errors.hpp"
#include "publisher.hpp"
#include "scheduler.hpp"
#include "settings.hpp"
#include "wire.hpp"

namespace hypha::amqp {

using Clock = std::chrono::steady_clock;

/// transport_error: the error of a call or dispatch that the broker could not carry.
ErrorInfo transport_error(std::string_view what);
[[noreturn]] void throw_transport_error(std::string_view what);

/// json_message: a message with a JSON body, as Nameko publishes one (UTF-8, persistent).
Message json_message(std::string body);

class Broker {
 public:
  explicit Broker(Settings settings);

  /// start starts the scheduler and the consumer's loop; stop stops them,
  /// settling the deliveries in flight (up to 15 s), then closes the
  /// publishers and forgets what was declared.
  void start();
  void stop();

  /// add_consumer consumes a queue on the consumer connection; a broker that
  /// cannot be reached is a transport error.
  std::uint64_t add_consumer(ConsumerSpec spec, ConsumerLoop::Handler handler);

  /// claim_owner names this process after the first service it serves;
  /// owner is that name, or standalone_rpc_proxy (reply queues carry it).
  void claim_owner(const std::string& service);
  std::string owner() const;

  /// ensure_exchange and ensure_queue declare once per start.
  void ensure_exchange(const ExchangeSpec& exchange);
  void ensure_queue(const QueueSpec& queue);

  const Settings settings;
  PublisherPool publishers;
  ConsumerLoop consumer;
  Scheduler scheduler;
  /// stopping: set by the transport as its stop begins, before the calls
  /// still waiting are ended (before Broker::stop); cleared by start.
  std::atomic<bool> stopping{false};

 private:
  bool declared(const std::string& key) const;
  void remember_declared(std::string key);

  mutable std::mutex mutex_;
  std::string owner_;
  std::set<std::string> declared_;
};

/// ConsumerIds remembers which consumer serves each endpoint (an RPC
/// endpoint served, an event handler subscribed), to remove it later.
template <class Endpoint>
class ConsumerIds {
 public:
  void keep(const Endpoint* endpoint, std::uint64_t id) {
    std::lock_guard lock(mutex_);
    ids_[endpoint] = id;
  }
  /// take forgets the endpoint's consumer and returns it, if it had one.
  std::optional<std::uint64_t> take(const Endpoint& endpoint) {
    std::lock_guard lock(mutex_);
    auto node = ids_.extract(&endpoint);
    if (node.empty()) return std::nullopt;
    return node.mapped();
  }
  void clear() {
    std::lock_guard lock(mutex_);
    ids_.clear();
  }

 private:
  std::mutex mutex_;
  std::map<const Endpoint*, std::uint64_t> ids_;
};

}  // namespace hypha::amqp
