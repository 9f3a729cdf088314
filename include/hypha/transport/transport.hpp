// File: transport.hpp
//
// Transport is how containers reach each other: RPC requests and replies, and
// events. Services never see it: RpcProxy and EventDispatcher talk to it, and the
// container's entrypoints register with it. Two implementations: in-process
// (inproc.hpp, the embedded default) and AMQP (amqp.hpp, Nameko's wire
// protocol). Moving a service between them is a config change only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/context_data.hpp"
#include "hypha/core/errors.hpp"
#include "hypha/core/invocation.hpp"
#include "hypha/core/service_definition.hpp"

namespace hypha {

class SubmittedWorker;

/// Outcome is the result of one worker: a value, or an error as data.
struct Outcome {
  union {
    Json result;  // in a union: see detail::end_json_member
  };
  std::optional<ErrorInfo> error;

  Outcome() noexcept : result() {}
  Outcome(Json result, std::optional<ErrorInfo> error) : result(std::move(result)), error(std::move(error)) {}
  Outcome(const Outcome& other) : result(other.result) {
    try {
      error = other.error;
    } catch (...) {  // a union member is not ended by the unwinding
      detail::end_json_member(result);
      throw;
    }
  }
  Outcome(Outcome&& other) noexcept : result(std::move(other.result)), error(std::move(other.error)) {}
  Outcome& operator=(const Outcome& other) {
    result = other.result;
    error = other.error;
    return *this;
  }
  Outcome& operator=(Outcome&& other) noexcept {
    result = std::move(other.result);
    error = std::move(other.error);
    return *this;
  }
  ~Outcome() { detail::end_json_member(result); }

  bool ok() const noexcept { return !error.has_value(); }
  /// value returns the result or throws the error (raise_error).
  Json value() &&;
  /// raise_if_error throws the error, if there is one (raise_error).
  void raise_if_error() &&;
};

namespace detail {
class ReplyState;
}

class RpcFuture;

/// RpcReply is a transport's end of an asynchronous call, as std::promise
/// is a future's: set gives it the outcome, once, and every RpcFuture made
/// from it waits for that. Copies share the reply. When the last copy goes
/// without having set it, the call fails with a ReplyAbandoned error (under
/// hypha.transport., so is_unavailable) instead of leaving its waiters waiting.
/// Setting a reply makes no system call unless a thread sleeps waiting for
/// it: std::promise::set_value made one on every reply (its call_once wakes
/// through a futex), a large part of an asynchronous in-process call.
class RpcReply {
 public:
  /// How soon the reply is expected: a waiter spins for up to 20 us before
  /// it sleeps when it comes soon (a worker of this process), and sleeps at
  /// once otherwise (a broker's round trip, which spinning would take CPU from).
  enum class Expected { kSoon, kLater };
  explicit RpcReply(Expected expected = Expected::kLater);
  RpcReply(const RpcReply& other) noexcept;
  RpcReply(RpcReply&& other) noexcept = default;
  RpcReply& operator=(const RpcReply& other) = delete;
  RpcReply& operator=(RpcReply&& other) noexcept;
  ~RpcReply() { let_go(); }

  /// set completes the call; later sets are ignored. std::logic_error on a moved-from reply.
  void set(Outcome outcome) const;

 private:
  friend class RpcFuture;
  /// let_go gives up this copy's share: the last one abandons an unset reply.
  void let_go() noexcept;
  std::shared_ptr<detail::ReplyState> state_;
};

/// RpcFuture is the reply to an asynchronous call; get() may be called again.
class RpcFuture {
 public:
  RpcFuture() = default;
  explicit RpcFuture(const RpcReply& reply);
  /// A future with the call's deadline (`call` names it in the RpcTimeout):
  /// for a transport whose reply does not end by itself at the deadline.
  RpcFuture(const RpcReply& reply, std::chrono::milliseconds timeout, std::string call);
  /// ready wraps an outcome that is already known.
  static RpcFuture ready(Outcome outcome);

  /// get waits for the reply and returns the result or throws its error
  /// (RpcTimeout once the call's deadline has passed).
  Json get() const;
  /// get waits at most `timeout`; throws RpcTimeout when it passes first.
  Json get(std::chrono::milliseconds timeout) const;
  /// wait_for reports whether the reply came (or the call's deadline passed) within `timeout`.
  bool wait_for(std::chrono::milliseconds timeout) const;
  /// outcome waits for the reply and returns it as data, its error not raised
  /// (an RpcTimeout error once the call's deadline has passed).
  Outcome outcome() const;
  /// valid: whether there is a reply to wait for; without one, the waits throw std::logic_error.
  bool valid() const noexcept { return state_ != nullptr; }

 private:
  using Clock = std::chrono::steady_clock;
  /// reply_by: whether the reply came by `until` (or the deadline); false means the wait ended first.
  bool reply_by(Clock::time_point until) const;
  RpcTimeout deadline_passed() const;

