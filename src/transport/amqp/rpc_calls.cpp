#include "rpc_calls.hpp"

#include <algorithm>

#include "field_table.hpp"
#include "hypha/core/logging.hpp"
#include "json_codec.hpp"
#include "request_stamp.hpp"

namespace hypha::amqp {
namespace {

constexpr std::string_view kStopped = "the AMQP transport stopped";

RpcTimeout no_reply_in_time(std::string_view service, std::string_view method, std::chrono::milliseconds timeout) {
  return RpcTimeout("no reply from " + std::string(service) + "." + std::string(method) + " within " +
                    std::to_string(timeout.count()) + " ms");
}

}  // namespace

RpcCalls::RpcCalls(Broker& broker) : broker_(broker), callers_(broker.settings.caller_connections) {}

void RpcCalls::open() { callers_.open(); }

void RpcCalls::stop() {
  std::unordered_map<std::string, PendingCall> pending;
  {
    std::lock_guard lock(pending_mutex_);
    pending.swap(pending_);
  }
  for (auto& [id, call] : pending) end_call(call, Outcome{nullptr, transport_error(kStopped)});
  callers_.close();
}

void RpcCalls::forget() {
  std::lock_guard lock(state_mutex_);
  reply_consumer_.reset();
  reply_uuid_.clear();
  service_seen_.clear();
}

Outcome RpcCalls::call_blocking(std::string_view service, std::string_view method, Invocation&& inv,
                                const ContextData& context, const CallOptions& options) {
  // Many calls at once share the reply queue's confirms and acks, which
  // costs less CPU per call than a connection each: only while few are in
  // flight does each take its own.
  const std::size_t calling = blocking_calls_.fetch_add(1) + 1;
  struct Leaving {
    std::atomic<std::size_t>& calls;
    ~Leaving() { calls.fetch_sub(1); }
  } leaving{blocking_calls_};
  auto caller = calling <= broker_.settings.caller_connections
                    ? callers_.acquire([this] { return std::make_unique<DirectCaller>(direct_caller_options()); })
                    : DirectCallerPool::Lease();
  if (!caller) return call(service, method, std::move(inv), context, options).outcome();
  Message request;
  const auto timeout = options.timeout.value_or(broker_.settings.rpc_timeout);
  if (auto refused = prepare_request(service, inv, context, timeout, request)) return std::move(*refused);
  std::optional<DirectCaller::Clock::time_point> deadline;
  if (timeout.count() > 0) deadline = DirectCaller::Clock::now() + timeout;
  const std::string correlation_id = *request.correlation_id;
  const DirectCallEnd end = caller->call(rpc_routing_key(service, method), std::move(request), deadline,
                                         broker_.settings.service_check_ttl, [this, service, &correlation_id] {
                                           return request_may_be_answered(service, correlation_id);
                                         });
  switch (end.kind) {
    case DirectCallEnd::Kind::kReply: return decode_reply(end.body);
    case DirectCallEnd::Kind::kReturned: return returned_request(service, end.returned);
    case DirectCallEnd::Kind::kTimedOut: return Outcome{nullptr, no_reply_in_time(service, method, timeout).info()};
    case DirectCallEnd::Kind::kAbandoned: return Outcome{nullptr, UnknownService(std::string(service)).info()};
    case DirectCallEnd::Kind::kFailed:
    default: return Outcome{nullptr, transport_error(end.error)};
  }
}

DirectCallerOptions RpcCalls::direct_caller_options() const {
  return DirectCallerOptions{broker_.settings.params, broker_.settings.rpc_exchange, broker_.owner(),
                             broker_.settings.connect_timeout};
}

RpcFuture RpcCalls::call(std::string_view service, std::string_view method, Invocation inv,
                         const ContextData& context, const CallOptions& options) {
  // A call that raced stop() (its blocking form found the callers closed)
  // ends now, rather than waiting for a consumer loop that has stopped.
  if (broker_.stopping.load()) return RpcFuture::ready(Outcome{nullptr, transport_error(kStopped)});
  std::string reply_to;
  try {
    reply_to = ensure_reply_consumer();
  } catch (const std::exception& e) {
    return RpcFuture::ready(Outcome{nullptr, transport_error(e.what())});
  }
  Message request;
  const auto timeout = options.timeout.value_or(broker_.settings.rpc_timeout);
  if (auto refused = prepare_request(service, inv, context, timeout, request)) {
    return RpcFuture::ready(std::move(*refused));
  }
  const std::string correlation_id = *request.correlation_id;
  request.reply_to = reply_to;

  PendingCall call;
  RpcFuture future(call.reply);
  {
    std::lock_guard lock(pending_mutex_);
    pending_.emplace(correlation_id, std::move(call));
  }
  arm_deadline(service, method, correlation_id, timeout);  // from now, the publish included
  send_request(std::string(service), method, correlation_id, request);
  return future;
}

// prepare_request builds a call's request (all but reply_to), or gives the
// outcome that ends the call before anything is published: the service has
// no consumers, the arguments cannot be sent, the broker cannot be reached.
std::optional<Outcome> RpcCalls::prepare_request(std::string_view service, const Invocation& inv,
                                                 const ContextData& context, std::chrono::milliseconds timeout,
                                                 Message& request) {
  try {
    if (!service_has_consumers(service)) return Outcome{nullptr, UnknownService(std::string(service)).info()};
  } catch (const std::exception& e) {
    return Outcome{nullptr, transport_error(e.what())};
  }
  try {
    request = json_message(encode_request(inv));
  } catch (const JsonEncodeError& e) {
    return Outcome{nullptr, unserializable_value_error(e.what())};
  }
  request.correlation_id = stamped_correlation_id();  // see request_stamp.hpp
  if (broker_.settings.expire_requests && timeout.count() > 0) {
    // A little before the deadline (it counts from the enqueue, a moment
    // after the deadline was set): the broker drops the request before its
    // caller gives up, never after, so nobody starts work that nobody awaits.
    const auto margin = std::min<std::chrono::milliseconds>(timeout / 10, std::chrono::milliseconds(50));
    request.expiration = std::to_string(std::max<std::int64_t>(1, (timeout - margin).count()));
  }
  request.headers = context_to_headers(context);
  return std::nullopt;
}

// returned_request: the outcome of a request the broker returned.
Outcome RpcCalls::returned_request(std::string_view service, const Returned& returned) {
  forget_service(service);
  if (returned.reply_code == AMQP_NO_ROUTE) return Outcome{nullptr, UnknownService(std::string(service)).info()};
  const std::string why = "request returned: " + std::to_string(returned.reply_code) + " " + returned.reply_text;
  return Outcome{nullptr, transport_error(why)};
}

void RpcCalls::arm_deadline(std::string_view service, std::string_view method, const std::string& correlation_id,
                            std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) return;
  auto handle = broker_.scheduler.at(Clock::now() + timeout,
                                     [this, correlation_id, error = no_reply_in_time(service, method, timeout).info()] {
                                       complete(correlation_id, Outcome{nullptr, error});
                                     });
  keep_timer(correlation_id, &PendingCall::deadline, handle);
}

