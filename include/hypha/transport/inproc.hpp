// File: inproc.hpp
//
// InProcessTransport connects containers in one process, the embedded
// default. RPC runs the callee's worker on the caller's thread (no
// serialization: values move), round-robin across instances of a service.
// Events go to the containers' worker queues and run asynchronously, with the
// three Nameko handler types. A failed event handler is retried with backoff up
// to its max_retries, then dead-lettered (logged and counted). The first retry
// waits EVENT_RETRY_DELAY_MS (100 ms by default), each next one twice as long.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/executor.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha {

class InProcessTransport : public Transport {
 public:
  explicit InProcessTransport(std::chrono::milliseconds first_retry_delay = std::chrono::milliseconds(100));
  ~InProcessTransport() override;

  /// call runs inline on the caller's thread; with CallOptions::timeout it
  /// runs on a worker instead, and RpcTimeout ends the wait at the deadline.
  bool takes_typed_values() const noexcept override { return true; }
  Outcome call(std::string_view service, std::string_view method, Invocation&& inv, const ContextData& context,
               const CallOptions& options) override;
  RpcFuture call_async(std::string_view service, std::string_view method, Invocation inv,
                       const ContextData& context, const CallOptions& options) override;
  void dispatch(std::string_view source, std::string_view event_type, Json payload,
                const ContextData& context) override;
  /// dispatch_settled: `settled` runs when the last handler finished; never
  /// when one was dead-lettered, so that its outbox keeps the event.
  void dispatch_settled(std::string_view source, std::string_view event_type, Json payload,
                        const ContextData& context, std::function<void()> settled) override;

  /// dispatch_typed: handlers taking the payload's type read the value in
  /// place; others get its JSON.
  void dispatch_typed(std::string_view source, std::string_view event_type, TypedPayload payload,
                      const ContextData& context) override;

  void serve(std::shared_ptr<RpcEndpoint> endpoint) override;
  void unserve(const RpcEndpoint& endpoint) override;
  void subscribe(const EventSubscription& subscription, std::shared_ptr<EventEndpoint> endpoint) override;
  void unsubscribe(const EventEndpoint& endpoint) override;
  void stop() override;

  /// dead_lettered counts events given up after their retries.
  std::size_t dead_lettered() const noexcept { return dead_lettered_.load(); }

 private:
  struct Subscriber {
    EventSubscription subscription;
    std::shared_ptr<EventEndpoint> endpoint;
  };
  struct Delivery;
  struct Settlement;

  RpcEndpoint* pick_endpoint(std::string_view service);
  /// call_off_the_fast_path: a call to no endpoint, or with a deadline (on a
  /// worker thread). Out of line, so that call() itself is a lookup and a
  /// call to the endpoint, without the set-up those branches need.
  Outcome call_off_the_fast_path(RpcEndpoint* endpoint, std::string_view service, std::string_view method,
                                 Invocation&& inv, const ContextData& context, const CallOptions& options);
  /// submit queues a call on the endpoint's workers; `reply` gets its outcome.
  void submit(RpcEndpoint& endpoint, std::string_view method, Invocation inv, const ContextData& context,
              RpcReply reply);
  /// route makes one delivery (with a copy of `context` and a share of
  /// `payload`) per handler that gets the event, and delivers it. When nobody
  /// listens, `settled` runs at once if nobody ever did.
  void route(std::string_view source, std::string_view event_type, const ContextData& context,
             std::function<void()> settled, TypedPayload payload);
  void deliver(std::unique_ptr<Delivery> delivery);
  void rebuild_routes();
  /// schedule_retry retries a failed delivery later, or dead-letters it (no
  /// retries left, or `hopeless`: a payload its handler cannot take).
  void schedule_retry(std::unique_ptr<Delivery> delivery, bool hopeless);

  mutable std::shared_mutex mutex_;  // guards changes; calls and dispatches read published tables
  // Services and event routes are immutable tables: a change publishes a new
  // one, so a call or a dispatch finds its endpoints with one atomic load, no
  // lock and no shared count (each call took both, on cache lines the
  // threads took from each other). Every table stays until the transport
  // goes, with the endpoints and subscribers in it: a caller may still hold
  // an endpoint from an older table (its closed gate answers), a delivery
  // points at its subscriber, and a retry may come after an unsubscribe.
  template <class Table>
  struct Published {
    std::atomic<const Table*> current{nullptr};
    std::vector<std::unique_ptr<const Table>> all;  // guarded by mutex_
    void publish(Table table) {
      all.push_back(std::make_unique<const Table>(std::move(table)));
      current.store(all.back().get(), std::memory_order_release);
    }
  };
  // ServiceTable: the instances serving each service name. A process runs
  // a handful of services, so a scan comparing lengths first finds one in a
  // few instructions (a std::map took two three-way string compares per call).
  struct ServiceTable {
    struct Entry {
      std::string name;
      std::vector<std::shared_ptr<RpcEndpoint>> instances;  // never empty
    };
    std::vector<Entry> entries;
    const Entry* find(std::string_view name) const noexcept;
  };
  Published<ServiceTable> services_;
  // Route: the subscribers of one (source, event_type), grouped for delivery.
  struct Route {
    std::string source;
    std::string event_type;
    std::vector<std::shared_ptr<const Subscriber>> broadcast;   // every one gets it
    std::vector<std::shared_ptr<const Subscriber>> singletons;  // one of them gets it
    std::vector<std::vector<std::shared_ptr<const Subscriber>>> pools;  // one per (service, method)
    bool rotates = false;  // a singleton or pool has several to choose from
  };
  Published<std::vector<Route>> routes_;  // rebuilt from subscribers_ on every (un)subscribe
  std::vector<std::shared_ptr<const Subscriber>> subscribers_;  // guarded by mutex_
  // "source/event_type" of every subscription ever made: an event whose
  // subscribers have all stopped (shutdown) is not settled, so an outbox keeps it.
  std::set<std::string, std::less<>> ever_subscribed_;
  const std::chrono::milliseconds first_retry_delay_;
  std::atomic<std::size_t> round_robin_{0};
  std::atomic<std::size_t> dead_lettered_{0};
  class RetryScheduler;
  std::unique_ptr<RetryScheduler> retries_;
};

}  // namespace hypha
