// Private to the AMQP transport: AMQP field tables (message headers, queue
// arguments) to and from JSON, and context data to and from `nameko.*` headers
// (nameko-wire.md §2.7).
//
// JSON -> field value, as py-amqp encodes Python values: string -> long string
// ('S'), bool -> 't', integers in signed 32-bit range -> 'I', other integers ->
// 'l', floats -> 'd', arrays -> 'A', objects -> 'F'; null entries are dropped
// (Nameko drops None-valued context keys). Field value -> JSON: every integer
// kind -> number, 'f'/'d'/'D' -> float, 'S'/'x' -> string (invalid UTF-8 bytes
// become U+FFFD), 'T' -> integer seconds, 'V' -> null.
#pragma once

#include <amqp.h>

#include <string>
#include <string_view>

#include "hypha/core/context_data.hpp"
#include "hypha/core/json.hpp"

namespace hypha::amqp {

/// kHeaderPrefix is Nameko's prefix for context headers.
inline constexpr std::string_view kHeaderPrefix = "nameko.";
/// kRetriesHeader counts failed deliveries of an event (Hypha's own header;
/// never becomes context data).
inline constexpr std::string_view kRetriesHeader = "x-hypha-retries";
/// Where a retried or dead-lettered event was first published (retries go
/// through the default exchange straight to the handler's queue).
inline constexpr std::string_view kOriginalExchangeHeader = "x-hypha-exchange";
inline constexpr std::string_view kOriginalRoutingKeyHeader = "x-hypha-routing-key";

/// FieldTable owns the memory of an amqp_table_t built from JSON. The table
/// stays valid until the FieldTable is destroyed or moved from.
class FieldTable {
 public:
  FieldTable();
  /// FieldTable(object) converts a JSON object (null entries dropped).
  explicit FieldTable(const Json& object);
  ~FieldTable();
  FieldTable(FieldTable&& other) noexcept;
  FieldTable& operator=(FieldTable&&) = delete;
  FieldTable(const FieldTable&) = delete;
  FieldTable& operator=(const FieldTable&) = delete;

  const amqp_table_t& table() const noexcept { return table_; }

 private:
  amqp_pool_t pool_;
  amqp_table_t table_{};
};

/// table_to_json converts a decoded table into a JSON object (keys in table order).
Json table_to_json(const amqp_table_t& table);
/// field_to_json converts one field value.
Json field_to_json(const amqp_field_value_t& value);

/// context_to_headers gives the `nameko.<key>` headers of a context:
/// call_id_stack as an array of strings (omitted when empty), every other
/// non-null key under its prefixed name.
Json context_to_headers(const ContextData& context);
/// headers_to_context reads every header as context data, stripping a leading
/// `nameko.`; Hypha's own `x-hypha-*` headers are skipped.
ContextData headers_to_context(const Json& headers);

}  // namespace hypha::amqp