// keep_timer records a call's timer, so that the call's end cancels it
// (or cancels it now, when the call has ended meanwhile).
void RpcCalls::keep_timer(const std::string& correlation_id, Scheduler::Handle PendingCall::*which,
                          Scheduler::Handle handle) {
  {
    std::lock_guard lock(pending_mutex_);
    auto it = pending_.find(correlation_id);
    if (it != pending_.end()) {
      it->second.*which = handle;
      return;
    }
  }
  broker_.scheduler.cancel(handle);
}

// send_request publishes the request of a call in pending_ (mandatory: an
// unroutable one comes back as UnknownService).
void RpcCalls::send_request(std::string service, std::string_view method, const std::string& correlation_id,
                            const Message& request) {
  const std::string routing_key = rpc_routing_key(service, method);
  try {
    broker_.publishers.acquire()->publish_async(
        broker_.settings.rpc_exchange, routing_key, true, request,
        [this, service = std::move(service), correlation_id](PublishResult result) {
          on_request_confirmed(service, correlation_id, result);
        });
  } catch (const std::exception& e) {
    complete(correlation_id, Outcome{nullptr, transport_error(e.what())});
  }
}

// Runs on a publisher's reader thread; often after the reply came already.
void RpcCalls::on_request_confirmed(const std::string& service, const std::string& correlation_id,
                                    const PublishResult& result) {
  if (result.error) {
    complete(correlation_id, Outcome{nullptr, transport_error(result.error->what())});
    return;
  }
  if (result.returned) {
    complete(correlation_id, returned_request(service, *result.returned));
    return;
  }
  if (is_pending(correlation_id)) watch_service(correlation_id, service);
}

// ensure_reply_consumer declares and consumes this transport's reply queue
// once; returns the routing key replies come with (reply_to).
std::string RpcCalls::ensure_reply_consumer() {
  std::lock_guard creating(reply_mutex_);
  {
    std::lock_guard lock(state_mutex_);
    if (reply_consumer_) return reply_uuid_;
  }
  std::string uuid = new_uuid4();
  ConsumerSpec spec;
  spec.queue = reply_queue(broker_.owner(), uuid);
  spec.bindings.push_back(Binding{rpc_exchange(broker_.settings.rpc_exchange), uuid, true});
  spec.prefetch = broker_.settings.prefetch;
  // Replies are consumed without acks, as a blocking call's own queue is
  // (DirectCaller): the broker then forgets each reply once sent, which
  // cut its work per call enough to take 64 calls in flight from ~0.77x
  // to ~0.95x of the raw pipelined loop (docs/performance.md). A reply
  // lost with a dropped connection leaves its call to its deadline, as a
  // reply lost anywhere else would.
  spec.no_ack = true;
  auto id = broker_.consumer.add(std::move(spec), [this](Delivery&& d) { on_reply(std::move(d)); },
                                 broker_.settings.connect_timeout);
  std::lock_guard lock(state_mutex_);
  reply_consumer_ = id;
  reply_uuid_ = uuid;
  return uuid;
}

