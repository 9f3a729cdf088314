#include "request_stamp.hpp"

#include <charconv>
#include <cstdint>

#include "hypha/core/context_data.hpp"

namespace hypha::amqp {
namespace {

// Layout in the 36 characters: 8 hex digits, '-', 4 hex digits (the 48-bit
// time), '-', '4' (version), 3 hex digits (mark), '-', variant digit, 1 hex
// digit (mark), the rest random.
constexpr std::string_view kMarkAfterVersion = "a7c";
constexpr std::size_t kMarkAfterVersionAt = 15;
constexpr char kMarkAfterVariant = 'e';
constexpr std::size_t kMarkAfterVariantAt = 20;
// A stamp older than this is taken for a random id that matched the mark (a
// chance of 1 in 65,536 times the chance that 48 random bits fall in it).
constexpr auto kOldestStamp = std::chrono::hours(24 * 30);

constexpr char kHex[] = "0123456789abcdef";

std::int64_t millis(WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string stamped_correlation_id(WallClock::time_point published) {
  std::string id = new_uuid4();
  auto ms = static_cast<std::uint64_t>(millis(published)) & 0xFFFF'FFFF'FFFFULL;
  for (std::size_t i = 13; i-- > 0;) {  // 12 digits, skipping the '-' at 8, last digit first
    if (i == 8) continue;
    id[i] = kHex[ms & 0xF];
    ms >>= 4;
  }
  id.replace(kMarkAfterVersionAt, kMarkAfterVersion.size(), kMarkAfterVersion);
  id[kMarkAfterVariantAt] = kMarkAfterVariant;
  return id;
}

std::optional<WallClock::time_point> stamp_of(std::string_view id) {
  if (id.size() != 36 || id[8] != '-' || id[13] != '-' || id[14] != '4' ||
      id.substr(kMarkAfterVersionAt, kMarkAfterVersion.size()) != kMarkAfterVersion ||
      id[kMarkAfterVariantAt] != kMarkAfterVariant) {
    return std::nullopt;
  }
  std::string digits;
  digits.append(id.substr(0, 8)).append(id.substr(9, 4));
  std::uint64_t ms = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), ms, 16);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return WallClock::time_point(std::chrono::milliseconds(static_cast<std::int64_t>(ms)));
}

bool may_give_up(std::string_view correlation_id, WallClock::time_point now) {
  auto published = stamp_of(correlation_id);
  return !published || now - *published >= kStartWithin;
}

bool too_late_to_start(std::string_view correlation_id, WallClock::time_point consuming_since) {
  auto published = stamp_of(correlation_id);
  if (!published) return false;
  const auto waited = consuming_since - *published;
  return waited > kStartWithin && waited < kOldestStamp;
}

}  // namespace hypha::amqp
