#include "event_handling.hpp"

#include <algorithm>

#include "field_table.hpp"
#include "hypha/core/logging.hpp"
#include "json_codec.hpp"

namespace hypha::amqp {
namespace {

std::string text_header(const Json& headers, std::string_view key, const std::string& fallback) {
  auto it = headers.find(std::string(key));
  return it != headers.end() && it->is_string() ? it->get<std::string>() : fallback;
}

int retries_of(const Json& headers) {
  auto it = headers.find(std::string(kRetriesHeader));
  if (it == headers.end() || !it->is_number_integer()) return 0;
  auto n = it->get<std::int64_t>();
  return n < 0 ? 0 : static_cast<int>(std::min<std::int64_t>(n, 1'000'000));
}

}  // namespace

void EventHandling::subscribe(const EventSubscription& sub, std::shared_ptr<EventEndpoint> endpoint) {
  broker_.claim_owner(sub.service);
  ConsumerSpec spec;
  spec.queue = event_queue(sub);
  spec.bindings.push_back(Binding{event_exchange(sub.source, broker_.settings.auto_delete_event_exchanges),
                                  sub.event_type, broker_.settings.declare_event_exchanges});
  spec.prefetch = broker_.settings.prefetch;
  const EventEndpoint* key = endpoint.get();
  auto queue = spec.queue.name;
  subscribed_.keep(key, broker_.add_consumer(std::move(spec), [this, endpoint = std::move(endpoint), sub,
                                                               queue](Delivery&& d) {
    on_event(endpoint, sub, queue, std::move(d));
  }));
}

void EventHandling::unsubscribe(const EventEndpoint& endpoint) {
  if (auto id = subscribed_.take(endpoint)) broker_.consumer.remove(*id);
}

void EventHandling::forget() { subscribed_.clear(); }

// Runs on the I/O thread.
void EventHandling::on_event(const std::shared_ptr<EventEndpoint>& endpoint, const EventSubscription& sub,
                             const std::string& queue, Delivery&& d) {
  std::string why;
  auto payload = decode_payload(d.message.content_type, d.message.content_encoding, d.message.body, why);
  if (!payload) {
    log::error("amqp: event {} on {} rejected: {}", d.routing_key, queue, why);
    broker_.consumer.settle(d.generation, d.tag, Settle::kDrop);
    return;
  }
  auto delivery = std::make_shared<EventDelivery>();
  delivery->queue = queue;
  delivery->handler = sub.service + "." + sub.method;
  delivery->max_retries = std::max(sub.max_retries, 0);
  delivery->retries = retries_of(d.message.headers);
  delivery->exchange = d.exchange;
  delivery->routing_key = d.routing_key;
  delivery->generation = d.generation;
  delivery->tag = d.tag;
  ContextData context = headers_to_context(d.message.headers);
  delivery->message = std::move(d.message);
  endpoint->deliver(std::move(*payload), std::move(context), [this, delivery](Outcome outcome) {
    if (outcome.ok()) {
      broker_.consumer.settle(delivery->generation, delivery->tag, Settle::kAck);
      return;
    }
    if (outcome.error->exc_path == "nameko.exceptions.ContainerBeingKilled") {
      broker_.consumer.settle(delivery->generation, delivery->tag, Settle::kRequeue);
      return;
    }
    // A payload the handler cannot take (BadRequest) fails the same way every time: no retries.
    const bool retry = delivery->retries < delivery->max_retries && !is_bad_request(*outcome.error);
    auto due = Clock::now();
    if (retry) due += broker_.settings.event_retry_delay * (1 << std::min(delivery->retries, 10));
    broker_.scheduler.at(due, [this, delivery, retry, error = *outcome.error] {
      retry_or_dead_letter(*delivery, retry, error);
    });
  });
}

void EventHandling::retry_or_dead_letter(const EventDelivery& d, bool retry, const ErrorInfo& error) {
  Message copy = d.message;
  copy.headers[std::string(kRetriesHeader)] = d.retries + 1;
  // Retries go straight to the queue (default exchange): remember where the event came from.
  if (!copy.headers.contains(std::string(kOriginalExchangeHeader))) {
    copy.headers[std::string(kOriginalExchangeHeader)] = d.exchange;
    copy.headers[std::string(kOriginalRoutingKeyHeader)] = d.routing_key;
  }
  const std::string event_type = text_header(copy.headers, kOriginalRoutingKeyHeader, d.routing_key);
  try {
    if (retry) {
      log::warn("amqp: {} failed on event {} ({}: {}); retry {} of {}", d.handler, event_type, error.exc_type,
                error.value, d.retries + 1, d.max_retries);
      broker_.publishers.acquire()->publish("", d.queue, false, copy);
    } else {
      const QueueSpec dlq = dead_letter_queue(d.queue);
      copy.headers["x-hypha-error"] = error.exc_type + ": " + error.value;
      broker_.ensure_queue(dlq);
      broker_.publishers.acquire()->publish("", dlq.name, false, copy);
      dead_lettered_.fetch_add(1);
      log::error("amqp: {} failed on event {} {} times ({}: {}); moved to {}", d.handler, event_type, d.retries + 1,
                 error.exc_type, error.value, dlq.name);
    }
  } catch (const std::exception& e) {
    log::error("amqp: cannot republish event {} for {}: {}; it goes back to {}", d.routing_key, d.handler, e.what(),
               d.queue);
    broker_.consumer.settle(d.generation, d.tag, Settle::kRequeue);
    return;
  }
  broker_.consumer.settle(d.generation, d.tag, Settle::kAck);
}

}  // namespace hypha::amqp
