#include "hypha/dependencies/event_dispatcher.hpp"

#include "hypha/core/container.hpp"
#include "hypha/core/runtime.hpp"

namespace hypha {

void EventDispatcher::dispatch(std::string_view event_type, Json payload) const {
  if (publisher_ == nullptr) throw std::logic_error("EventDispatcher is not bound to a worker");
  static const ContextData empty;
  publisher_->dispatch(source_, event_type, std::move(payload), context_ != nullptr ? *context_ : empty);
}

void EventDispatcherProvider::setup(ServiceContainer& container) {
  if (publisher_ == nullptr) publisher_ = &container.runtime().transport();
  source_ = container.service_name();
}

EventDispatcher EventDispatcherProvider::get_dependency(WorkerContext& worker) {
  return EventDispatcher(publisher_, source_, &worker.data);
}

ProviderFactory<EventDispatcher> event_dispatcher() { return provide<EventDispatcherProvider>(); }

}  // namespace hypha
