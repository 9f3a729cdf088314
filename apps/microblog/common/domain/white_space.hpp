// File: white_space.hpp
//
// The Unicode White_Space property (PropList.txt) and trimming by it. Rules
// such as "a micropost is not only whitespace" and "search text has at least 3
// characters after trimming" must not be fooled by U+3000 or U+00A0, which
// std::isspace does not know.
//
//   microblog::is_white_space(U'\u3000');                       // true
//   microblog::trim_white_space("\xE3\x80\x80 hi \xC2\xA0");     // "hi"
#pragma once

#include <string_view>

namespace microblog {

/// is_white_space() is true for the 25 code points with the Unicode
/// White_Space property: U+0009–000D, U+0020, U+0085, U+00A0, U+1680,
/// U+2000–200A, U+2028, U+2029, U+202F, U+205F, U+3000.
constexpr bool is_white_space(char32_t cp) noexcept {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

/// trim_white_space() returns `utf8` without its leading and trailing White_Space
/// code points; a view into the same bytes. Bytes that are not well-formed
/// UTF-8 count as non-space, so invalid input is never trimmed into validity.
std::string_view trim_white_space(std::string_view utf8) noexcept;

}  // namespace microblog
