#include "event_dispatching.hpp"

#include "field_table.hpp"
#include "json_codec.hpp"

namespace hypha::amqp {
namespace {

[[noreturn]] void throw_dispatch_error(std::string_view source, std::string_view event_type, const AmqpError& e) {
  throw_transport_error("cannot dispatch " + std::string(source) + "." + std::string(event_type) + ": " + e.what());
}

}  // namespace

void EventDispatching::dispatch(std::string_view source, std::string_view event_type, const Json& payload,
                                const ContextData& context) {
  Outgoing event = event_message(source, event_type, payload, context);
  try {
    broker_.publishers.acquire()->publish(event.exchange, event.routing_key, false, event.message);
  } catch (const AmqpError& e) {
    throw_dispatch_error(source, event_type, e);
  }
}

void EventDispatching::dispatch_all_settled(std::vector<EventPublisher::EventToDispatch>& events) {
  if (events.empty()) return;
  std::vector<Outgoing> messages;
  messages.reserve(events.size());
  for (const auto& e : events) messages.push_back(event_message(e.source, e.event_type, e.payload, *e.context));
  try {
    broker_.publishers.acquire()->publish_all(messages);
  } catch (const AmqpError& e) {
    throw_transport_error("cannot dispatch " + std::to_string(events.size()) + " events (the first " +
                          std::string(events.front().source) + "." + std::string(events.front().event_type) +
                          "): " + e.what());
  }
  for (auto& e : events) {
    if (e.settled) e.settled();  // the broker has them: nothing in this process can lose them now
  }
}

void EventDispatching::declare_exchange_of(std::string_view source) {
  if (!broker_.settings.declare_event_exchanges) return;
  broker_.ensure_exchange(event_exchange(source, broker_.settings.auto_delete_event_exchanges));
}

// event_message encodes an event for `<source>.events`, declaring the
// exchange first when DECLARE_EVENT_EXCHANGES (once per exchange).
Outgoing EventDispatching::event_message(std::string_view source, std::string_view event_type, const Json& payload,
                                         const ContextData& context) {
  const ExchangeSpec exchange = event_exchange(source, broker_.settings.auto_delete_event_exchanges);
  Outgoing event{exchange.name, std::string(event_type), Message{}};
  try {
    event.message = json_message(encode_json(payload));
  } catch (const JsonEncodeError& e) {
    throw Error(unserializable_value_error(e.what()));
  }
  event.message.headers = context_to_headers(context);
  try {
    if (broker_.settings.declare_event_exchanges) broker_.ensure_exchange(exchange);
  } catch (const AmqpError& e) {
    throw_dispatch_error(source, event_type, e);
  }
  return event;
}

}  // namespace hypha::amqp
