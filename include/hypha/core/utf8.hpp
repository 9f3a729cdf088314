// File: utf8.hpp
//
// UTF-8 decoding and encoding, strict as Unicode's Table 3-7: one code point
// at a time. The JSON codecs (AMQP wire, JsonWriter) and the microblog's text
// rules all use it. Library hypha_utf8: standard C++ only, so domain code may
// link it without the framework.
//
//   std::size_t i = 0;
//   std::uint32_t cp = 0;
//   hypha::decode_utf8("\xC3\xA9", i, cp);   // true: cp == 0xE9, i == 2
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hypha {

/// decode_utf8 reads one code point at `i` and moves `i` past it; on an
/// invalid sequence (overlong forms, surrogates and values past U+10FFFF
/// included) it returns false and leaves `i` alone.
bool decode_utf8(std::string_view s, std::size_t& i, std::uint32_t& cp) noexcept;

/// append_utf8 appends code point `cp` encoded as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace hypha
