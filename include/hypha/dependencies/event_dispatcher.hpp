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
//
// With an outbox, events become part of the worker's database transaction
// (the transactional outbox pattern): dispatch() stages the event in the same
// SQLite transaction as the worker's writes; it is published only after that
// transaction commits, and re-published after a crash until it has settled.
// A rolled-back worker publishes nothing; a committed one never loses its
// events (handlers must be idempotent: an event may arrive twice).
//
//   s.dependency("db", &Posts::db_, hypha::sqlite_database({.file = "posts.db", .outbox = true}));
//   s.dependency("events", &Posts::events_, hypha::event_dispatcher({.outbox = "db"}));
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "hypha/core/extension.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha {

/// EventOutbox stages a worker's events in its transaction (implemented by
/// the SQLite Database provider when created with `.outbox = true`).
class EventOutbox {
 public:
  virtual ~EventOutbox() = default;
  /// keeps_outbox is false when the provider could but was not asked to.
  virtual bool keeps_outbox() const noexcept { return true; }
  virtual void stage(WorkerContext& worker, std::string_view source, std::string_view event_type, Json payload,
                     const ContextData& context) = 0;
};

class EventDispatcher {
 public:
  EventDispatcher() = default;
  EventDispatcher(EventPublisher* publisher, std::string_view source, const ContextData* context)
      : publisher_(publisher), source_(source), context_(context) {}
  /// An outbox-backed dispatcher stages events in `worker`'s transaction.
  EventDispatcher(EventOutbox* outbox, WorkerContext* worker, std::string_view source)
      : outbox_(outbox), worker_(worker), source_(source), context_(&worker->data) {}

  /// dispatch publishes `payload` as event `event_type` of this service.
  void dispatch(std::string_view event_type, Json payload) const;
  /// dispatch of a C++ value (a type with a JSON mapping): in-process
  /// handlers taking that type get the value itself (TypedPayload); an outbox
  /// or another transport gets its JSON.
  template <class T>
    requires(std::is_class_v<T> && !std::is_same_v<T, Json>)
  void dispatch(std::string_view event_type, T payload) const {
    if (outbox_ != nullptr || publisher_ == nullptr) return dispatch(event_type, Json(std::move(payload)));
    publisher_->dispatch_typed(source_, event_type, TypedPayload::of(std::move(payload)), context());
  }

  bool bound() const noexcept { return publisher_ != nullptr || outbox_ != nullptr; }

 private:
  const ContextData& context() const noexcept;
  EventPublisher* publisher_ = nullptr;
  EventOutbox* outbox_ = nullptr;
  WorkerContext* worker_ = nullptr;
  std::string_view source_;
  const ContextData* context_ = nullptr;
};

struct EventDispatcherOptions {
  /// outbox names the service's Database dependency whose transaction carries
  /// the events; empty: publish directly.
  std::string outbox;
};

/// event_dispatcher is the provider factory of an EventDispatcher.
ProviderFactory<EventDispatcher> event_dispatcher(EventDispatcherOptions options = {});

class EventDispatcherProvider : public DependencyProvider<EventDispatcher> {
 public:
  explicit EventDispatcherProvider(EventPublisher* publisher = nullptr) : publisher_(publisher) {
    without_worker_hooks();
  }
  explicit EventDispatcherProvider(EventDispatcherOptions options) : options_(std::move(options)) {
    without_worker_hooks();
  }
  /// setup finds the outbox; ConfigurationError when the named dependency is not one.
  void setup(ServiceContainer& container) override;
  EventDispatcher get_dependency(WorkerContext& worker) override;

 private:
  EventPublisher* publisher_ = nullptr;
  EventDispatcherOptions options_;
  EventOutbox* outbox_ = nullptr;
  std::string source_;
};

}  // namespace hypha
