// Private to the AMQP transport: RpcCalls is its client side of RPC (the
// design is in include/hypha/transport/amqp.hpp, "RPC (client)"). A blocking
// call runs on a DirectCaller lent to its thread while few are in flight;
// call_async, and blocking calls beyond AMQP_CALLER_CONNECTIONS, share one
// reply queue and a table of the calls waiting on it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "broker.hpp"
#include "direct_caller.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha::amqp {

class RpcCalls {
 public:
  explicit RpcCalls(Broker& broker);

  /// open lends DirectCallers from now on; stop ends every call still
  /// waiting with a transport error, and lends no more (a call made while
  /// the broker is stopping fails at once); forget drops the reply queue
  /// and what is known of services (at stop).
  void open();
  void stop();
  void forget();

  /// call_blocking makes a call on a DirectCaller lent to this thread, or,
  /// with more than AMQP_CALLER_CONNECTIONS calls in flight, the shared way.
  Outcome call_blocking(std::string_view service, std::string_view method, Invocation&& inv,
                        const ContextData& context, const CallOptions& options);
  /// call sends a request and returns once it is written: the reply, an error
  /// of the publish (its confirm is awaited on the publisher's reader thread)
  /// or the deadline completes the future.
  RpcFuture call(std::string_view service, std::string_view method, Invocation inv, const ContextData& context,
                 const CallOptions& options);

 private:
  // A call waiting for its reply, with the timers that would end it otherwise.
  struct PendingCall {
    RpcReply reply;
    Scheduler::Handle deadline;
    Scheduler::Handle service_check;
  };
  // RequestQueue is what check_service found of rpc-<svc>.
  enum class RequestQueue {
    kUnknown,   // the check itself was refused (e.g. permissions): the publish or the deadline decides
    kMissing,   // no such queue
    kConsumed,  // it has consumers
    kWaiting,   // no consumers, and messages wait in it
    kIdle,      // no consumers, no message waits
  };

  DirectCallerOptions direct_caller_options() const;
  std::optional<Outcome> prepare_request(std::string_view service, const Invocation& inv, const ContextData& context,
                                         std::chrono::milliseconds timeout, Message& request);
  Outcome returned_request(std::string_view service, const Returned& returned);
  void arm_deadline(std::string_view service, std::string_view method, const std::string& correlation_id,
                    std::chrono::milliseconds timeout);
  void keep_timer(const std::string& correlation_id, Scheduler::Handle PendingCall::*which, Scheduler::Handle handle);
  void send_request(std::string service, std::string_view method, const std::string& correlation_id,
                    const Message& request);
  void on_request_confirmed(const std::string& service, const std::string& correlation_id,
                            const PublishResult& result);
  std::string ensure_reply_consumer();
  void on_reply(Delivery&& d);

  bool service_has_consumers(std::string_view service);
  bool request_may_be_answered(std::string_view service, std::string_view correlation_id);
  RequestQueue check_service(std::string_view service);
  void watch_service(const std::string& correlation_id, const std::string& service);
  void forget_service(std::string_view service);

  bool is_pending(const std::string& correlation_id);
  bool complete(const std::string& correlation_id, Outcome outcome);
  void end_call(PendingCall& call, Outcome outcome);

  Broker& broker_;
  DirectCallerPool callers_;
  std::atomic<std::size_t> blocking_calls_{0};  // in flight, either way

  std::mutex reply_mutex_;  // serializes creating the reply consumer
  std::mutex state_mutex_;
  std::optional<std::uint64_t> reply_consumer_;
  std::string reply_uuid_;
  std::map<std::string, Clock::time_point> service_seen_;

  std::mutex pending_mutex_;
  std::unordered_map<std::string, PendingCall> pending_;  // by correlation id
};

}  // namespace hypha::amqp
