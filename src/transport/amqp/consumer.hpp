// Private to the AMQP transport: the consuming side, one connection and one
// I/O thread per transport (Nameko's QueueConsumer: one connection, one
// channel, all consumers).
//
// The I/O thread is the only user of its connection. Channel 1 carries every
// consumer (manual ack and basic.qos prefetch per consumer, set before each
// basic.consume; or no_ack, for RPC replies); channel 2 carries declarations,
// so that a refused declaration (406 PRECONDITION_FAILED) does not take the
// consumers down with it. Other threads talk to the loop through a command
// queue and an eventfd: add and remove consumers (they wait for the result),
// settle deliveries (ack or reject; asynchronous). The eventfd is written
// only when the loop sleeps in poll() (or is about to): a busy loop runs the
// queue on its next turn.
//
// Deliveries are handed to each consumer's handler on the I/O thread; the
// handler must not block, and must eventually settle the delivery exactly once
// (from any thread). A delivery carries the connection generation it came on:
// after a reconnect, settles of older deliveries are dropped (the broker has
// requeued those messages already). The loop takes up to kDeliveryBatch
// deliveries that are already read before it runs the queued commands, and
// acks the settles of one turn together: acks that leave no delivery below
// them unsettled go as one basic.ack with `multiple`, the rest one by one.
//
// Connection loss (socket error, heartbeat timeout, broker shutdown) is
// followed by reconnection with backoff (0.1 s doubling to 5 s); every queue,
// exchange and binding is declared again and every consumer resumes.
// stop(): cancel every consumer, wait (bounded) until the deliveries in flight
// are settled, then close: no message taken is left unacked by the shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "connection.hpp"

namespace hypha::amqp {

/// ConsumerSpec: what to declare and consume.
struct ConsumerSpec {
  QueueSpec queue;
  std::vector<Binding> bindings;
  std::uint16_t prefetch = 10;
  /// no_ack: the broker counts a message acked once sent (RPC replies):
  /// its deliveries need no settle, and one lost with the connection is gone.
  bool no_ack = false;
};

/// Delivery is one message taken from a queue.
struct Delivery {
  std::uint64_t generation = 0;
  std::uint64_t tag = 0;
  std::string exchange;
  std::string routing_key;
  bool redelivered = false;
  bool auto_acked = false;  ///< from a no_ack consumer: never settled
  /// consuming_since: when the broker had the consumer registered, on this
  /// connection (wall clock: compared with times stamped by other hosts).
  std::chrono::system_clock::time_point consuming_since;
  Message message;
};

enum class Settle { kAck, kRequeue, kDrop };

class ConsumerLoop {
 public:
  /// kDeliveryBatch bounds the deliveries handled between two turns of commands.
  static constexpr int kDeliveryBatch = 64;

  using Handler = std::function<void(Delivery&&)>;

  ConsumerLoop(ConnectionParams params, int heartbeat, std::chrono::milliseconds connect_timeout, std::string name);
  ~ConsumerLoop();
  ConsumerLoop(const ConsumerLoop&) = delete;
  ConsumerLoop& operator=(const ConsumerLoop&) = delete;

  /// start launches the I/O thread (which connects in the background). Idempotent.
  void start();
  /// stop cancels consumers, waits up to `drain` for unsettled deliveries,
  /// closes the connection and joins the thread. Idempotent.
  void stop(std::chrono::milliseconds drain);

  /// add declares the consumer's topology and starts consuming; waits until it
  /// consumes (or `timeout` passes: then throws AmqpError, and the consumer is
  /// dropped). Throws AmqpError when the broker refuses a declaration.
  std::uint64_t add(ConsumerSpec spec, Handler handler, std::chrono::milliseconds timeout);
  /// remove cancels a consumer and waits for basic.cancel-ok. Deliveries of it
  /// that arrive later are requeued.
  void remove(std::uint64_t id);
  /// settle acks or rejects a delivery. Thread-safe, never blocks.
  void settle(std::uint64_t generation, std::uint64_t tag, Settle how);

  bool on_loop_thread() const noexcept { return std::this_thread::get_id() == thread_id_.load(); }
  bool connected() const noexcept { return connected_.load(); }

 private:
  struct Consumer {
    std::uint64_t id = 0;
    ConsumerSpec spec;
    Handler handler;
    std::string tag;
    bool active = false;
    std::chrono::system_clock::time_point consuming_since;  // set when active
    std::shared_ptr<std::promise<void>> ready;  // reset once fulfilled
  };
  struct Command {
    enum class Kind { kAdd, kRemove, kSettle } kind;
    std::unique_ptr<Consumer> consumer;          // kAdd
    std::uint64_t id = 0;                        // kRemove
    std::shared_ptr<std::promise<void>> done;    // kRemove
    std::uint64_t generation = 0, tag = 0;       // kSettle
    Settle how = Settle::kAck;
  };

  void post(Command command);
  void wake() noexcept;
  void run();
  void run_commands();
  /// ack_settled sends the acks of one turn of commands (see the header comment).
  void ack_settled(std::vector<std::uint64_t>& tags);
  void connect();
  void setup(Consumer& consumer);
  void drop_connection() noexcept;
  int idle_poll_ms() const noexcept;
  void pump(int timeout_ms);
  bool read_one(amqp_connection_state_t state);
  void dispatch(amqp_envelope_t& envelope);
  void handle_frame(const amqp_frame_t& frame);
  void wait_for_wake(std::chrono::milliseconds timeout);
  bool about_to_sleep();
  Consumer* find_tag(std::string_view tag);

  const ConnectionParams params_;
  const int heartbeat_;
  const std::chrono::milliseconds connect_timeout_;
  const std::string name_;

  int wake_fd_ = -1;
  std::mutex mutex_;
  std::deque<Command> commands_;
  bool stop_requested_ = false;
  std::chrono::milliseconds drain_{0};
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
  std::atomic<bool> connected_{false};
  std::atomic<bool> sleeping_{false};  // the loop is in poll(), or about to be
  std::atomic<std::uint64_t> next_id_{1};

  // I/O thread only.
  Connection connection_;
  std::map<std::uint64_t, std::unique_ptr<Consumer>> consumers_;
  std::uint64_t generation_ = 0;
  std::set<std::uint64_t> unsettled_;  // delivery tags handed out and not settled yet
};

}  // namespace hypha::amqp
