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
// PublisherPool hands out publishers to threads: each lease locks one
// publisher (rabbitmq-c connections are single-threaded), preferring an idle one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
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

/// Returned: what basic.return said, if the broker returned the message.
struct Returned {
  int reply_code = 0;
  std::string reply_text;
};

class Publisher {
 public:
  explicit Publisher(PublisherOptions options) : options_(std::move(options)) {}

  /// publish sends a message and waits for its confirm; returns the
  /// basic.return when the broker returned it. Throws AmqpError.
  std::optional<Returned> publish(std::string_view exchange, std::string_view routing_key, bool mandatory,
                                  const Message& message);
  /// consumer_count checks a queue passively: nullopt when it does not exist.
  std::optional<std::uint32_t> consumer_count(std::string_view queue);
  void declare_exchange(const ExchangeSpec& exchange);
  void declare_queue(const QueueSpec& queue);
  void close() noexcept;

 private:
  friend class PublisherPool;
  void ensure_open();
  void ensure_declare_channel();
  std::optional<Returned> wait_confirm(std::uint64_t sequence);
  template <class F>
  auto with_retries(std::string_view what, F&& attempt) -> decltype(attempt());

  PublisherOptions options_;
  std::mutex mutex_;
  std::atomic<int> users_{0};
  Connection connection_;
  bool confirm_channel_open_ = false;
  bool declare_channel_open_ = false;
  std::uint64_t published_ = 0;  // publishes on the confirm channel since it opened
};

class PublisherPool {
 public:
  PublisherPool(const PublisherOptions& options, std::size_t size);

  /// Lease is exclusive use of one publisher until destroyed.
  class Lease {
   public:
    Lease(Publisher& publisher);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Publisher* operator->() const noexcept { return publisher_; }

   private:
    Publisher* publisher_;
    std::unique_lock<std::mutex> lock_;
  };

  Lease acquire();
  void close() noexcept;

 private:
  std::vector<std::unique_ptr<Publisher>> publishers_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace hypha::amqp
