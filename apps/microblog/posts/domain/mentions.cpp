#include "posts/domain/mentions.hpp"

#include <algorithm>

#include "common/domain/ascii.hpp"

namespace microblog::posts {
namespace {

constexpr std::size_t kMinNameLength = 3;
constexpr std::size_t kMaxNameLength = 30;

bool can_precede_mention(std::string_view text, std::size_t at) {
    if (at == 0) return true;
    const char before = text[at - 1];
    return !is_name_char(before) && before != '@';
}

}  // namespace

std::vector<std::string> parse_mentions(std::string_view text) {
    std::vector<std::string> names;
    std::vector<std::string> keys;  // lower-cased, to de-duplicate case-insensitively
    for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
        if (!can_precede_mention(text, at)) continue;
        std::size_t end = at + 1;
        while (end < text.size() && is_name_char(text[end])) ++end;
        const std::string_view name = text.substr(at + 1, end - at - 1);
        if (name.size() < kMinNameLength || name.size() > kMaxNameLength) continue;
        std::string key = to_ascii_lower(name);
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
        keys.push_back(std::move(key));
        names.emplace_back(name);
    }
    return names;
}

}  // namespace microblog::posts
