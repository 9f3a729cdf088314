#include "common/domain/decimal.hpp"

#include <limits>

namespace microblog {

std::optional<std::uint64_t> parse_decimal_u64(std::string_view digits) noexcept {
    if (digits.empty()) return std::nullopt;
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (kMax - digit) / 10) return std::nullopt;  // value * 10 + digit would overflow
        value = value * 10 + digit;
    }
    return value;
}

}  // namespace microblog
