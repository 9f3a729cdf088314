// Private: UTF-8 decoding and encoding shared by the JSON codecs of the
// library (the AMQP wire codec, JsonWriter).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hypha::detail {

/// decode_utf8 reads one code point at `i` and moves `i` past it; on an
/// invalid sequence (overlong forms, surrogates and values past U+10FFFF
/// included) it returns false and leaves `i` alone.
bool decode_utf8(std::string_view s, std::size_t& i, std::uint32_t& cp);

/// append_utf8 appends code point `cp` encoded as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace hypha::detail
