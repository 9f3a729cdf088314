#include "hypha/transport/inproc.hpp"

#include <algorithm>
#include <condition_variable>
#include <iterator>
#include <mutex>
#include <queue>
#include <thread>

#include "core/same_name.hpp"
#include "hypha/core/hand_off_arena.hpp"
#include "hypha/core/logging.hpp"
#include "hypha/core/submitted_worker.hpp"
#include "later_releases.hpp"
#include "packed_call_ids.hpp"

namespace hypha {

// RetryScheduler runs delayed retries of failed event deliveries on one thread.
class InProcessTransport::RetryScheduler {
 public:
  RetryScheduler() : thread_([this] { run(); }) {}
  ~RetryScheduler() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void schedule(std::chrono::milliseconds delay, std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      queue_.push(Item{std::chrono::steady_clock::now() + delay, sequence_++, std::move(task)});
    }
    wake_.notify_all();
  }

 private:
  struct Item {
    std::chrono::steady_clock::time_point due;
    std::uint64_t sequence;
    std::function<void()> task;
    bool operator>(const Item& other) const {
      return due != other.due ? due > other.due : sequence > other.sequence;
    }
  };
  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (queue_.empty()) {
        wake_.wait(lock);
        continue;
      }
      auto due = queue_.top().due;
      if (wake_.wait_until(lock, due, [&] { return stopping_ || queue_.top().due < due; })) continue;
      if (std::chrono::steady_clock::now() < queue_.top().due) continue;
      auto task = std::move(const_cast<Item&>(queue_.top()).task);
      queue_.pop();
      lock.unlock();
      task();
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue_;
  std::uint64_t sequence_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

// Settlement runs its callback when the last delivery of one event is done
// with, unless one of them was dead-lettered: the event then stays unsettled
// (in its outbox, published again at the next start) rather than lost.
struct InProcessTransport::Settlement {
  explicit Settlement(std::function<void()> settled) : settled(std::move(settled)) {}
  ~Settlement() {
    if (!settled || dead_lettered.load()) return;
    try {
      settled();
    } catch (const std::exception& e) {
      log::error("event settlement callback failed: {}", e.what());
    }
  }
  std::function<void()> settled;
  std::atomic<bool> dead_lettered{false};
};

// Delivery is one event on its way to one handler, and that handler's worker
// (a SubmittedWorker, queued as it is: one object per event and handler).
// It holds a share of the payload (a TypedPayload: a C++ value, or the JSON,
// read-only and shared by the event's deliveries) and a copy of the context;
// the worker reads both in place (a handler taking `const Json&`, or
// `const T&` of a typed payload, gets the payload itself, no copy). A failed
// attempt moves them into the next attempt's Delivery.
//
// Deliveries are made on the dispatching thread and freed on a worker's, so
// they live in HandOffArena memory, and the context's call ids travel packed
// beside them, to become strings on the worker's thread (starting).
struct InProcessTransport::Delivery final : SubmittedWorker, detail::HandOffAllocated {
  Delivery(InProcessTransport& transport, const Subscriber& subscriber, const ContextData& context)
      : transport(transport),
        subscriber(&subscriber),
        context(context.without_call_ids()),
        call_ids(context.call_id_stack) {}
  ~Delivery() override { detail::LaterReleases::add(context.give_up_values()); }  // later_releases.hpp
  Delivery(Delivery&& other)  // the next attempt
      : transport(other.transport),
        subscriber(other.subscriber),
        payload(std::move(other.payload)),
        context(std::move(other.context)),
        call_ids(std::move(other.call_ids)),
        attempt(other.attempt),
        settlement(std::move(other.settlement)) {}

  void starting() override {
    if (!call_ids.empty()) context.call_id_stack = call_ids.unpack();
  }
  void finished(Outcome outcome) override {
    if (outcome.ok()) {
      settlement.reset();  // this handler is done with the event
      return;
    }
    transport.schedule_retry(std::make_unique<Delivery>(std::move(*this)), is_bad_request(*outcome.error));
  }

