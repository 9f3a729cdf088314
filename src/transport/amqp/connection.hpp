// Private to the AMQP transport: a thin RAII layer over one rabbitmq-c
// connection. A Connection is NOT thread-safe (rabbitmq-c connections never
// are): exactly one thread uses it at a time; the transport guarantees that.
//
// Errors throw AmqpError: `connection_lost()` means the connection is unusable
// and must be reopened (socket error, heartbeat timeout, connection.close);
// otherwise the broker closed only the channel (404 NOT_FOUND, 406
// PRECONDITION_FAILED, ...): close-ok has been sent and the channel must be
// reopened before it is used again.
#pragma once

#include <amqp.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hypha/core/json.hpp"
#include "wire.hpp"

namespace hypha::amqp {

/// ConnectionParams is a parsed AMQP_URI plus the AMQP_SSL options.
struct ConnectionParams {
  std::string host = "localhost";
  int port = 5672;
  std::string user = "guest";
  std::string password = "guest";
  std::string vhost = "/";
  bool ssl = false;
  std::string ca_cert;    ///< AMQP_SSL.ca_certs
  std::string cert_file;  ///< AMQP_SSL.certfile
  std::string key_file;   ///< AMQP_SSL.keyfile
  bool verify_peer = true;      ///< AMQP_SSL.cert_reqs != CERT_NONE
  bool verify_hostname = true;  ///< AMQP_SSL.check_hostname

  /// parse reads amqp://, amqps:// (and kombu's pyamqp:// / librabbitmq://)
  /// URIs; `ssl` is AMQP_SSL (true, or an object of Python ssl-style options).
  /// Throws ConfigurationError.
  static ConnectionParams parse(std::string_view uri, const Json& ssl = nullptr);
  /// describe names the broker without the password, for logs.
  std::string describe() const;
};

class AmqpError : public std::runtime_error {
 public:
  AmqpError(std::string message, bool connection_lost, int reply_code = 0)
      : std::runtime_error(std::move(message)), connection_lost_(connection_lost), reply_code_(reply_code) {}
  bool connection_lost() const noexcept { return connection_lost_; }
  /// reply_code is the broker's code (404, 406, 320, ...) or 0.
  int reply_code() const noexcept { return reply_code_; }

 private:
  bool connection_lost_;
  int reply_code_;
};

/// Message is an AMQP message as plain values.
struct Message {
  std::string body;
  std::string content_type;
  std::string content_encoding;
  std::optional<std::string> correlation_id;
  std::optional<std::string> reply_to;
  std::optional<std::string> expiration;
  std::optional<std::uint8_t> delivery_mode;
  std::optional<std::uint8_t> priority;
  Json headers = Json::object();  ///< application headers (always sent, {} when empty)
};

/// to_message copies a received message's properties and body.
Message to_message(const amqp_basic_properties_t& props, const amqp_bytes_t& body);

class Connection {
 public:
  Connection() = default;
  ~Connection() { close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// open connects and logs in; heartbeat in seconds (0: none). Throws AmqpError.
  void open(const ConnectionParams& params, int heartbeat, std::chrono::milliseconds timeout,
            std::string_view connection_name);
  /// close says goodbye when it can and frees everything. Never throws.
  void close() noexcept;
  /// abandon frees everything without talking to the broker (after an error).
  void abandon() noexcept;
  bool is_open() const noexcept { return state_ != nullptr; }
  amqp_connection_state_t state() const noexcept { return state_; }
  int fd() const noexcept;

  void open_channel(amqp_channel_t channel);
  void confirm_select(amqp_channel_t channel);
  void qos(amqp_channel_t channel, std::uint16_t prefetch);
  void declare_exchange(amqp_channel_t channel, const ExchangeSpec& exchange);
  /// declare_queue returns the queue's consumer count.
  std::uint32_t declare_queue(amqp_channel_t channel, const QueueSpec& queue);
  /// passive_declare returns the queue's counts, or nullopt when it does not
  /// exist (the broker then closed the channel: reopen it).
  std::optional<QueueCounts> passive_declare(amqp_channel_t channel, std::string_view queue);
  void bind_queue(amqp_channel_t channel, std::string_view queue, std::string_view exchange,
                  std::string_view routing_key);
  /// consume starts a consumer; with no_ack the broker counts each delivery as acked when sent.
  void consume(amqp_channel_t channel, std::string_view queue, std::string_view tag, bool no_ack = false);
  void cancel(amqp_channel_t channel, std::string_view tag);
  /// ack acknowledges `tag`, or with `multiple` every unacked delivery up to it.
  void ack(amqp_channel_t channel, std::uint64_t tag, bool multiple = false);
  void reject(amqp_channel_t channel, std::uint64_t tag, bool requeue);
  /// publish sends a message (no waiting: confirms are the caller's business).
  void publish(amqp_channel_t channel, std::string_view exchange, std::string_view routing_key, bool mandatory,
               const Message& message);

  /// check turns an rpc reply into AmqpError; answers the broker's close with close-ok.
  void check(const amqp_rpc_reply_t& reply, std::string_view what);
  /// check_status turns a library status code into AmqpError (connection lost).
  void check_status(int status, std::string_view what);
  /// answer_close sends close-ok for a channel.close / connection.close method frame.
  void answer_close(const amqp_frame_t& frame);

 private:
  amqp_connection_state_t state_ = nullptr;
};

/// bytes views a string as amqp_bytes_t (no copy; valid while the string is).
inline amqp_bytes_t bytes(std::string_view s) noexcept {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}
inline std::string to_string(const amqp_bytes_t& b) {
  return b.bytes == nullptr ? std::string() : std::string(static_cast<const char*>(b.bytes), b.len);
}

}  // namespace hypha::amqp
