// File: utf8.hpp
//
// Strict UTF-8 validation and decoding, as Unicode 15 Table 3-7 defines
// well-formed sequences: overlong forms (C0 AF), surrogates (ED A0 80),
// code points past U+10FFFF (F4 90 80 80) and truncated sequences are all
// rejected. Text limits in the API count code points, so this file also counts
// them.
//
//   microblog::is_valid_utf8("h\xC3\xA9llo");        // true
//   microblog::count_code_points("h\xC3\xA9llo");    // 5
//   microblog::count_code_points("\xC0\xAF");        // nullopt (overlong '/')
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace microblog {

/// DecodedCodePoint is one Unicode scalar value and the number of bytes (1–4)
/// its UTF-8 form took.
struct DecodedCodePoint {
    char32_t value;
    std::size_t length;
};

/// decode_utf8_at() decodes the code point whose first byte is bytes[offset].
/// Returns nullopt when offset is past the end or the bytes there are not a
/// well-formed UTF-8 sequence.
std::optional<DecodedCodePoint> decode_utf8_at(std::string_view bytes, std::size_t offset) noexcept;

/// is_valid_utf8() is true when the whole of `bytes` is well-formed UTF-8.
bool is_valid_utf8(std::string_view bytes) noexcept;

/// count_code_points() returns how many code points `bytes` holds, or nullopt
/// when it is not well-formed UTF-8.
std::optional<std::size_t> count_code_points(std::string_view bytes) noexcept;

/// decode_utf8() returns the code points of `bytes`, or nullopt when it is not
/// well-formed UTF-8.
std::optional<std::u32string> decode_utf8(std::string_view bytes);

/// encode_utf8() returns the UTF-8 form of `code_points`. Values that are not
/// Unicode scalar values (surrogates, > U+10FFFF) become U+FFFD, so the result
/// is always valid UTF-8.
std::string encode_utf8(std::u32string_view code_points);

}  // namespace microblog
