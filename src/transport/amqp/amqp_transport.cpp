// AmqpTransport: RPC and events over RabbitMQ (design in include/hypha/transport/amqp.hpp).
#include "hypha/transport/amqp.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "consumer.hpp"
#include "direct_caller.hpp"
#include "field_table.hpp"
#include "hypha/core/logging.hpp"
#include "hypha/core/runtime.hpp"
#include "json_codec.hpp"
#include "publisher.hpp"
#include "request_stamp.hpp"
#include "scheduler.hpp"
#include "settings.hpp"
#include "wire.hpp"

namespace hypha {
namespace {

using namespace amqp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kStandaloneOwner = "standalone_rpc_proxy";
constexpr auto kStopDrain = std::chrono::seconds(15);

ErrorInfo transport_error(std::string_view what) {
  std::string text(what);
  return ErrorInfo{"AmqpConnectionError", "hypha.transport.amqp.AmqpConnectionError", Json::array({text}), text};
}

[[noreturn]] void throw_transport_error(std::string_view what) { throw Error(transport_error(what)); }

Message json_message(std::string body) {
  Message m;
  m.body = std::move(body);
  m.content_type = std::string(amqp::kJsonContentType);
  m.content_encoding = std::string(amqp::kUtf8);
  m.delivery_mode = 2;
  m.priority = 0;
  return m;
}

// Where the reply to one request goes, and which delivery to settle after.
struct ReplyTarget {
  std::string service;
  std::string reply_to;
  std::optional<std::string> correlation_id;
  std::uint64_t generation = 0;
  std::uint64_t tag = 0;
};

// A call waiting for its reply, with the timers that would end it otherwise.
struct PendingCall {
  RpcReply reply;
  Scheduler::Handle deadline;
  Scheduler::Handle service_check;
};

// One event delivery being handled; kept for a retry or the dead-letter queue.
struct EventDelivery {
  std::string queue;
  std::string handler;  // "<svc>.<method>", for logs
  int max_retries = 0;
  int retries = 0;
  std::string exchange;
  std::string routing_key;
  Message message;
  std::uint64_t generation = 0;
  std::uint64_t tag = 0;
};

std::string text_header(const Json& headers, std::string_view key, const std::string& fallback) {
  auto it = headers.find(std::string(key));
  return it != headers.end() && it->is_string() ? it->get<std::string>() : fallback;
}

int retries_of(const Json& headers) {
  auto it = headers.find(std::string(kRetriesHeader));
  if (it == headers.end() || !it->is_number_integer()) return 0;
  auto n = it->get<std::int64_t>();
  return n < 0 ? 0 : static_cast<int>(std::min<std::int64_t>(n, 1'000'000));
}

}  // namespace

class AmqpTransport::Impl {
 public:
  explicit Impl(const Config& config)
      : settings_(Settings::from_config(config)),
        publishers_(PublisherOptions{settings_.params, settings_.connect_timeout, std::chrono::seconds(10), 3,
                                     "hypha publisher"},
                    settings_.publisher_connections),
        consumer_(settings_.params, settings_.heartbeat, settings_.connect_timeout, "hypha consumer"),
        callers_(settings_.caller_connections) {}

  ~Impl() { stop(); }

  void start() {
    std::lock_guard lock(lifecycle_mutex_);
    if (started_) return;
    stopping_.store(false);
    scheduler_.start();
    consumer_.start();
    callers_.open();
    started_ = true;
  }

  void stop() {
    std::lock_guard lock(lifecycle_mutex_);
    if (!started_) return;
    stopping_.store(true);
    fail_pending("the AMQP transport stopped");
    callers_.close();
    // Delayed retries and replies still queued run now, while the consumer can settle.
    scheduler_.stop();
    consumer_.stop(kStopDrain);
    publishers_.close();
    {
      std::lock_guard state(state_mutex_);
      served_.clear();
      subscribed_.clear();
      reply_consumer_.reset();
      reply_uuid_.clear();
      declared_.clear();
      service_seen_.clear();
    }
    started_ = false;
  }

