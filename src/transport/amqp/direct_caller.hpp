// Private to the AMQP transport: blocking RPC calls made on the calling
// thread's own connection.
//
// Why: on the shared path a call's reply is read by the consumer's I/O thread,
// which wakes the caller, and its request's confirm by a publisher's reader
// thread: three threads to wake per call instead of one. On a 2-core machine
// shared with the broker those wake-ups were a third of the process's CPU per
// sequential call. A DirectCaller does what a plain rabbitmq-c client does:
// it publishes the request (confirm mode, mandatory) and reads the confirm, a
// basic.return and the reply itself, on one connection with its own reply
// queue. Nameko's standalone proxies work the same way.
//
// A DirectCaller serves one call at a time (rabbitmq-c is single-threaded);
// DirectCallerPool lends them to calling threads, at most `max` at once, so a
// thread that calls in a loop keeps using the same connection.
//
// Its reply queue is `rpc.reply-<owner>-<uuid>` like the shared one (durable,
// x-expires 300000), consumed with no_ack: nobody else could take a reply
// that this caller drops. The connection has no heartbeat (like a
// publisher's); before each call, whatever arrived while it was idle is read,
// and a connection the broker closed meanwhile is opened again. A request not
// confirmed within kConfirmTimeout ends its call and the connection (as a
// publisher's overdue confirm does); a reply queue deleted under the caller
// (basic.cancel) is declared and consumed again.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "connection.hpp"
#include "publisher.hpp"

namespace hypha::amqp {

struct DirectCallerOptions {
  ConnectionParams params;
  std::string rpc_exchange;
  std::string owner;  ///< the reply queue's middle part (a service name, or standalone_rpc_proxy)
  std::chrono::milliseconds connect_timeout{10000};
};

/// DirectCallEnd is how a direct call ended.
struct DirectCallEnd {
  enum class Kind {
    kReply,      ///< `body` is the reply
    kReturned,   ///< the broker returned the request (`returned`)
    kTimedOut,   ///< the deadline passed
    kAbandoned,  ///< `still_answerable` said no
    kFailed,     ///< `error` says why (connection, nack, stopped)
  };
  Kind kind = Kind::kFailed;
  std::string body;
  Returned returned;
  std::string error;
};

class DirectCaller {
 public:
  using Clock = std::chrono::steady_clock;

  explicit DirectCaller(DirectCallerOptions options);
  ~DirectCaller();
  DirectCaller(const DirectCaller&) = delete;
  DirectCaller& operator=(const DirectCaller&) = delete;

  /// call publishes `request` to the RPC exchange with `routing_key`
  /// (mandatory; its correlation_id must be set, reply_to is set here) and
  /// waits until its reply comes, the broker returns it, `deadline` passes,
  /// or `still_answerable` (asked every `check_every` while waiting; 0:
  /// never) says no. A request that cannot be written is tried once more on
  /// a new connection; once the broker confirmed it, a lost connection is
  /// opened again and the wait goes on.
  DirectCallEnd call(std::string_view routing_key, Message request, std::optional<Clock::time_point> deadline,
                     std::chrono::milliseconds check_every, const std::function<bool()>& still_answerable);

  /// interrupt ends a call in progress (kFailed) and every later one. Any thread.
  void interrupt() noexcept;
  bool interrupted() noexcept;

 private:
  // Event is one thing read off the connection.
  struct Event {
    enum class Kind { kNothing, kDelivery, kAck, kNack, kReturn } kind = Kind::kNothing;
    std::string correlation_id;  // kDelivery, kReturn
    std::string body;            // kDelivery
    std::uint64_t tag = 0;       // kAck, kNack
    bool multiple = false;       // kAck, kNack
    Returned returned;           // kReturn
  };

  void ensure_open();
  void open();
  void consume_replies();
  void drop_connection() noexcept;
  /// next_event reads one event, waiting until `until` at most. Throws AmqpError.
  Event next_event(Clock::time_point until);
  Event read_frame();
  template <class Method>
  static Event confirm_event(Event::Kind kind, const amqp_frame_t& frame);

  DirectCallerOptions options_;
  std::string uuid_;  // the reply queue's routing key (reply_to)
  Connection connection_;
  std::uint64_t published_ = 0;  // publishes on the channel since it opened (confirm sequence)
  // How long a request's confirm may take before the connection counts as
  // dead (it has no heartbeat), as for the publishers.
  static constexpr std::chrono::seconds kConfirmTimeout{10};

  std::mutex fd_mutex_;  // guards fd_ and interrupted_: interrupt() shuts the socket down
  int fd_ = -1;
  bool interrupted_ = false;
};

/// DirectCallerPool lends DirectCallers to calling threads.
class DirectCallerPool {
 public:
  using Make = std::function<std::unique_ptr<DirectCaller>()>;

  /// max: callers in use at once (0: none; every call takes the shared path).
  explicit DirectCallerPool(std::size_t max) : max_(max) {}
  ~DirectCallerPool() { close(); }

  /// Lease returns its caller to the pool when destroyed.
  class Lease {
   public:
    Lease() = default;
    Lease(DirectCallerPool* pool, std::unique_ptr<DirectCaller> caller) : pool_(pool), caller_(std::move(caller)) {}
    ~Lease();
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    explicit operator bool() const noexcept { return caller_ != nullptr; }
    DirectCaller* operator->() const noexcept { return caller_.get(); }

   private:
    DirectCallerPool* pool_ = nullptr;
    std::unique_ptr<DirectCaller> caller_;
  };

  /// acquire lends the caller this pool last had back, or one `make` builds;
  /// an empty Lease when `max` are lent or the pool is closed.
  Lease acquire(const Make& make);
  /// open lets the pool lend again after close().
  void open();
  /// close interrupts the calls in progress and drops every idle caller.
  void close() noexcept;

 private:
  void give_back(std::unique_ptr<DirectCaller> caller) noexcept;

  const std::size_t max_;
  std::mutex mutex_;
  bool open_ = false;
  std::vector<std::unique_ptr<DirectCaller>> idle_;
  std::set<DirectCaller*> lent_;
  std::size_t making_ = 0;  // callers being made for acquire(), not lent yet
};

}  // namespace hypha::amqp