  std::shared_ptr<const detail::ReplyState> state_;
  std::optional<Clock::time_point> deadline_;
  std::chrono::milliseconds timeout_{0};
  std::string call_;
};

/// CallOptions tune one RPC call.
struct CallOptions {
  /// timeout is the call's deadline; nullopt uses the transport's default.
  std::optional<std::chrono::milliseconds> timeout;
};

/// RpcClient is the caller's side of RPC (what RpcProxy uses).
class RpcClient {
 public:
  virtual ~RpcClient() = default;
  /// takes_typed_values: whether call() accepts an invocation with typed
  /// arguments and result (Invocation::typed_args); if not, callers detach.
  virtual bool takes_typed_values() const noexcept { return false; }
  /// call blocks until the reply; errors come back in the Outcome. It may
  /// move from `inv` (taken by reference: no copies on the in-process path).
  virtual Outcome call(std::string_view service, std::string_view method, Invocation&& inv, const ContextData& context,
                       const CallOptions& options) = 0;
  /// call_async returns at once; the future completes with the reply.
  /// The invocation has no typed values (see Invocation::detach).
  virtual RpcFuture call_async(std::string_view service, std::string_view method, Invocation inv,
                               const ContextData& context, const CallOptions& options) = 0;
};

/// EventPublisher is the dispatching side of events (what EventDispatcher uses).
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  /// dispatch publishes an event of `source`; returns once the transport has
  /// accepted it (AMQP: the broker confirmed it).
  virtual void dispatch(std::string_view source, std::string_view event_type, Json payload,
                        const ContextData& context) = 0;
  /// dispatch_typed is dispatch with the payload as a C++ value: in-process
  /// handlers of that type read it with no JSON; by default (other
  /// transports) it is published as JSON.
  virtual void dispatch_typed(std::string_view source, std::string_view event_type, TypedPayload payload,
                              const ContextData& context) {
    dispatch(source, event_type, payload.to_json(), context);
  }
  /// dispatch_settled is dispatch, then `settled` runs once the event can no
  /// longer be lost by this process: every in-process handler finished (or
  /// gave up after its retries), or the broker confirmed it. The transactional
  /// outbox forgets an event only then. It may run on another thread.
  virtual void dispatch_settled(std::string_view source, std::string_view event_type, Json payload,
                                const ContextData& context, std::function<void()> settled) {
    dispatch(source, event_type, std::move(payload), context);
    settled();
  }
  /// EventToDispatch is one event of dispatch_all_settled.
  struct EventToDispatch {
    std::string_view source;
    std::string_view event_type;
    Json payload;
    const ContextData* context = nullptr;
    std::function<void()> settled;  ///< may be empty
  };
  /// dispatch_all_settled is dispatch_settled for each event, in order (by
  /// default one after the other; AMQP publishes them all before it waits
  /// for the broker's confirms). When it throws, some events may have been
  /// dispatched and settled already: a caller that retries dispatches them
  /// again (at least once, as every dispatch retry is).
  virtual void dispatch_all_settled(std::vector<EventToDispatch> events) {
    for (auto& event : events) {
      dispatch_settled(event.source, event.event_type, std::move(event.payload), *event.context,
                       event.settled ? std::move(event.settled) : [] {});
    }
  }
  /// prepare_dispatch readies what dispatching events of `source` needs, at
  /// the dispatching container's setup (AMQP: declares `<source>.events`, as
  /// Nameko's EventDispatcher does). Never throws: what it cannot do now,
  /// the first dispatch does.
  virtual void prepare_dispatch(std::string_view /*source*/) noexcept {}
};

/// RpcEndpoint is the serving side of one service instance's RPC methods.
class RpcEndpoint {
 public:
  virtual ~RpcEndpoint() = default;
  virtual const std::string& service_name() const = 0;
  /// has_method: whether `method` is served (a transport asks it before
  /// reading a request's body, as Nameko looks the method up first).
  virtual bool has_method(std::string_view method) const = 0;
  /// call runs the method on the calling thread (waits for a worker slot).
  virtual Outcome call(std::string_view method, Invocation&& inv, const ContextData& caller) = 0;
  /// submit queues the call on the container's workers; done gets the outcome.
  virtual void submit(std::string_view method, Invocation inv, ContextData caller,
                      std::function<void(Outcome)> done) = 0;
};

/// EventSubscription describes one event handler entrypoint.
struct EventSubscription {
  std::string source;
  std::string event_type;
  std::string service;
  std::string method;
  HandlerType handler_type = HandlerType::kServicePool;
  bool reliable_delivery = true;
  int max_retries = 5;
  std::string instance_id;  ///< unique per container (broadcast queues)
};

/// EventEndpoint is the serving side of one event handler.
class EventEndpoint {
 public:
  virtual ~EventEndpoint() = default;
  /// deliver queues a worker for the event; done gets the outcome.
  virtual void deliver(Json payload, ContextData context, std::function<void(Outcome)> done) = 0;
  /// deliver_work queues `work` as the handler's worker, as it is: the
  /// payload is its invocation's single argument (typed, so that a handler
  /// taking `const T&` or `const Json&` reads it in place), and its parent
  /// the event's context, both kept by the object. Refused (the handler has
  /// stopped), it is finished with ServiceStopping. By default, copies the
  /// payload and context into deliver().
  virtual void deliver_work(std::unique_ptr<SubmittedWorker> work);
};

/// Transport joins both sides. Implementations are thread-safe.
class Transport : public RpcClient, public EventPublisher {
 public:
  virtual void start() {}
  virtual void stop() {}
  /// serve makes an instance's RPC methods callable.
  virtual void serve(std::shared_ptr<RpcEndpoint> endpoint) = 0;
  /// unserve stops routing new calls to it; calls already taken finish.
  virtual void unserve(const RpcEndpoint& endpoint) = 0;
  virtual void subscribe(const EventSubscription& subscription, std::shared_ptr<EventEndpoint> endpoint) = 0;
  virtual void unsubscribe(const EventEndpoint& endpoint) = 0;
};

}  // namespace hypha