  // --- client side -------------------------------------------------------

  // call_blocking makes a call on a DirectCaller lent to this thread, or,
  // with more than AMQP_CALLER_CONNECTIONS calls in flight, the shared way.
  Outcome call_blocking(std::string_view service, std::string_view method, Invocation&& inv,
                        const ContextData& context, const CallOptions& options) {
    start();
    // Many calls at once share the reply queue's confirms and acks, which
    // costs less CPU per call than a connection each: only while few are in
    // flight does each take its own.
    const std::size_t calling = blocking_calls_.fetch_add(1) + 1;
    struct Leaving {
      std::atomic<std::size_t>& calls;
      ~Leaving() { calls.fetch_sub(1); }
    } leaving{blocking_calls_};
    auto caller = calling <= settings_.caller_connections
                      ? callers_.acquire([this] { return std::make_unique<DirectCaller>(direct_caller_options()); })
                      : DirectCallerPool::Lease();
    if (!caller) return call(service, method, std::move(inv), context, options).outcome();
    Message request;
    const auto timeout = options.timeout.value_or(settings_.rpc_timeout);
    if (auto refused = prepare_request(service, inv, context, timeout, request)) return std::move(*refused);
    std::optional<DirectCaller::Clock::time_point> deadline;
    if (timeout.count() > 0) deadline = DirectCaller::Clock::now() + timeout;
    const std::string correlation_id = *request.correlation_id;
    const DirectCallEnd end = caller->call(rpc_routing_key(service, method), std::move(request), deadline,
                                           settings_.service_check_ttl, [this, service, &correlation_id] {
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

  DirectCallerOptions direct_caller_options() {
    std::lock_guard lock(state_mutex_);
    return DirectCallerOptions{settings_.params, settings_.rpc_exchange,
                               owner_.empty() ? std::string(kStandaloneOwner) : owner_, settings_.connect_timeout};
  }

  // call sends a request and returns once it is written: the reply, an error
  // of the publish (its confirm is awaited on the publisher's reader thread)
  // or the deadline completes the future.
  RpcFuture call(std::string_view service, std::string_view method, Invocation inv, const ContextData& context,
                 const CallOptions& options) {
    start();
    std::string reply_to;
    try {
      reply_to = ensure_reply_consumer();
    } catch (const std::exception& e) {
      return RpcFuture::ready(Outcome{nullptr, transport_error(e.what())});
    }
    Message request;
    const auto timeout = options.timeout.value_or(settings_.rpc_timeout);
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
  std::optional<Outcome> prepare_request(std::string_view service, const Invocation& inv, const ContextData& context,
                                         std::chrono::milliseconds timeout, Message& request) {
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
    if (settings_.expire_requests && timeout.count() > 0) {
      // A little before the deadline (it counts from the enqueue, a moment
      // after the deadline was set): the broker drops the request before its
      // caller gives up, never after, so nobody starts work that nobody awaits.
      const auto margin = std::min<std::chrono::milliseconds>(timeout / 10, std::chrono::milliseconds(50));
      request.expiration = std::to_string(std::max<std::int64_t>(1, (timeout - margin).count()));
    }
    request.headers = context_to_headers(context);
    return std::nullopt;
  }

  static RpcTimeout no_reply_in_time(std::string_view service, std::string_view method,
                                     std::chrono::milliseconds timeout) {
    return RpcTimeout("no reply from " + std::string(service) + "." + std::string(method) + " within " +
                      std::to_string(timeout.count()) + " ms");
  }

  // returned_request: the outcome of a request the broker returned.
  Outcome returned_request(std::string_view service, const Returned& returned) {
    forget_service(service);
    if (returned.reply_code == AMQP_NO_ROUTE) return Outcome{nullptr, UnknownService(std::string(service)).info()};
    return Outcome{nullptr, transport_error("request returned: " + std::to_string(returned.reply_code) + " " +
                                            returned.reply_text)};
  }

  void arm_deadline(std::string_view service, std::string_view method, const std::string& correlation_id,
                    std::chrono::milliseconds timeout) {
    if (timeout.count() <= 0) return;
    auto handle = scheduler_.at(Clock::now() + timeout,
                                [this, correlation_id, error = no_reply_in_time(service, method, timeout).info()] {
                                  complete(correlation_id, Outcome{nullptr, error});
                                });
    keep_timer(correlation_id, &PendingCall::deadline, handle);
  }

  // keep_timer records a call's timer, so that the call's end cancels it
  // (or cancels it now, when the call has ended meanwhile).
  void keep_timer(const std::string& correlation_id, Scheduler::Handle PendingCall::*which, Scheduler::Handle handle) {
    {
      std::lock_guard lock(pending_mutex_);
      auto it = pending_.find(correlation_id);
      if (it != pending_.end()) {
        it->second.*which = handle;
        return;
      }
    }
    scheduler_.cancel(handle);
  }

  // send_request publishes the request of a call in pending_ (mandatory: an
  // unroutable one comes back as UnknownService).
  void send_request(std::string service, std::string_view method, const std::string& correlation_id,
                    const Message& request) {
    const std::string routing_key = rpc_routing_key(service, method);
    try {
      publishers_.acquire()->publish_async(settings_.rpc_exchange, routing_key, true, request,
                                           [this, service = std::move(service), correlation_id](PublishResult result) {
                                             on_request_confirmed(service, correlation_id, result);
                                           });
    } catch (const std::exception& e) {
      complete(correlation_id, Outcome{nullptr, transport_error(e.what())});
    }
  }

  // Runs on a publisher's reader thread; often after the reply came already.
  void on_request_confirmed(const std::string& service, const std::string& correlation_id,
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

  void dispatch(std::string_view source, std::string_view event_type, const Json& payload, const ContextData& context) {
    start();
    Outgoing event = event_message(source, event_type, payload, context);
    try {
      publishers_.acquire()->publish(event.exchange, event.routing_key, false, event.message);
    } catch (const AmqpError& e) {
      throw_dispatch_error(source, event_type, e);
    }
  }

  [[noreturn]] static void throw_dispatch_error(std::string_view source, std::string_view event_type,
                                                const AmqpError& e) {
    throw_transport_error("cannot dispatch " + std::string(source) + "." + std::string(event_type) + ": " + e.what());
  }

  // dispatch_all_settled publishes the batch with one wait for its confirms.
  void dispatch_all_settled(std::vector<EventPublisher::EventToDispatch>& events) {
    if (events.empty()) return;
    start();
    std::vector<Outgoing> messages;
    messages.reserve(events.size());
    for (const auto& e : events) messages.push_back(event_message(e.source, e.event_type, e.payload, *e.context));
    try {
      publishers_.acquire()->publish_all(messages);
    } catch (const AmqpError& e) {
      throw_transport_error("cannot dispatch " + std::to_string(events.size()) + " events (the first " +
                            std::string(events.front().source) + "." + std::string(events.front().event_type) +
                            "): " + e.what());
    }
    for (auto& e : events) {
      if (e.settled) e.settled();  // the broker has them: nothing in this process can lose them now
    }
  }

  // event_message encodes an event for `<source>.events`, declaring the
  // exchange first when DECLARE_EVENT_EXCHANGES (once per exchange).
  Outgoing event_message(std::string_view source, std::string_view event_type, const Json& payload,
                         const ContextData& context) {
    const ExchangeSpec exchange = event_exchange(source, settings_.auto_delete_event_exchanges);
    Outgoing event{exchange.name, std::string(event_type), Message{}};
    try {
      event.message = json_message(encode_json(payload));
    } catch (const JsonEncodeError& e) {
      throw Error(unserializable_value_error(e.what()));
    }
    event.message.headers = context_to_headers(context);
    try {
      if (settings_.declare_event_exchanges) ensure_exchange(exchange);
    } catch (const AmqpError& e) {
      throw_dispatch_error(source, event_type, e);
    }
    return event;
  }

  void prepare_dispatch(std::string_view source) noexcept {
    if (!settings_.declare_event_exchanges) return;
    try {
      start();
      ensure_exchange(event_exchange(source, settings_.auto_delete_event_exchanges));
    } catch (const std::exception& e) {
      log::warn("amqp: cannot declare the events exchange of {} yet ({}); the first dispatch will", source, e.what());
    }
  }

  // --- server side -------------------------------------------------------

  void serve(std::shared_ptr<RpcEndpoint> endpoint) {
    start();
    const std::string service = endpoint->service_name();
    claim_owner(service);
    ConsumerSpec spec;
    spec.queue = rpc_queue(service);
    spec.bindings.push_back(Binding{rpc_exchange(settings_.rpc_exchange), rpc_binding_key(service), true});
    spec.prefetch = settings_.prefetch;
    const RpcEndpoint* key = endpoint.get();
    std::uint64_t id = add_consumer(std::move(spec), [this, endpoint = std::move(endpoint)](Delivery&& d) {
      on_request(endpoint, std::move(d));
    });
    std::lock_guard lock(state_mutex_);
    served_[key] = id;
  }

  void unserve(const RpcEndpoint& endpoint) {
    std::uint64_t id = 0;
    {
      std::lock_guard lock(state_mutex_);
      auto it = served_.find(&endpoint);
      if (it == served_.end()) return;
      id = it->second;
      served_.erase(it);
    }
    consumer_.remove(id);
  }

  void subscribe(const EventSubscription& sub, std::shared_ptr<EventEndpoint> endpoint) {
    start();
    claim_owner(sub.service);
    ConsumerSpec spec;
    spec.queue = event_queue(sub);
    spec.bindings.push_back(Binding{event_exchange(sub.source, settings_.auto_delete_event_exchanges), sub.event_type,
                                    settings_.declare_event_exchanges});
    spec.prefetch = settings_.prefetch;
    const EventEndpoint* key = endpoint.get();
    auto queue = spec.queue.name;
    std::uint64_t id = add_consumer(std::move(spec), [this, endpoint = std::move(endpoint), sub, queue](Delivery&& d) {
      on_event(endpoint, sub, queue, std::move(d));
    });
    std::lock_guard lock(state_mutex_);
    subscribed_[key] = id;
  }

  void unsubscribe(const EventEndpoint& endpoint) {
    std::uint64_t id = 0;
    {
      std::lock_guard lock(state_mutex_);
      auto it = subscribed_.find(&endpoint);
      if (it == subscribed_.end()) return;
      id = it->second;
      subscribed_.erase(it);
    }
    consumer_.remove(id);
  }

  bool connected() const noexcept { return consumer_.connected(); }
  std::size_t dead_lettered() const noexcept { return dead_lettered_.load(); }

 private:
  std::uint64_t add_consumer(ConsumerSpec spec, ConsumerLoop::Handler handler) {
    try {
      return consumer_.add(std::move(spec), std::move(handler), settings_.connect_timeout);
    } catch (const AmqpError& e) {
      throw_transport_error(e.what());
    }
  }

  void claim_owner(const std::string& service) {
    std::lock_guard lock(state_mutex_);
    if (owner_.empty()) owner_ = service;
  }

  // ensure_reply_consumer declares and consumes this transport's reply queue
  // once; returns the routing key replies come with (reply_to).
  std::string ensure_reply_consumer() {
    std::lock_guard creating(reply_mutex_);
    {
      std::lock_guard lock(state_mutex_);
      if (reply_consumer_) return reply_uuid_;
    }
    std::string uuid = new_uuid4();
    std::string owner;
    {
      std::lock_guard lock(state_mutex_);
      owner = owner_.empty() ? std::string(kStandaloneOwner) : owner_;
    }
    ConsumerSpec spec;
    spec.queue = reply_queue(owner, uuid);
    spec.bindings.push_back(Binding{rpc_exchange(settings_.rpc_exchange), uuid, true});
    spec.prefetch = settings_.prefetch;
    // Replies are consumed without acks, as a blocking call's own queue is
    // (DirectCaller): the broker then forgets each reply once sent, which
    // cut its work per call enough to take 64 calls in flight from ~0.77x
    // to ~0.95x of the raw pipelined loop (docs/performance.md). A reply
    // lost with a dropped connection leaves its call to its deadline, as a
    // reply lost anywhere else would.
    spec.no_ack = true;
    auto id = consumer_.add(std::move(spec), [this](Delivery&& d) { on_reply(std::move(d)); }, settings_.connect_timeout);
    std::lock_guard lock(state_mutex_);
    reply_consumer_ = id;
    reply_uuid_ = uuid;
    return uuid;
  }

  // service_has_consumers: false when rpc-<svc> is missing or nobody consumes it.
  bool service_has_consumers(std::string_view service) {
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
  bool request_may_be_answered(std::string_view service, std::string_view correlation_id) {
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

  // RequestQueue is what check_service found of rpc-<svc>.
  enum class RequestQueue {
    kUnknown,   // the check itself was refused (e.g. permissions): the publish or the deadline decides
    kMissing,   // no such queue
    kConsumed,  // it has consumers
    kWaiting,   // no consumers, and messages wait in it
    kIdle,      // no consumers, no message waits
  };

  // check_service passively declares rpc-<svc>, and remembers for
  // service_check_ttl that it has consumers.
  RequestQueue check_service(std::string_view service) {
    std::optional<QueueCounts> counts;
    try {
      counts = publishers_.acquire()->queue_counts(rpc_queue(service).name);
    } catch (const AmqpError& e) {
      if (e.connection_lost()) throw;
      return RequestQueue::kUnknown;
    }
    if (!counts) return RequestQueue::kMissing;
    if (counts->consumers == 0) return counts->messages > 0 ? RequestQueue::kWaiting : RequestQueue::kIdle;
    std::lock_guard lock(state_mutex_);
    service_seen_[std::string(service)] = Clock::now() + settings_.service_check_ttl;
    return RequestQueue::kConsumed;
  }

  // watch_service checks, every service_check_ttl while a call waits, that its
  // request may still be answered: a call published just before the service
  // stopped (or while "it has consumers" was cached) ends with UnknownService
  // instead of waiting for its deadline, one taken by an instance that is
  // stopping gracefully waits for its reply.
  void watch_service(const std::string& correlation_id, const std::string& service) {
    if (settings_.service_check_ttl.count() == 0 || stopping_.load()) return;
    auto handle = scheduler_.at(Clock::now() + settings_.service_check_ttl, [this, correlation_id, service] {
      if (stopping_.load() || !is_pending(correlation_id)) return;
      if (!request_may_be_answered(service, correlation_id)) {
        complete(correlation_id, Outcome{nullptr, UnknownService(service).info()});
        return;
      }
      watch_service(correlation_id, service);
    });
    keep_timer(correlation_id, &PendingCall::service_check, handle);
  }

  bool is_pending(const std::string& correlation_id) {
    std::lock_guard lock(pending_mutex_);
    return pending_.contains(correlation_id);
  }

  void forget_service(std::string_view service) {
    std::lock_guard lock(state_mutex_);
    service_seen_.erase(std::string(service));
  }

  void ensure_exchange(const ExchangeSpec& exchange) {
    {
      std::lock_guard lock(state_mutex_);
      if (declared_.contains(exchange.name)) return;
    }
    publishers_.acquire()->declare_exchange(exchange);
    std::lock_guard lock(state_mutex_);
    declared_.insert(exchange.name);
  }

  void ensure_queue(const QueueSpec& queue) {
    {
      std::lock_guard lock(state_mutex_);
      if (declared_.contains("queue:" + queue.name)) return;
    }
    publishers_.acquire()->declare_queue(queue);
    std::lock_guard lock(state_mutex_);
    declared_.insert("queue:" + queue.name);
  }

  // complete ends a call (false when it had ended already): its timers are cancelled.
  bool complete(const std::string& correlation_id, Outcome outcome) {
    decltype(pending_)::node_type call;
    {
      std::lock_guard lock(pending_mutex_);
      call = pending_.extract(correlation_id);
    }
    if (call.empty()) return false;
    end_call(call.mapped(), std::move(outcome));
    return true;
  }

  void end_call(PendingCall& call, Outcome outcome) {
    scheduler_.cancel(call.deadline);
    scheduler_.cancel(call.service_check);
    call.reply.set(std::move(outcome));
  }

  void fail_pending(const std::string& why) {
    std::unordered_map<std::string, PendingCall> pending;
    {
      std::lock_guard lock(pending_mutex_);
      pending.swap(pending_);
    }
    for (auto& [id, call] : pending) end_call(call, Outcome{nullptr, transport_error(why)});
  }

  // Runs on the I/O thread: replies are acked at once, then matched.
  void on_reply(Delivery&& d) {
    if (!d.auto_acked) consumer_.settle(d.generation, d.tag, Settle::kAck);
    if (!d.message.correlation_id) {
      log::debug("amqp: reply without correlation_id dropped");
      return;
    }
    if (!complete(*d.message.correlation_id, decode_reply(d.message.body))) {
      log::debug("amqp: reply for unknown correlation id {} dropped", *d.message.correlation_id);
    }
  }

  // Runs on the I/O thread: decode, then hand the call to the container.
  void on_request(const std::shared_ptr<RpcEndpoint>& endpoint, Delivery&& d) {
    const Message& m = d.message;
    if (!m.reply_to || m.reply_to->empty()) {
      log::error("amqp: request {} on rpc-{} has no reply_to; rejected", d.routing_key, endpoint->service_name());
      consumer_.settle(d.generation, d.tag, Settle::kDrop);
      return;
    }
    auto target = std::make_shared<const ReplyTarget>(
        ReplyTarget{endpoint->service_name(), *m.reply_to, m.correlation_id, d.generation, d.tag});
    auto answer_error = [&](ErrorInfo error) {
      scheduler_.soon([this, target, error = std::move(error)] { send_reply(target, Outcome{nullptr, error}); });
    };
    if (m.correlation_id && too_late_to_start(*m.correlation_id, d.consuming_since)) {
      log::info("amqp: request {} was published over {} ms before rpc-{} was consumed; refused without running it "
                "(its caller may have given up)", d.routing_key, kStartWithin.count(), endpoint->service_name());
      return answer_error(UnknownService(endpoint->service_name()).info());
    }
    // As Nameko: the method is looked up first, then the body read.
    const std::string method = method_of_routing_key(endpoint->service_name(), d.routing_key);
    if (!endpoint->has_method(method)) return answer_error(MethodNotFound(method).info());
    DecodedRequest request = decode_request(m.content_type, m.content_encoding, m.body);
    if (request.error) {
      log::warn("amqp: malformed request {}: {}", d.routing_key, request.error->value);
      return answer_error(*request.error);
    }
    endpoint->submit(method, std::move(request.invocation), headers_to_context(m.headers),
                     [this, target](Outcome outcome) {
                       // A publish may block (reconnecting): never on the consumer's I/O thread.
                       if (consumer_.on_loop_thread()) {
                         scheduler_.soon(
                             [this, target, outcome = std::move(outcome)] { finish_request(target, outcome); });
                       } else {
                         finish_request(target, outcome);
                       }
                     });
  }

  void finish_request(const std::shared_ptr<const ReplyTarget>& target, const Outcome& outcome) {
    if (outcome.error) {
      const auto& e = *outcome.error;
      const bool stopping = e.exc_path == "nameko.exceptions.ContainerBeingKilled";
      const bool not_serving = e.exc_path == "nameko.exceptions.UnknownService" && e.exc_args.size() == 1 &&
                               e.exc_args[0] == target->service;
      if (stopping || not_serving) {
        // This instance is going away: another one takes the request (Nameko requeues too).
        consumer_.settle(target->generation, target->tag, Settle::kRequeue);
        return;
      }
    }
    send_reply(target, outcome);
  }

  // send_reply publishes the reply without waiting; the request is acked when
  // the reply is confirmed, and goes back to its queue when it is not.
  void send_reply(const std::shared_ptr<const ReplyTarget>& target, const Outcome& outcome) {
    Message reply = json_message(encode_reply(outcome));
    reply.correlation_id = target->correlation_id;
    try {
      publishers_.acquire()->publish_async(settings_.rpc_exchange, target->reply_to, false, reply,
                                           [this, target](PublishResult result) {
                                             if (result.error) {
                                               requeue_unanswered(*target, result.error->what());
                                               return;
                                             }
                                             consumer_.settle(target->generation, target->tag, Settle::kAck);
                                           });
    } catch (const std::exception& e) {
      requeue_unanswered(*target, e.what());
    }
  }

  void requeue_unanswered(const ReplyTarget& target, const std::string& why) {
    log::error("amqp: cannot send the reply to {}: {}; the request goes back to the queue", target.reply_to, why);
    consumer_.settle(target.generation, target.tag, Settle::kRequeue);
  }

  // Runs on the I/O thread.
  void on_event(const std::shared_ptr<EventEndpoint>& endpoint, const EventSubscription& sub, const std::string& queue,
                Delivery&& d) {
    std::string why;
    auto payload = decode_payload(d.message.content_type, d.message.content_encoding, d.message.body, why);
    if (!payload) {
      log::error("amqp: event {} on {} rejected: {}", d.routing_key, queue, why);
      consumer_.settle(d.generation, d.tag, Settle::kDrop);
      return;
    }
    auto delivery = std::make_shared<EventDelivery>();
    delivery->queue = queue;
    delivery->handler = sub.service + "." + sub.method;
    delivery->max_retries = std::max(sub.max_retries, 0);
    delivery->retries = retries_of(d.message.headers);
    delivery->exchange = d.exchange;
    delivery->routing_key = d.routing_key;
    delivery->generation = d.generation;
    delivery->tag = d.tag;
    ContextData context = headers_to_context(d.message.headers);
    delivery->message = std::move(d.message);
    endpoint->deliver(std::move(*payload), std::move(context), [this, delivery](Outcome outcome) {
      if (outcome.ok()) {
        consumer_.settle(delivery->generation, delivery->tag, Settle::kAck);
        return;
      }
      if (outcome.error->exc_path == "nameko.exceptions.ContainerBeingKilled") {
        consumer_.settle(delivery->generation, delivery->tag, Settle::kRequeue);
        return;
      }
      // A payload the handler cannot take (BadRequest) fails the same way every time: no retries.
      const bool retry = delivery->retries < delivery->max_retries && !is_bad_request(*outcome.error);
      auto due = Clock::now();
      if (retry) due += settings_.event_retry_delay * (1 << std::min(delivery->retries, 10));
      scheduler_.at(due, [this, delivery, retry, error = *outcome.error] {
        retry_or_dead_letter(*delivery, retry, error);
      });
    });
  }

  void retry_or_dead_letter(const EventDelivery& d, bool retry, const ErrorInfo& error) {
    Message copy = d.message;
    copy.headers[std::string(kRetriesHeader)] = d.retries + 1;
    // Retries go straight to the queue (default exchange): remember where the event came from.
    if (!copy.headers.contains(std::string(kOriginalExchangeHeader))) {
      copy.headers[std::string(kOriginalExchangeHeader)] = d.exchange;
      copy.headers[std::string(kOriginalRoutingKeyHeader)] = d.routing_key;
    }
    const std::string event_type = text_header(copy.headers, kOriginalRoutingKeyHeader, d.routing_key);
    try {
      if (retry) {
        log::warn("amqp: {} failed on event {} ({}: {}); retry {} of {}", d.handler, event_type, error.exc_type,
                  error.value, d.retries + 1, d.max_retries);
        publishers_.acquire()->publish("", d.queue, false, copy);
      } else {
        const QueueSpec dlq = dead_letter_queue(d.queue);
        copy.headers["x-hypha-error"] = error.exc_type + ": " + error.value;
        ensure_queue(dlq);
        publishers_.acquire()->publish("", dlq.name, false, copy);
        dead_lettered_.fetch_add(1);
        log::error("amqp: {} failed on event {} {} times ({}: {}); moved to {}", d.handler, event_type, d.retries + 1,
                   error.exc_type, error.value, dlq.name);
      }
    } catch (const std::exception& e) {
      log::error("amqp: cannot republish event {} for {}: {}; it goes back to {}", d.routing_key, d.handler, e.what(),
                 d.queue);
      consumer_.settle(d.generation, d.tag, Settle::kRequeue);
      return;
    }
    consumer_.settle(d.generation, d.tag, Settle::kAck);
  }

  Settings settings_;
  PublisherPool publishers_;
  ConsumerLoop consumer_;
  Scheduler scheduler_;
  DirectCallerPool callers_;
  std::atomic<std::size_t> blocking_calls_{0};  // in flight, either way

  std::mutex lifecycle_mutex_;
  bool started_ = false;

  std::atomic<bool> stopping_{false};

  std::mutex reply_mutex_;  // serializes creating the reply consumer
  mutable std::mutex state_mutex_;
  std::string owner_;
  std::optional<std::uint64_t> reply_consumer_;
  std::string reply_uuid_;
  std::map<const RpcEndpoint*, std::uint64_t> served_;
  std::map<const EventEndpoint*, std::uint64_t> subscribed_;
  std::set<std::string> declared_;
  std::map<std::string, Clock::time_point> service_seen_;

  std::mutex pending_mutex_;
  std::unordered_map<std::string, PendingCall> pending_;  // by correlation id
  std::atomic<std::size_t> dead_lettered_{0};
};

AmqpTransport::AmqpTransport(const Config& config) : impl_(std::make_unique<Impl>(config)) {}
AmqpTransport::~AmqpTransport() = default;

Outcome AmqpTransport::call(std::string_view service, std::string_view method, Invocation&& inv,
                            const ContextData& context, const CallOptions& options) {
  return impl_->call_blocking(service, method, std::move(inv), context, options);
}

RpcFuture AmqpTransport::call_async(std::string_view service, std::string_view method, Invocation inv,
                                    const ContextData& context, const CallOptions& options) {
  return impl_->call(service, method, std::move(inv), context, options);
}

void AmqpTransport::dispatch(std::string_view source, std::string_view event_type, Json payload,
                             const ContextData& context) {
  impl_->dispatch(source, event_type, payload, context);
}

void AmqpTransport::dispatch_all_settled(std::vector<EventToDispatch> events) { impl_->dispatch_all_settled(events); }

void AmqpTransport::prepare_dispatch(std::string_view source) noexcept { impl_->prepare_dispatch(source); }
void AmqpTransport::start() { impl_->start(); }
void AmqpTransport::stop() { impl_->stop(); }
void AmqpTransport::serve(std::shared_ptr<RpcEndpoint> endpoint) { impl_->serve(std::move(endpoint)); }
void AmqpTransport::unserve(const RpcEndpoint& endpoint) { impl_->unserve(endpoint); }
void AmqpTransport::subscribe(const EventSubscription& subscription, std::shared_ptr<EventEndpoint> endpoint) {
  impl_->subscribe(subscription, std::move(endpoint));
}
void AmqpTransport::unsubscribe(const EventEndpoint& endpoint) { impl_->unsubscribe(endpoint); }
bool AmqpTransport::connected() const noexcept { return impl_->connected(); }
std::size_t AmqpTransport::dead_lettered() const noexcept { return impl_->dead_lettered(); }

void enable_amqp_transport() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_amqp_transport_factory([](const Config& config) { return std::make_shared<AmqpTransport>(config); });
  });
}

}  // namespace hypha
