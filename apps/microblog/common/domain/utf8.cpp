#include "common/domain/utf8.hpp"

#include <cstdint>

#include "hypha/core/utf8.hpp"

namespace microblog {
namespace {

bool is_scalar_value(char32_t cp) noexcept { return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

}  // namespace

std::optional<DecodedCodePoint> decode_utf8_at(std::string_view bytes, std::size_t offset) noexcept {
    if (offset >= bytes.size()) return std::nullopt;
    std::size_t end = offset;
    std::uint32_t value = 0;
    if (!hypha::decode_utf8(bytes, end, value)) return std::nullopt;
    return DecodedCodePoint{static_cast<char32_t>(value), end - offset};
}

std::optional<std::size_t> count_code_points(std::string_view bytes) noexcept {
    std::size_t count = 0;
    for (std::size_t offset = 0; offset < bytes.size(); ++count) {
        const auto decoded = decode_utf8_at(bytes, offset);
        if (!decoded) return std::nullopt;
        offset += decoded->length;
    }
    return count;
}

bool is_valid_utf8(std::string_view bytes) noexcept { return count_code_points(bytes).has_value(); }

std::optional<std::u32string> decode_utf8(std::string_view bytes) {
    std::u32string code_points;
    code_points.reserve(bytes.size());
    for (std::size_t offset = 0; offset < bytes.size();) {
        const auto decoded = decode_utf8_at(bytes, offset);
        if (!decoded) return std::nullopt;
        code_points.push_back(decoded->value);
        offset += decoded->length;
    }
    return code_points;
}

std::string encode_utf8(std::u32string_view code_points) {
    std::string out;
    out.reserve(code_points.size());
    for (char32_t cp : code_points) hypha::append_utf8(out, is_scalar_value(cp) ? cp : U'\uFFFD');
    return out;
}

}  // namespace microblog
