// Helpers for the AMQP tests: the shared test broker (one per ctest run, see
// src/transport/amqp/CMakeLists.txt), a fresh vhost per test, a raw rabbitmq-c
// client for wire-level checks, and waiting with deadlines.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "connection.hpp"
#include "hypha/core/config.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha::amqp_test {

using namespace std::chrono_literals;

/// broker_uri returns the shared broker's base URI ("amqp://guest:guest@127.0.0.1:PORT/"),
/// or "" when no broker runs (the test then skips).
std::string broker_uri();

/// fresh_vhost_uri claims an unused vhost of the shared broker and returns the URI for it.
std::string fresh_vhost_uri();

/// config_for builds a config with AMQP_URI = uri plus `extra` keys; short
/// timeouts so that failing tests fail fast.
Config config_for(const std::string& uri, const Json& extra = Json::object());

/// call makes one blocking RPC call through `transport`.
Outcome call(Transport& transport, std::string_view service, std::string_view method, Json args = Json::array(),
             Json kwargs = nullptr, std::optional<std::chrono::milliseconds> timeout = std::nullopt,
             const ContextData& context = ContextData{});

/// wait_until polls `done` until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s);

/// RawDelivery is a message read off the broker by RawClient.
struct RawDelivery {
  std::string exchange;
  std::string routing_key;
  amqp::Message message;
  bool has_content_type = false;
  bool has_content_encoding = false;
  bool has_headers = false;
  bool has_delivery_mode = false;
  bool has_priority = false;
  bool has_correlation_id = false;
  bool has_reply_to = false;
  bool has_expiration = false;
  bool has_other_properties = false;  ///< message_id, timestamp, type, user_id, app_id, cluster_id
};

/// RawClient is a plain rabbitmq-c client (one thread): declare, bind, publish,
/// consume, as a foreign Nameko process would.
class RawClient {
 public:
  explicit RawClient(const std::string& uri);
  ~RawClient();

  amqp::Connection& connection() { return connection_; }
  void declare_exchange(const amqp::ExchangeSpec& exchange);
  void declare_queue(const amqp::QueueSpec& queue);
  void bind(const std::string& queue, const std::string& exchange, const std::string& routing_key);
  /// sniff declares an exclusive queue bound with `#` to each exchange and consumes it.
  std::string sniff(const std::vector<std::string>& exchanges);
  /// consume starts consuming `queue` (auto-ack).
  void consume(const std::string& queue);
  /// publish sends a message (channel 2, no confirms; the broker keeps order per channel).
  void publish(const std::string& exchange, const std::string& routing_key, const amqp::Message& message,
               bool mandatory = false);
  /// next waits for the next delivery of any consumed queue.
  std::optional<RawDelivery> next(std::chrono::milliseconds timeout = 10s);
  /// queue_size returns the number of ready messages (passive declare), nullopt if missing.
  std::optional<amqp::QueueCounts> queue_counts(const std::string& queue);
  std::optional<std::uint32_t> message_count(const std::string& queue);
  std::optional<std::uint32_t> consumer_count(const std::string& queue);

 private:
  amqp::Connection connection_;
  int sniffers_ = 0;
};

/// NamekoCaller plays Nameko 2.14's standalone RPC proxy with rabbitmq-c: its
/// own reply queue `rpc.reply-standalone_rpc_proxy-<uuid>` (durable, x-expires
/// 300000) bound to nameko-rpc with key <uuid>, and requests with exactly the
/// properties Nameko sends (nameko-wire.md §2.2, §2.8).
class NamekoCaller {
 public:
  explicit NamekoCaller(const std::string& uri);

  /// request builds Nameko's request message: content type/encoding,
  /// delivery_mode 2, priority 0, correlation_id, reply_to = the uuid, headers.
  amqp::Message request(std::string body, const std::string& correlation_id, Json headers = Json::object()) const;
  /// send publishes to nameko-rpc with routing key `<service>.<method>`, mandatory.
  void send(const std::string& routing_key, const amqp::Message& message);
  /// reply waits for the next message on the reply queue.
  std::optional<RawDelivery> reply(std::chrono::milliseconds timeout = 10s) { return raw_.next(timeout); }

  const std::string& uuid() const noexcept { return uuid_; }
  RawClient& raw() noexcept { return raw_; }

 private:
  RawClient raw_;
  std::string uuid_;
};

}  // namespace hypha::amqp_test
