#include "hypha/core/context_data.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <random>

namespace hypha {
namespace {

// xoshiro256** seeded from std::random_device once per thread: call ids need
// to be unique, not secret, and must be cheap on the hot path.
class FastRandom {
 public:
  FastRandom() {
    std::random_device device;
    for (auto& word : state_) word = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_;
};

FastRandom& random_source() {
  thread_local FastRandom random;
  return random;
}

// write_hex_u64 writes value as 16 hex digits at `at`: eight bytes at once
// (SWAR: each nibble spread to a byte, then turned into its ASCII digit).
void write_hex_u64(char* at, std::uint64_t value) {
  for (int half = 0; half < 2; ++half) {
    std::uint64_t x = (value >> (half == 0 ? 32 : 0)) & 0xFFFFFFFFULL;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    // Byte i holds nibble i counted from the least significant: reverse so
    // that the most significant digit comes first in memory.
    x = __builtin_bswap64(x);
    const std::uint64_t letters = ((x + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;  // nibble > 9
    x += 0x3030303030303030ULL + letters * 0x27;  // '0' + n, or 'a' + n - 10
    std::memcpy(at + 8 * half, &x, 8);
  }
}

// append_hex_u64 appends value as 16 hex digits.
void append_hex_u64(std::string& out, std::uint64_t value) {
  const std::size_t at = out.size();
  out.resize(at + 16);
  write_hex_u64(out.data() + at, value);
}

// write_uuid4 writes a random version 4 uuid, 8-4-4-4-12 hex digits (36
// characters), at `at`: this runs for every call id.
void write_uuid4(char* at) {
  std::uint64_t hi = random_source().next();
  std::uint64_t lo = random_source().next();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  char digits[32];
  write_hex_u64(digits, hi);
  write_hex_u64(digits + 16, lo);
  std::memcpy(at, digits, 8);
  at[8] = '-';
  std::memcpy(at + 9, digits + 8, 4);
  at[13] = '-';
  std::memcpy(at + 14, digits + 12, 4);
  at[18] = '-';
  std::memcpy(at + 19, digits + 16, 4);
  at[23] = '-';
  std::memcpy(at + 24, digits + 20, 12);
}

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

const Json& null_json() {
  static const Json null;
  return null;
}

}  // namespace

ContextData::ContextData(const ContextData& other)
    : call_id_stack(other.call_id_stack), values_(other.shared_values()), has_traceparent_(other.has_traceparent_) {}

ContextData ContextData::without_call_ids() const {
  ContextData copy;
  copy.values_ = shared_values();
  copy.has_traceparent_ = has_traceparent_;
  return copy;
}

ContextData::ContextData(ContextData&& other)
    : call_id_stack(std::move(other.call_id_stack)),
      values_(other.take_values()),
      has_traceparent_(other.has_traceparent_) {}

ContextData& ContextData::operator=(const ContextData& other) {
  if (this != &other) *this = ContextData(other);
  return *this;
}

ContextData& ContextData::operator=(ContextData&& other) {
  if (this == &other) return *this;
  call_id_stack = std::move(other.call_id_stack);
  values_ = other.take_values();
  lent_ = nullptr;
  has_traceparent_ = other.has_traceparent_;
  return *this;
}

// take_values: the values for a context moved from this one (a share of
// the lender's when this one borrows).
std::shared_ptr<Json> ContextData::take_values() {
  return lent_ != nullptr ? *lent_ : std::move(values_);
}

const Json& ContextData::values() const noexcept {
  const auto& shared = shared_values();
  return shared ? *shared : null_json();
}

const Json& ContextData::get(std::string_view key) const {
  const auto& shared = shared_values();
  if (!shared || !shared->is_object()) return null_json();
  auto it = shared->find(key);
  return it == shared->end() ? null_json() : *it;
}

std::string ContextData::get_string(std::string_view key) const {
  const Json& v = get(key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

void ContextData::set(std::string_view key, Json value) {
  if (value.is_null() && get(key).is_null()) return;  // nothing to erase
  if (key == kTraceparentKey) has_traceparent_ = !value.is_null();
  if (lent_ != nullptr) {  // borrowed: take a share, then copy on write below
    values_ = *lent_;
    lent_ = nullptr;
  }
  // Another copy of this context may share the values: write to our own.
  // (A ContextData is not thread-safe, but its copies may live on other
  // threads; use_count() == 1 means none shares them any more.)
  if (!values_) {
    values_ = std::make_shared<Json>(Json::object());
  } else if (values_.use_count() > 1) {
    values_ = std::make_shared<Json>(*values_);
  }
  if (value.is_null()) {
    values_->erase(std::string(key));
    return;
  }
  if (!values_->is_object()) *values_ = Json::object();
  (*values_)[std::string(key)] = std::move(value);
}

Json ContextData::to_json() const {
  Json out = values().is_object() ? values() : Json::object();
  out[std::string(kCallIdStackKey)] = call_id_stack;
  return out;
}

ContextData ContextData::from_json(const Json& j) {
  ContextData data;
  if (!j.is_object()) return data;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == kCallIdStackKey) {
      if (it->is_array()) {
        for (const auto& id : *it) {
          if (id.is_string()) data.call_id_stack.push_back(id.get<std::string>());
        }
      }
    } else {
      data.set(it.key(), *it);
    }
  }
  return data;
}

void push_call_id(CallIdStack& stack, std::string call_id, std::size_t max_entries) {
  stack.push(std::move(call_id), max_entries);
}

std::string new_call_id(std::string_view service, std::string_view method) {
  std::string id(service.size() + method.size() + 2 + 36, '.');  // one allocation, dots in place
  char* p = id.data();
  std::memcpy(p, service.data(), service.size());
  p += service.size() + 1;
  std::memcpy(p, method.data(), method.size());
  p += method.size() + 1;
  write_uuid4(p);
  return id;
}

std::string new_uuid4() {
  std::string id(36, '-');
  write_uuid4(id.data());
  return id;
}

std::string child_traceparent(std::string_view parent) {
  // version "00" - 32 hex trace id - 16 hex parent (span) id - 2 hex flags
  std::string trace_id;
  std::string flags = "01";
  // W3C: every field lower-case hex, version not ff, trace id and span id not all zeros.
  if (parent.size() == 55 && parent[2] == '-' && parent[35] == '-' && parent[52] == '-' &&
      is_hex(parent.substr(0, 2)) && parent.substr(0, 2) != "ff" && is_hex(parent.substr(3, 32)) &&
      parent.substr(3, 32) != "00000000000000000000000000000000" && is_hex(parent.substr(36, 16)) &&
      parent.substr(36, 16) != "0000000000000000" && is_hex(parent.substr(53, 2))) {
    trace_id = std::string(parent.substr(3, 32));
    flags = std::string(parent.substr(53, 2));
  } else {
    append_hex_u64(trace_id, random_source().next());
    append_hex_u64(trace_id, random_source().next());
  }
  std::string out = "00-";
  out += trace_id;
  out.push_back('-');
  append_hex_u64(out, random_source().next() | 1);
  out.push_back('-');
  out += flags;
  return out;
}

}  // namespace hypha
