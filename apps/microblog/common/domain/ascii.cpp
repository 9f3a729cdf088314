#include "common/domain/ascii.hpp"

#include <algorithm>

namespace microblog {

std::string to_ascii_lower(std::string_view text) {
    std::string lowered(text);
    for (char& c : lowered) c = to_ascii_lower(c);
    return lowered;
}

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return to_ascii_lower(x) == to_ascii_lower(y); });
}

}  // namespace microblog
