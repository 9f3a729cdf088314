// File: decimal.hpp
//
// Strict parsing of unsigned decimal numbers as they arrive in query strings
// and JSON id strings: ASCII digits only, no sign, no spaces, no overflow.
// std::stoull would accept " 5", "+5" and "5abc", which an API must reject.
//
//   microblog::parse_decimal_u64("7392018374019584");  // 7392018374019584
//   microblog::parse_decimal_u64("5 ");                // nullopt
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace microblog {

/// parse_decimal_u64() reads a non-empty run of ASCII digits that fits in 64
/// bits. Leading zeros are allowed. Returns nullopt for anything else.
std::optional<std::uint64_t> parse_decimal_u64(std::string_view digits) noexcept;

}  // namespace microblog