// Runs on the I/O thread: replies are acked at once, then matched.
void RpcCalls::on_reply(Delivery&& d) {
  if (!d.auto_acked) broker_.consumer.settle(d.generation, d.tag, Settle::kAck);
  if (!d.message.correlation_id) {
    log::debug("amqp: reply without correlation_id dropped");
    return;
  }
  if (!complete(*d.message.correlation_id, decode_reply(d.message.body))) {
    log::debug("amqp: reply for unknown correlation id {} dropped", *d.message.correlation_id);
  }
}

// service_has_consumers: false when rpc-<svc> is missing or nobody consumes it.
bool RpcCalls::service_has_consumers(std::string_view service) {
  {
    std::lock_guard lock(state_mutex_);
    auto it = service_seen_.find(std::string(service));
    if (it != service_seen_.end() && Clock::now() < it->second) return true;
  }
  const auto queue = check_service(service);
  return queue == RequestQueue::kUnknown || queue == RequestQueue::kConsumed;
}

// request_may_be_answered: whether a published request to `service` can
// still get its reply. With no consumers it can while no request waits
// in the queue: an instance that is stopping took it (Nameko and Hypha
// cancel their consumers first, then finish their workers), and one that
// died gave it back to the queue, where it would wait. A request that
// waits with no consumer is given up once a consumer that starts would
// refuse it (request_stamp.hpp): never one that could still run.
bool RpcCalls::request_may_be_answered(std::string_view service, std::string_view correlation_id) {
  forget_service(service);  // checked now, so that the calls that follow learn it too
  RequestQueue queue = RequestQueue::kUnknown;
  try {
    queue = check_service(service);
  } catch (const std::exception& e) {
    log::debug("amqp: cannot check {} for consumers: {}", service, e.what());
  }
  switch (queue) {
    case RequestQueue::kMissing: return false;
    case RequestQueue::kWaiting: return !may_give_up(correlation_id);
    default: return true;
  }
}

// check_service passively declares rpc-<svc>, and remembers for
// service_check_ttl that it has consumers.
RpcCalls::RequestQueue RpcCalls::check_service(std::string_view service) {
  std::optional<QueueCounts> counts;
  try {
    counts = broker_.publishers.acquire()->queue_counts(rpc_queue(service).name);
  } catch (const AmqpError& e) {
    if (e.connection_lost()) throw;
    return RequestQueue::kUnknown;
  }
  if (!counts) return RequestQueue::kMissing;
  if (counts->consumers == 0) return counts->messages > 0 ? RequestQueue::kWaiting : RequestQueue::kIdle;
  std::lock_guard lock(state_mutex_);
  service_seen_[std::string(service)] = Clock::now() + broker_.settings.service_check_ttl;
  return RequestQueue::kConsumed;
}

// watch_service checks, every service_check_ttl while a call waits, that its
// request may still be answered: a call published just before the service
// stopped (or while "it has consumers" was cached) ends with UnknownService
// instead of waiting for its deadline, one taken by an instance that is
// stopping gracefully waits for its reply.
void RpcCalls::watch_service(const std::string& correlation_id, const std::string& service) {
  if (broker_.settings.service_check_ttl.count() == 0 || broker_.stopping.load()) return;
  auto handle = broker_.scheduler.at(Clock::now() + broker_.settings.service_check_ttl,
                                     [this, correlation_id, service] {
                                       if (broker_.stopping.load() || !is_pending(correlation_id)) return;
                                       if (!request_may_be_answered(service, correlation_id)) {
                                         complete(correlation_id, Outcome{nullptr, UnknownService(service).info()});
                                         return;
                                       }
                                       watch_service(correlation_id, service);
                                     });
  keep_timer(correlation_id, &PendingCall::service_check, handle);
}

void RpcCalls::forget_service(std::string_view service) {
  std::lock_guard lock(state_mutex_);
  service_seen_.erase(std::string(service));
}

bool RpcCalls::is_pending(const std::string& correlation_id) {
  std::lock_guard lock(pending_mutex_);
  return pending_.contains(correlation_id);
}

// complete ends a call (false when it had ended already): its timers are cancelled.
bool RpcCalls::complete(const std::string& correlation_id, Outcome outcome) {
  decltype(pending_)::node_type call;
  {
    std::lock_guard lock(pending_mutex_);
    call = pending_.extract(correlation_id);
  }
  if (call.empty()) return false;
  end_call(call.mapped(), std::move(outcome));
  return true;
}

void RpcCalls::end_call(PendingCall& call, Outcome outcome) {
  broker_.scheduler.cancel(call.deadline);
  broker_.scheduler.cancel(call.service_check);
  call.reply.set(std::move(outcome));
}

}  // namespace hypha::amqp
