// Private to the AMQP transport: Nameko 2.x names, flags and message bodies
// (nameko-wire.md §2, §3), as pure functions the tests check directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/errors.hpp"
#include "hypha/core/invocation.hpp"
#include "hypha/core/json.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha::amqp {

inline constexpr std::string_view kDefaultRpcExchange = "nameko-rpc";
inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kUtf8 = "utf-8";
/// kReplyQueueExpiresMs is x-expires of reply queues (a signed 32-bit int on the wire).
inline constexpr std::int32_t kReplyQueueExpiresMs = 300000;

/// ExchangeSpec is an exchange declaration.
struct ExchangeSpec {
  std::string name;
  std::string type = "topic";
  bool durable = true;
  bool auto_delete = false;
};

/// QueueSpec is a queue declaration; x_expires_ms > 0 adds `x-expires`.
struct QueueSpec {
  std::string name;
  bool durable = true;
  bool exclusive = false;
  bool auto_delete = false;
  std::int32_t x_expires_ms = 0;
};

/// QueueCounts is what a passive queue.declare tells: messages ready (not
/// those delivered and unacked) and consumers.
struct QueueCounts {
  std::uint32_t messages = 0;
  std::uint32_t consumers = 0;
};

/// Binding binds a queue to an exchange; `declare` says whether to declare the
/// exchange first (DECLARE_EVENT_EXCHANGES: false binds to an existing one).
struct Binding {
  ExchangeSpec exchange;
  std::string routing_key;
  bool declare = true;
};

// --- RPC topology (§2.1) ---
ExchangeSpec rpc_exchange(std::string_view name = kDefaultRpcExchange);
/// rpc_queue: `rpc-<svc>`, durable, no arguments.
QueueSpec rpc_queue(std::string_view service);
/// rpc_binding_key: `<svc>.*`; rpc_routing_key: `<svc>.<method>`.
std::string rpc_binding_key(std::string_view service);
std::string rpc_routing_key(std::string_view service, std::string_view method);
/// reply_queue: `rpc.reply-<owner>-<uuid>`, durable, x-expires 300000; bound with key <uuid>.
QueueSpec reply_queue(std::string_view owner, std::string_view uuid);
/// method_of_routing_key: the method an RPC delivery asks for: the routing key
/// minus `<svc>.`, else its last dot-separated segment (as Nameko reports it).
std::string method_of_routing_key(std::string_view service, std::string_view routing_key);

// --- Events topology (§3.1) ---
/// event_exchange: `<src>.events`, durable topic, auto_delete configurable.
ExchangeSpec event_exchange(std::string_view source, bool auto_delete = false);
/// event_queue: per handler type (service pool, singleton, broadcast).
QueueSpec event_queue(const EventSubscription& subscription);
/// dead_letter_queue: `<queue>.dlq`, durable, no arguments.
QueueSpec dead_letter_queue(std::string_view queue);

// --- Bodies ---
/// encode_request: {"args": [...], "kwargs": {...}} (null args/kwargs as [] / {}).
std::string encode_request(const Invocation& inv);
/// encode_error: {"exc_type", "exc_path", "exc_args", "value"} in Nameko's key order.
std::string encode_error(const ErrorInfo& error);
/// encode_reply: {"result": ..., "error": ...}, both keys always present. A
/// result that cannot be written becomes `result: null` with an
/// UnserializableValueError, as Nameko does.
std::string encode_reply(const Outcome& outcome);
/// decode_reply reads a reply body; a body that is not a reply becomes an error outcome.
Outcome decode_reply(std::string_view body);

/// unserializable_value_error is Nameko's UnserializableValueError.
ErrorInfo unserializable_value_error(std::string_view what);

/// RequestCheck is the verdict on an incoming RPC request's properties and body.
struct DecodedRequest {
  Invocation invocation;
  std::optional<ErrorInfo> error;  ///< MalformedRequest when the request cannot be understood
};
/// decode_request checks the content type/encoding and reads {args, kwargs};
/// never throws.
DecodedRequest decode_request(std::string_view content_type, std::string_view content_encoding,
                              std::string_view body);

/// decode_payload reads an event body (any JSON) after the same content checks;
/// the error text says why it was refused.
std::optional<Json> decode_payload(std::string_view content_type, std::string_view content_encoding,
                                   std::string_view body, std::string& error);

}  // namespace hypha::amqp
