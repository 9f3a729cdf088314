#include "search/domain/search_query.hpp"

#include <algorithm>

#include "common/domain/ascii.hpp"
#include "common/domain/utf8.hpp"
#include "common/domain/white_space.hpp"

namespace microblog::search {
namespace {

hypha::Result<SearchQuery> invalid(const char* message) {
    return hypha::fail(hypha::ErrorCode::kInvalidArgument, message);
}

// Words are runs of ASCII letters and digits and of non-ASCII characters:
// scripts without ASCII letters must stay searchable, and the FTS5 tokenizer
// splits them properly on its side. Unicode White_Space (U+00A0, U+3000, ...)
// separates words like ASCII space does. `text` must be valid UTF-8.
bool is_word_char(char32_t cp) { return cp >= 0x80 ? !is_white_space(cp) : is_ascii_alnum(static_cast<char>(cp)); }

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    auto finish_word = [&] {
        if (!word.empty() && std::find(words.begin(), words.end(), word) == words.end()) words.push_back(word);
        word.clear();
    };
    for (std::size_t at = 0; at < text.size();) {
        const auto decoded = decode_utf8_at(text, at);
        const std::size_t length = decoded ? decoded->length : 1;
        if (decoded && is_word_char(decoded->value)) {
            word += to_ascii_lower(text.substr(at, length));
        } else {
            finish_word();
        }
        at += length;
    }
    finish_word();
    return words;
}

std::string quote_fts5(std::string_view word) {
    std::string quoted = "\"";
    for (char c : word) {
        if (c == '"') quoted.push_back('"');
        quoted.push_back(c);
    }
    quoted.push_back('"');
    return quoted;
}

}  // namespace

hypha::Result<SearchQuery> SearchQuery::parse(std::optional<std::string_view> text,
                                              std::optional<std::string_view> username) {
    if (username && !is_valid_utf8(*username)) return invalid("username: must be valid UTF-8");
    if (username) username = trim_white_space(*username);  // as `text` is: no username has spaces
    if (username && username->empty()) username.reset();
    if (!text && !username) return invalid("text: is required unless username is given");

    std::vector<std::string> words;
    if (text) {
        const std::string_view trimmed = trim_white_space(*text);
        const auto length = count_code_points(trimmed);
        if (!length) return invalid("text: must be valid UTF-8");
        if (*length < kMinTextLength) return invalid("text: must be at least 3 characters");
        if (*length > kMaxTextLength) return invalid("text: must be at most 255 characters");
        words = split_words(trimmed);
    }
    const bool text_without_words = text && words.empty();
    return SearchQuery(std::move(words), username ? std::optional<std::string>(*username) : std::nullopt,
                       text_without_words);
}

std::string SearchQuery::fts5_match() const {
    std::string match;
    for (const std::string& word : words_) {
        if (!match.empty()) match.push_back(' ');
        match += quote_fts5(word);
        match.push_back('*');
    }
    return match;
}

std::optional<std::string> SearchQuery::username_like_pattern() const {
    if (!username_) return std::nullopt;
    std::string pattern = "%";
    for (char c : *username_) {
        if (c == '\\' || c == '%' || c == '_') pattern.push_back('\\');
        pattern.push_back(c);
    }
    pattern.push_back('%');
    return pattern;
}

}  // namespace microblog::search
