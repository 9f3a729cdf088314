// Private to the AMQP transport: publishing with publisher confirms.
//
// A Publisher owns one connection (no heartbeat, like Nameko's producer
// connections): channel 1 is in confirm mode and carries every publish; each
// publish waits for the broker's basic.ack (or nack), noting a basic.return
// that comes first (mandatory publishes: 312 NO_ROUTE). Channel 2 carries
// declarations and passive queue checks, whose failures (404, 406) close only
// that channel. The connection opens lazily and reopens after a failure; a
// publish that fails because the connection was lost is retried (3 attempts
// after the first, with a short backoff), so it is at-least-once.
//
// Confirms are pipelined: several threads publish on one Publisher at once.
// The connection is used under a mutex (rabbitmq-c connections are
// single-threaded). Only the publisher's reader thread (started with the
// connection) reads frames: it polls the socket without the lock, handles
// the broker's basic.ack (which may be `multiple`), basic.nack, basic.return
// (it belongs to the message whose ack follows it) and closes, and completes
// every publish the broker confirmed. A confirm overdue by confirm_timeout
// makes it drop the connection. When the confirm channel or the connection
// goes away, every waiting publish fails; a publish() closed by the channel
// is published once more (it may have been a neighbour's fault), a lost
// connection goes through the retries above.
//
// publish() waits for its confirm. publish_async does not: it returns once
// the message is written, and its callback runs on the reader thread, without
// the publisher's lock, in confirm order. An asynchronous publish is not
// retried once written: a lost connection, a closed channel, a nack or an
// overdue confirm reach its callback as an error.
//
// PublisherPool hands out publishers to threads, preferring an idle one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "connection.hpp"

namespace hypha::amqp {

struct PublisherOptions {
  ConnectionParams params;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds confirm_timeout{10000};
  int max_retries = 3;
  std::string name = "hypha publisher";
};

/// Outgoing is one message of publish_all.
struct Outgoing {
  std::string exchange;
  std::string routing_key;
  Message message;
};

/// Returned: what basic.return said, if the broker returned the message.
struct Returned {
  int reply_code = 0;
  std::string reply_text;
};

/// PublishResult is what a publish_async callback hears: the basic.return
/// when the broker returned the message, or the error when it was not confirmed.
struct PublishResult {
  std::optional<Returned> returned;
  std::optional<AmqpError> error;
};

class Publisher {
 public:
  using Confirmed = std::function<void(PublishResult)>;

  explicit Publisher(PublisherOptions options);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  /// publish sends a message and waits for its confirm; returns the
  /// basic.return when the broker returned it. Throws AmqpError.
  std::optional<Returned> publish(std::string_view exchange, std::string_view routing_key, bool mandatory,
                                  const Message& message);
  /// publish_all sends every message, in order, before it waits for their
  /// confirms (the broker confirms them together), with publish()'s retries
  /// for the ones not confirmed yet. Not mandatory. Throws AmqpError when one
  /// could not be published; others may have been.
  void publish_all(const std::vector<Outgoing>& messages);
  /// publish_async sends a message and returns; `on_confirm` runs once, on
  /// the confirm reader thread, when the broker confirmed it or it failed.
  /// Throws AmqpError (and never calls `on_confirm`) when the message could
  /// not be written, after publish()'s reconnect retries.
  void publish_async(std::string_view exchange, std::string_view routing_key, bool mandatory, const Message& message,
                     Confirmed on_confirm);
  /// queue_counts checks a queue passively: nullopt when it does not exist.
  std::optional<QueueCounts> queue_counts(std::string_view queue);
  void declare_exchange(const ExchangeSpec& exchange);
  void declare_queue(const QueueSpec& queue);
  void close() noexcept;

