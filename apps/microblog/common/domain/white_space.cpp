#include "common/domain/white_space.hpp"

#include "common/domain/utf8.hpp"

namespace microblog {

std::string_view trim_white_space(std::string_view utf8) noexcept {
    // One forward pass: UTF-8 cannot be decoded backwards as simply.
    std::size_t first_kept = utf8.size();
    std::size_t end_kept = 0;
    for (std::size_t offset = 0; offset < utf8.size();) {
        const auto decoded = decode_utf8_at(utf8, offset);
        const std::size_t length = decoded ? decoded->length : 1;
        if (!decoded || !is_white_space(decoded->value)) {
            if (first_kept == utf8.size()) first_kept = offset;
            end_kept = offset + length;
        }
        offset += length;
    }
    if (first_kept == utf8.size()) return utf8.substr(utf8.size());
    return utf8.substr(first_kept, end_kept - first_kept);
}

}  // namespace microblog
