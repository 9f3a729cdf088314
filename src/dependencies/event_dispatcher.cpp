#include "hypha/dependencies/event_dispatcher.hpp"

#include "hypha/core/container.hpp"
#include "hypha/core/runtime.hpp"

namespace hypha {

void EventDispatcher::dispatch(std::string_view event_type, Json payload) const {
  if (outbox_ != nullptr) {
    outbox_->stage(*worker_, source_, event_type, std::move(payload), *context_);
    return;
  }
  if (publisher_ == nullptr) throw std::logic_error("EventDispatcher is not bound to a worker");
  publisher_->dispatch(source_, event_type, std::move(payload), context());
}

const ContextData& EventDispatcher::context() const noexcept {
  static const ContextData empty;
  return context_ != nullptr ? *context_ : empty;
}

void EventDispatcherProvider::setup(ServiceContainer& container) {
  if (publisher_ == nullptr) publisher_ = &container.runtime().transport();
  source_ = container.service_name();
  publisher_->prepare_dispatch(source_);
  if (options_.outbox.empty()) return;
  outbox_ = dynamic_cast<EventOutbox*>(container.dependency_provider(options_.outbox));
  if (outbox_ == nullptr || !outbox_->keeps_outbox()) {
    throw ConfigurationError("service '" + source_ + "': event_dispatcher outbox '" + options_.outbox +
                             "' is not a dependency that keeps an outbox (declare it with "
                             "sqlite_database({.outbox = true}))");
  }
}

EventDispatcher EventDispatcherProvider::get_dependency(WorkerContext& worker) {
  if (outbox_ != nullptr) return EventDispatcher(outbox_, &worker, source_);
  return EventDispatcher(publisher_, source_, &worker.data);
}

ProviderFactory<EventDispatcher> event_dispatcher(EventDispatcherOptions options) {
  return provide<EventDispatcherProvider>(std::move(options));
}

}  // namespace hypha
