// File: event_dispatcher.hpp
//
// EventDispatcher publishes events of the worker's service, with its context.
//
//   hypha::EventDispatcher events_;  // member; in define():
//   s.dependency("events", &Posts::events_, hypha::event_dispatcher());
//   events_.dispatch("micropost_created", {{"id", "123"}});
//
// dispatch returns once the transport accepted the event (AMQP: broker confirm);
// it throws when it could not be published, so the worker fails visibly.
#pragma once

#include <string>
#include <string_view>

#include "hypha/core/extension.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha {

class EventDispatcher {
 public:
  EventDispatcher() = default;
  EventDispatcher(EventPublisher* publisher, std::string_view source, const ContextData* context)
      : publisher_(publisher), source_(source), context_(context) {}

  /// dispatch publishes `payload` as event `event_type` of this service.
  void dispatch(std::string_view event_type, Json payload) const;

  bool bound() const noexcept { return publisher_ != nullptr; }

 private:
  EventPublisher* publisher_ = nullptr;
  std::string_view source_;
  const ContextData* context_ = nullptr;
};

/// event_dispatcher is the provider factory of an EventDispatcher.
ProviderFactory<EventDispatcher> event_dispatcher();

class EventDispatcherProvider : public DependencyProvider<EventDispatcher> {
 public:
  explicit EventDispatcherProvider(EventPublisher* publisher = nullptr) : publisher_(publisher) {}
  void setup(ServiceContainer& container) override;
  EventDispatcher get_dependency(WorkerContext& worker) override;

 private:
  EventPublisher* publisher_;
  std::string source_;
};

}  // namespace hypha