  InProcessTransport& transport;
  const Subscriber* subscriber;  // kept by the route tables
  TypedPayload payload;
  ContextData context;             // the call ids come from call_ids
  detail::PackedCallIds call_ids;  // until the first attempt starts
  int attempt = 0;
  std::shared_ptr<Settlement> settlement;  // shared by the deliveries of one event
};

InProcessTransport::InProcessTransport(std::chrono::milliseconds first_retry_delay)
    : first_retry_delay_(first_retry_delay), retries_(std::make_unique<RetryScheduler>()) {}
InProcessTransport::~InProcessTransport() = default;

void InProcessTransport::stop() {}

inline const InProcessTransport::ServiceTable::Entry* InProcessTransport::ServiceTable::find(
    std::string_view name) const noexcept {
  for (const auto& e : entries) {
    if (detail::same_name(e.name, name)) return &e;
  }
  return nullptr;
}

// Inlined into call(), the path of every in-process call, and call_async().
[[gnu::always_inline]] inline RpcEndpoint* InProcessTransport::pick_endpoint(std::string_view service) {
  const ServiceTable* table = services_.current.load(std::memory_order_acquire);
  if (table == nullptr) return nullptr;
  const auto* entry = table->find(service);
  if (entry == nullptr) return nullptr;
  const auto& instances = entry->instances;
  if (instances.size() == 1) return instances.front().get();
  return instances[round_robin_.fetch_add(1, std::memory_order_relaxed) % instances.size()].get();
}

Outcome InProcessTransport::call(std::string_view service, std::string_view method, Invocation&& inv,
                                 const ContextData& context, const CallOptions& options) {
  RpcEndpoint* endpoint = pick_endpoint(service);
  if (endpoint != nullptr && !options.timeout) return endpoint->call(method, std::move(inv), context);  // on this thread
  return call_off_the_fast_path(endpoint, service, method, std::move(inv), context, options);
}

[[gnu::noinline]] Outcome InProcessTransport::call_off_the_fast_path(RpcEndpoint* endpoint, std::string_view service,
                                                                   std::string_view method, Invocation&& inv,
                                                                   const ContextData& context,
                                                                   const CallOptions& options) {
  if (endpoint == nullptr) return Outcome{nullptr, UnknownService(std::string(service)).info()};
  // A deadline needs a caller that can stop waiting: the call runs on a worker
  // thread instead, and its late answer is dropped.
  inv.detach();
  RpcReply reply(RpcReply::Expected::kSoon);
  const RpcFuture future(reply, *options.timeout, std::string(service) + "." + std::string(method));
  submit(*endpoint, method, std::move(inv), context, std::move(reply));
  return future.outcome();  // RpcTimeout once the deadline passes
}

RpcFuture InProcessTransport::call_async(std::string_view service, std::string_view method, Invocation inv,
                                         const ContextData& context, const CallOptions& options) {
  auto endpoint = pick_endpoint(service);
  if (!endpoint) return RpcFuture::ready(Outcome{nullptr, UnknownService(std::string(service)).info()});
  inv.detach();
  RpcReply reply(RpcReply::Expected::kSoon);
  // The worker is not stopped at the deadline (as over AMQP): its late answer is dropped.
  RpcFuture future = options.timeout
                         ? RpcFuture(reply, *options.timeout, std::string(service) + "." + std::string(method))
                         : RpcFuture(reply);
  submit(*endpoint, method, std::move(inv), context, std::move(reply));
  return future;
}

// The worker holds the only RpcReply: if it is dropped unanswered, the call ends as abandoned.
void InProcessTransport::submit(RpcEndpoint& endpoint, std::string_view method, Invocation inv,
                                const ContextData& context, RpcReply reply) {
  endpoint.submit(method, std::move(inv), context,
                  [reply = std::move(reply)](Outcome outcome) { reply.set(std::move(outcome)); });
}

void InProcessTransport::dispatch(std::string_view source, std::string_view event_type, Json payload,
                                  const ContextData& context) {
  dispatch_settled(source, event_type, std::move(payload), context, nullptr);
}

void InProcessTransport::dispatch_settled(std::string_view source, std::string_view event_type, Json payload,
                                          const ContextData& context, std::function<void()> settled) {
  route(source, event_type, context, std::move(settled), TypedPayload::of(std::move(payload)));
}

void InProcessTransport::dispatch_typed(std::string_view source, std::string_view event_type, TypedPayload payload,
                                        const ContextData& context) {
  route(source, event_type, context, nullptr, std::move(payload));
}

void InProcessTransport::route(std::string_view source, std::string_view event_type, const ContextData& context,
                               std::function<void()> settled, TypedPayload payload) {
  auto find_route = [&]() -> const Route* {
    if (const auto* routes = routes_.current.load(std::memory_order_acquire)) {
      for (const auto& r : *routes) {
        // The event type first: it tells routes apart more often than the source.
        if (detail::same_name(r.event_type, event_type) && detail::same_name(r.source, source)) return &r;
      }
    }
    return nullptr;
  };
  const Route* route = find_route();
  if (route == nullptr) {
    if (!settled) return;
    // An event nobody ever subscribed to is settled at once; one whose
    // handlers have stopped (shutdown) stays unsettled for the next run.
    // Looked at again under the lock, which subscribe holds while it
    // records the subscription and publishes its route.
    std::shared_lock lock(mutex_);
    route = find_route();
    if (route == nullptr) {
      if (ever_subscribed_.contains(std::string(source) + "/" + std::string(event_type))) return;
      lock.unlock();
      Settlement unheard(std::move(settled));  // settles as it goes
      return;
    }
  }
  // Every delivery holds the settlement; the last one to let go settles the event.
  auto settlement = settled ? std::make_shared<Settlement>(std::move(settled)) : nullptr;
  const std::size_t count = route->broadcast.size() + route->pools.size() + (route->singletons.empty() ? 0 : 1);
  std::size_t made = 0;
  auto deliver_to = [&](const Subscriber& target) {
    auto d = std::make_unique<Delivery>(*this, target, context);
    d->settlement = settlement;
    d->payload = ++made == count ? std::move(payload) : payload;
    deliver(std::move(d));
  };
  const std::size_t turn = route->rotates ? round_robin_.fetch_add(1, std::memory_order_relaxed) : 0;
  for (const auto& target : route->broadcast) deliver_to(*target);
  for (const auto& group : route->pools) deliver_to(*group[turn % group.size()]);
  if (!route->singletons.empty()) deliver_to(*route->singletons[turn % route->singletons.size()]);
}

// deliver queues the delivery as its handler's worker. It is finished (see
// Delivery) even when dropped at a kill or refused by a stopped handler.
void InProcessTransport::deliver(std::unique_ptr<Delivery> delivery) {
  delivery->invocation.typed_args = &delivery->payload.arguments();
  delivery->parent = &delivery->context;
  EventEndpoint& endpoint = *delivery->subscriber->endpoint;
  endpoint.deliver_work(std::move(delivery));
}

void InProcessTransport::schedule_retry(std::unique_ptr<Delivery> delivery, bool hopeless) {
  const auto& sub = delivery->subscriber->subscription;
  if (hopeless || delivery->attempt >= sub.max_retries) {
    dead_lettered_.fetch_add(1);
    const bool kept = delivery->settlement && delivery->settlement->settled;
    log::error("event {}.{} to {}.{} dead-lettered after {} attempts{}", sub.source, sub.event_type, sub.service,
               sub.method, delivery->attempt + 1,
               kept ? "; it stays in its outbox and is published again at the next start" : "");
    if (delivery->settlement) delivery->settlement->dead_lettered = true;
    delivery->settlement.reset();
    return;
  }
  ++delivery->attempt;
  auto delay = first_retry_delay_ * (1 << std::min(delivery->attempt - 1, 6));
  log::warn("event {}.{} to {}.{} failed; retry {} of {} in {} ms", sub.source, sub.event_type, sub.service, sub.method,
            delivery->attempt, sub.max_retries, delay.count());
  // Shared by the (copyable) task, so that a retry never run is freed with the scheduler.
  auto pending = std::make_shared<std::unique_ptr<Delivery>>(std::move(delivery));
  retries_->schedule(delay, [this, pending] { deliver(std::move(*pending)); });
}

void InProcessTransport::serve(std::shared_ptr<RpcEndpoint> endpoint) {
  std::unique_lock lock(mutex_);
  const ServiceTable* current = services_.current.load();
  ServiceTable table = current != nullptr ? *current : ServiceTable{};
  auto known = std::find_if(table.entries.begin(), table.entries.end(),
                            [&](const auto& e) { return e.name == endpoint->service_name(); });
  if (known == table.entries.end()) known = table.entries.insert(known, {endpoint->service_name(), {}});
  known->instances.push_back(std::move(endpoint));
  services_.publish(std::move(table));
}

void InProcessTransport::unserve(const RpcEndpoint& endpoint) {
  std::unique_lock lock(mutex_);
  const ServiceTable* current = services_.current.load();
  if (current == nullptr || current->find(endpoint.service_name()) == nullptr) return;
  ServiceTable table = *current;
  for (auto& e : table.entries) std::erase_if(e.instances, [&](const auto& i) { return i.get() == &endpoint; });
  std::erase_if(table.entries, [](const auto& e) { return e.instances.empty(); });
  services_.publish(std::move(table));
}

void InProcessTransport::subscribe(const EventSubscription& subscription, std::shared_ptr<EventEndpoint> endpoint) {
  std::unique_lock lock(mutex_);
  subscribers_.push_back(std::make_shared<const Subscriber>(Subscriber{subscription, std::move(endpoint)}));
  ever_subscribed_.insert(subscription.source + "/" + subscription.event_type);
  rebuild_routes();
}

void InProcessTransport::unsubscribe(const EventEndpoint& endpoint) {
  std::unique_lock lock(mutex_);
  std::erase_if(subscribers_, [&](const auto& s) { return s->endpoint.get() == &endpoint; });
  rebuild_routes();
}

// rebuild_routes groups the subscribers by (source, event_type), in
// subscription order: service pools by (service, method). Called under the
// unique lock; dispatch then only looks its route up.
void InProcessTransport::rebuild_routes() {
  std::vector<Route> routes;
  for (const auto& subscriber : subscribers_) {
    const EventSubscription& sub = subscriber->subscription;
    auto route = std::find_if(routes.begin(), routes.end(), [&](const Route& r) {
      return r.source == sub.source && r.event_type == sub.event_type;
    });
    if (route == routes.end()) {
      routes.push_back(Route{sub.source, sub.event_type, {}, {}, {}});
      route = std::prev(routes.end());
    }
    switch (sub.handler_type) {
      case HandlerType::kBroadcast: route->broadcast.push_back(subscriber); break;
      case HandlerType::kSingleton: route->singletons.push_back(subscriber); break;
      case HandlerType::kServicePool: {
        auto group = std::find_if(route->pools.begin(), route->pools.end(), [&](const auto& g) {
          return g.front()->subscription.service == sub.service && g.front()->subscription.method == sub.method;
        });
        if (group == route->pools.end()) route->pools.push_back({subscriber});
        else group->push_back(subscriber);
        break;
      }
    }
  }
  for (auto& route : routes) {
    route.rotates = route.singletons.size() > 1 ||
                    std::any_of(route.pools.begin(), route.pools.end(), [](const auto& g) { return g.size() > 1; });
  }
  routes_.publish(std::move(routes));
}

}  // namespace hypha
