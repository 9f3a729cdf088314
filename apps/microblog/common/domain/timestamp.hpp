// File: timestamp.hpp
//
// RFC 3339 timestamps in UTC with milliseconds, the only form the API speaks
// ("2026-11-25T10:50:35.123Z"), computed with calendar arithmetic alone: no
// locale, no time zone database, no gmtime, so results never depend on the
// host and work for any int64 input.
//
//   microblog::format_rfc3339_ms(0);                              // "1970-01-01T00:00:00.000Z"
//   microblog::parse_rfc3339_ms("2026-11-25T10:50:35.123Z");      // 1795603835123
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hypha/core/result.hpp"

namespace microblog {

/// kMinRfc3339UnixMs is 0000-01-01T00:00:00.000Z, the earliest instant with a
/// four-digit year.
inline constexpr std::int64_t kMinRfc3339UnixMs = -62167219200000;

/// kMaxRfc3339UnixMs is 9999-12-31T23:59:59.999Z, the latest instant with a
/// four-digit year.
inline constexpr std::int64_t kMaxRfc3339UnixMs = 253402300799999;

/// format_rfc3339_ms() formats milliseconds since the Unix epoch as
/// "YYYY-MM-DDTHH:MM:SS.mmmZ" in UTC (proleptic Gregorian calendar). Times
/// before 1970 work; inputs outside [kMinRfc3339UnixMs, kMaxRfc3339UnixMs] are
/// clamped to that range, since RFC 3339 years have exactly four digits.
std::string format_rfc3339_ms(std::int64_t unix_ms);

/// parse_rfc3339_ms() reads an RFC 3339 date-time back into Unix milliseconds:
/// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)"; 'T' and 'Z' may be lower
/// case; the fraction has 1–9 digits and is truncated to milliseconds. Leap
/// seconds (:60) are rejected because Unix time cannot represent them.
/// Returns kInvalidArgument with a message naming `timestamp` otherwise.
hypha::Result<std::int64_t> parse_rfc3339_ms(std::string_view text);

}  // namespace microblog
