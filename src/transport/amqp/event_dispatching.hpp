// Private to the AMQP transport: EventDispatching publishes events to
// `<source>.events` (include/hypha/transport/amqp.hpp, "Events"), declaring
// the exchange first when DECLARE_EVENT_EXCHANGES (once per exchange).
#pragma once

#include <string_view>
#include <vector>

#include "broker.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha::amqp {

class EventDispatching {
 public:
  explicit EventDispatching(Broker& broker) : broker_(broker) {}

  /// dispatch returns once the broker confirmed the event.
  void dispatch(std::string_view source, std::string_view event_type, const Json& payload, const ContextData& context);
  /// dispatch_all_settled publishes the batch with one wait for its confirms,
  /// then settles each event.
  void dispatch_all_settled(std::vector<EventPublisher::EventToDispatch>& events);
  /// declare_exchange_of declares `<source>.events` now, if this transport declares them.
  void declare_exchange_of(std::string_view source);

 private:
  Outgoing event_message(std::string_view source, std::string_view event_type, const Json& payload,
                         const ContextData& context);

  Broker& broker_;
};

}  // namespace hypha::amqp
