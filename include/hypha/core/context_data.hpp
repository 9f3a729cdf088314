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
  ContextData() = default;
  /// Copies (and moves) own what they hold, even from a context that
  /// borrows from its parent (inherit).
  ContextData(const ContextData& other);
  ContextData(ContextData&& other);
  ContextData& operator=(const ContextData& other);
  ContextData& operator=(ContextData&& other);
  ~ContextData() = default;

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
  /// has_traceparent: whether a traceparent is set (asked by every worker).
  bool has_traceparent() const noexcept { return has_traceparent_; }

  /// inherit makes this the context of a worker called with `parent`: the
  /// same values and call ids, read from the parent in place (it must
  /// outlive this context and not change meanwhile, as a caller waiting for
  /// its worker does; setting a key here copies the values first, and copies
  /// of this context own theirs). Inline: every worker calls it, and there
  /// the compiler sees a context just made, with nothing to clear.
  void inherit(const ContextData& parent) {
    call_id_stack.borrow(parent.call_id_stack);
    lent_ = &parent.shared_values();
    values_.reset();
    has_traceparent_ = parent.has_traceparent_;
  }

  /// without_call_ids: a context with this one's values (shared, as a copy
  /// shares them) and no call ids.
  ContextData without_call_ids() const;

  /// give_up_values: this context's share of its values (nullptr when it
  /// borrows them or has none); the context is left without values. For a
  /// holder that decides when the share ends (InProcessTransport's deliveries).
  std::shared_ptr<Json> give_up_values() noexcept {
    has_traceparent_ = false;
    if (lent_ != nullptr) {
      lent_ = nullptr;
      return nullptr;
    }
    return std::move(values_);
  }

  /// to_json gives {call_id_stack: [...], <key>: <value>, ...}.
  Json to_json() const;
  /// from_json reads the form to_json writes; unknown keys are kept.
  static ContextData from_json(const Json& j);

 private:
  const std::shared_ptr<Json>& shared_values() const noexcept { return lent_ != nullptr ? *lent_ : values_; }
  std::shared_ptr<Json> take_values();

  // Copies share the values until one of them sets a key (copy on write):
  // every in-process call copies its caller's context, and few change it.
  std::shared_ptr<Json> values_;
  // A worker's context reads its caller's values through lent_ (inherit):
  // no shared count to change per worker, which on another thread (an event
  // handler) is a cache line taken from the dispatching thread each time.
  const std::shared_ptr<Json>* lent_ = nullptr;
  bool has_traceparent_ = false;
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