 private:
  friend class PublisherPool;
  // Pending is one publish waiting for its confirm. Each has its own
  // condition variable, so that a confirm wakes only its publisher (waking
  // every waiter on each confirm made futex calls ~30% of the CPU with 64
  // publishes in flight).
  struct Pending {
    bool done = false;
    std::optional<Returned> returned;
    std::optional<AmqpError> error;
    std::condition_variable woken;
    Confirmed on_confirm;  // set for publish_async: completed by the reader thread instead
    std::chrono::steady_clock::time_point sent_at;
    std::string correlation_id;  // what tells its basic.return (if any) from others
  };
  void ensure_open();
  void ensure_declare_channel();
  /// send publishes on the confirm channel (open) and registers its confirm.
  std::shared_ptr<Pending> send(std::string_view exchange, std::string_view routing_key, bool mandatory,
                                const Message& message, Confirmed&& on_confirm = {});
  std::optional<Returned> take_returned(const Pending& pending, bool named_by_the_ack);
  /// finish completes one publish: wakes its waiter, or queues its callback for the reader.
  void finish(Pending& pending, std::optional<AmqpError> error, std::optional<Returned> returned);
  /// read_confirms is the confirm reader thread (until reader_epoch_ moves past `epoch`).
  void read_confirms(std::uint64_t epoch);
  /// run_callbacks runs the queued callbacks, without the lock.
  void run_callbacks(std::unique_lock<std::mutex>& lock);

  std::optional<Returned> wait_confirm(std::unique_lock<std::mutex>& lock, Pending& pending);
  void read_frames(std::unique_lock<std::mutex>& lock);
  void handle_frame(const amqp_frame_t& frame);
  void confirm(std::uint64_t tag, bool multiple, const std::optional<AmqpError>& error);
  void fail_pending(const AmqpError& error);
  /// wake_reader gets the reader out of poll() or its wait for a connection.
  void wake_reader() noexcept;

  void abandon(const AmqpError& why) noexcept;
  template <class F>
  auto with_retries(std::string_view what, F&& attempt) -> decltype(attempt());
  /// on_declare_channel runs `declaration` on channel 2 (see publisher.cpp).
  template <class F>
  auto on_declare_channel(std::string_view what, F&& declaration) -> decltype(declaration());
  /// with_publish_retries is with_retries, plus one more attempt when the
  /// confirm channel (not the connection) closed.
  template <class F>
  auto with_publish_retries(F&& attempt) -> decltype(attempt());

  PublisherOptions options_;
  std::mutex mutex_;  // guards everything below
  std::atomic<int> users_{0};
  Connection connection_;
  std::uint64_t generation_ = 0;  // bumped whenever the connection or confirm channel is replaced
  std::uint64_t lost_ = 0;        // bumped whenever the connection is abandoned or closed
  bool confirm_channel_open_ = false;
  bool declare_channel_open_ = false;
  std::uint64_t published_ = 0;  // publishes on the confirm channel since it opened
  std::map<std::uint64_t, std::shared_ptr<Pending>> pending_;  // by publish sequence number
  // basic.returns whose acks have not come yet, by the returned message's
  // correlation id (an ack may be `multiple`: its tag does not tell whose).
  std::vector<std::pair<std::string, Returned>> returned_;

  // The confirm reader (publish_async).
  std::thread reader_;
  std::uint64_t reader_epoch_ = 0;  // bumped by close(): that reader stops
  std::condition_variable reader_wake_;  // a connection to read from
  int wake_fd_ = -1;                     // gets the reader out of poll() for close()
  std::vector<std::pair<Confirmed, PublishResult>> callbacks_;  // completed, for the reader to run
};

class PublisherPool {
 public:
  PublisherPool(const PublisherOptions& options, std::size_t size);

  /// Lease is use of one publisher until destroyed (shared: publishers are thread-safe).
  class Lease {
   public:
    explicit Lease(Publisher& publisher) : publisher_(&publisher) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Publisher* operator->() const noexcept { return publisher_; }

   private:
    Publisher* publisher_;
  };

  Lease acquire();
  void close() noexcept;

 private:
  std::vector<std::unique_ptr<Publisher>> publishers_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace hypha::amqp
