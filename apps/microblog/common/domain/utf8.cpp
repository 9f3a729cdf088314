#include "common/domain/utf8.hpp"

#include <cstdint>

namespace microblog {
namespace {

// The shape of a sequence, read from its lead byte. The allowed range of the
// second byte is what excludes overlongs (E0, F0), surrogates (ED) and values
// past U+10FFFF (F4); later continuation bytes are always 80..BF.
struct LeadByte {
    std::size_t length;
    char32_t initial_bits;
    std::uint8_t second_min;
    std::uint8_t second_max;
};

std::optional<LeadByte> classify_lead(std::uint8_t b) noexcept {
    if (b <= 0x7F) return LeadByte{1, b, 0, 0};
    if (b >= 0xC2 && b <= 0xDF) return LeadByte{2, static_cast<char32_t>(b & 0x1F), 0x80, 0xBF};
    if (b == 0xE0) return LeadByte{3, 0x0, 0xA0, 0xBF};
    if (b == 0xED) return LeadByte{3, 0xD, 0x80, 0x9F};
    if (b >= 0xE1 && b <= 0xEF) return LeadByte{3, static_cast<char32_t>(b & 0x0F), 0x80, 0xBF};
    if (b == 0xF0) return LeadByte{4, 0x0, 0x90, 0xBF};
    if (b >= 0xF1 && b <= 0xF3) return LeadByte{4, static_cast<char32_t>(b & 0x07), 0x80, 0xBF};
    if (b == 0xF4) return LeadByte{4, 0x4, 0x80, 0x8F};
    return std::nullopt;  // 80..C1 (continuation or overlong lead) and F5..FF never start a sequence
}

bool is_scalar_value(char32_t cp) noexcept { return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

void append_scalar(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

}  // namespace

std::optional<DecodedCodePoint> decode_utf8_at(std::string_view bytes, std::size_t offset) noexcept {
    if (offset >= bytes.size()) return std::nullopt;
    const auto lead = classify_lead(static_cast<std::uint8_t>(bytes[offset]));
    if (!lead || bytes.size() - offset < lead->length) return std::nullopt;
    char32_t value = lead->initial_bits;
    for (std::size_t i = 1; i < lead->length; ++i) {
        const auto b = static_cast<std::uint8_t>(bytes[offset + i]);
        const std::uint8_t min = (i == 1) ? lead->second_min : 0x80;
        const std::uint8_t max = (i == 1) ? lead->second_max : 0xBF;
        if (b < min || b > max) return std::nullopt;
        value = (value << 6) | (b & 0x3F);
    }
    return DecodedCodePoint{value, lead->length};
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
    for (char32_t cp : code_points) append_scalar(out, is_scalar_value(cp) ? cp : U'\uFFFD');
    return out;
}

}  // namespace microblog
