// File: context_data.hpp
//
// ContextData travels with every call and event: the call id stack (who called
// whom, newest last), and named values such as the authenticated user id, the
// language and the W3C traceparent. On AMQP every key becomes a `nameko.<key>`
// header; in-process it is copied from caller to callee.
//
//   ctx.set("user_id", "alice");
//   std::string lang = ctx.get_string("language");
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/call_id_stack.hpp"
#include "hypha/core/json.hpp"

namespace hypha {

/// Standard context keys (Nameko's names).
inline constexpr std::string_view kCallIdStackKey = "call_id_stack";
inline constexpr std::string_view kUserIdKey = "user_id";
inline constexpr std::string_view kLanguageKey = "language";
inline constexpr std::string_view kTraceparentKey = "traceparent";
inline constexpr std::string_view kAuthTokenKey = "auth_token";

/// ContextData is the data that flows with a call. Not thread-safe: each
/// worker owns its copy.
class ContextData {
 public:
  /// call_id_stack: ancestors' call ids then this worker's own, oldest first.
  CallIdStack call_id_stack;

  /// values holds every other key (a JSON object, or null when empty).
  const Json& values() const noexcept;

  /// get returns the value of a key, or null.
  const Json& get(std::string_view key) const;
  /// get_string returns a string value, or "" when absent or not a string.
  std::string get_string(std::string_view key) const;
  /// set stores a value; null erases the key.
  void set(std::string_view key, Json value);

  std::string user_id() const { return get_string(kUserIdKey); }
  std::string language() const { return get_string(kLanguageKey); }
  std::string traceparent() const { return get_string(kTraceparentKey); }

  /// inherit makes this the context of a worker called with `parent`: the
  /// same values (shared until either side sets a key) and call ids (read
  /// from the parent's stack, which must outlive this context: a caller
  /// outlives its worker; copies of this context own their ids).
  void inherit(const ContextData& parent);

  /// to_json gives {call_id_stack: [...], <key>: <value>, ...}.
  Json to_json() const;
  /// from_json reads the form to_json writes; unknown keys are kept.
  static ContextData from_json(const Json& j);

 private:
  // Copies share the values until one of them sets a key (copy on write):
  // every in-process call copies its caller's context, and few change it.
  std::shared_ptr<Json> values_;
};

/// push_call_id appends `call_id` to `stack`, keeping at most `max_entries`
/// (dropping the oldest). max_entries is parent_calls_tracked + 1.
void push_call_id(CallIdStack& stack, std::string call_id, std::size_t max_entries);

/// new_call_id returns "<service>.<method>.<uuid4>".
std::string new_call_id(std::string_view service, std::string_view method);

/// new_uuid4 returns a random RFC 4122 version 4 uuid, lower-case hyphenated.
std::string new_uuid4();

/// child_traceparent returns a W3C traceparent for a new span in the trace of
/// `parent` (a fresh trace when parent is empty or malformed).
std::string child_traceparent(std::string_view parent);

}  // namespace hypha
