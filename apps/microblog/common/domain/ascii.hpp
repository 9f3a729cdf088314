// File: ascii.hpp
//
// ASCII character classes and case folding shared by the microblog's value
// objects. Usernames, mentions and search words are defined over ASCII, so
// full Unicode case folding is neither needed nor wanted here.
//
//   microblog::is_name_char('_');                          // true: [A-Za-z0-9_]
//   microblog::to_ascii_lower("Alice_1");                  // "alice_1"
//   microblog::equals_ignoring_ascii_case("Bob", "bOB");   // true
#pragma once

#include <string>
#include <string_view>

namespace microblog {

/// is_ascii_alnum() is true for [A-Za-z0-9] and nothing else (no locale).
constexpr bool is_ascii_alnum(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// is_name_char() is true for the characters a username may hold: [A-Za-z0-9_].
constexpr bool is_name_char(char c) noexcept { return is_ascii_alnum(c) || c == '_'; }

/// to_ascii_lower() maps one byte A-Z to a-z and leaves every other byte alone,
/// so UTF-8 multi-byte sequences pass through unchanged.
constexpr char to_ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// to_ascii_lower() returns a copy of `text` with A-Z lower-cased.
std::string to_ascii_lower(std::string_view text);

/// equals_ignoring_ascii_case() compares two strings with A-Z folded to a-z.
bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) noexcept;

}  // namespace microblog
