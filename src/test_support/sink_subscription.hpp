// sink_subscription: a subscription of the test service "sink" (method
// "on_it", instance "sink-1") to events of `event_type` from "src", for
// tests that subscribe endpoints to an InProcessTransport directly.
#pragma once

#include <string>
#include <utility>

#include "hypha/transport/transport.hpp"

namespace hypha_test {

inline hypha::EventSubscription sink_subscription(std::string event_type) {
  hypha::EventSubscription s;
  s.source = "src";
  s.event_type = std::move(event_type);
  s.service = "sink";
  s.method = "on_it";
  s.instance_id = "sink-1";
  return s;
}

}  // namespace hypha_test
