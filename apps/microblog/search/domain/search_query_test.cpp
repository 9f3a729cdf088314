#include "search/domain/search_query.hpp"

#include <gtest/gtest.h>

#include <string>

namespace microblog::search {
namespace {

using std::nullopt;
using Words = std::vector<std::string>;

void expect_rejected(std::optional<std::string_view> text, std::optional<std::string_view> username,
                     std::string_view message) {
    const auto query = SearchQuery::parse(text, username);
    ASSERT_FALSE(query);
    EXPECT_EQ(query.error().code, hypha::ErrorCode::kInvalidArgument);
    EXPECT_EQ(query.error().message, message);
}

TEST(SearchQuery, RequiresTextOrUsername) {
    expect_rejected(nullopt, nullopt, "text: is required unless username is given");
    expect_rejected(nullopt, "", "text: is required unless username is given");  // empty filter filters nothing
}

TEST(SearchQuery, RequiresThreeCharactersAfterTrimming) {
    expect_rejected("ab", nullopt, "text: must be at least 3 characters");
    expect_rejected("  ab \xE3\x80\x80", nullopt, "text: must be at least 3 characters");
    expect_rejected("", "alice", "text: must be at least 3 characters");  // given, even with a username
    EXPECT_TRUE(SearchQuery::parse(" abc ", nullopt));
    EXPECT_TRUE(SearchQuery::parse("\xC3\xA9t\xC3\xA9", nullopt));  // "été": 3 code points, 5 bytes
}

TEST(SearchQuery, CountsInnerSpacesTowardsTheMinimum) {
    const auto query = SearchQuery::parse("a b", nullopt);
    ASSERT_TRUE(query);
    EXPECT_EQ(query->words(), (Words{"a", "b"}));
}

TEST(SearchQuery, RejectsOverlongText) {
    EXPECT_TRUE(SearchQuery::parse(std::string(255, 'a'), nullopt));
    expect_rejected(std::string(256, 'a'), nullopt, "text: must be at most 255 characters");
}

TEST(SearchQuery, TextWithoutWordsIsValidAndMatchesNothing) {
    for (const char* text : {"!!!", "(((", "%_%", "-- ** .."}) {
        const auto query = SearchQuery::parse(text, "alice");
        ASSERT_TRUE(query) << text;
        EXPECT_TRUE(query->matches_nothing()) << text;
        EXPECT_FALSE(query->has_text()) << text;
    }
    EXPECT_FALSE(SearchQuery::parse("abc", nullopt)->matches_nothing());
    EXPECT_FALSE(SearchQuery::parse(nullopt, "alice")->matches_nothing());
}

TEST(SearchQuery, RejectsInvalidUtf8) {
    expect_rejected("abc\xC0\xAF", nullopt, "text: must be valid UTF-8");
    expect_rejected("abc", "al\xFF", "username: must be valid UTF-8");
}

TEST(SearchQuery, SplitsOnNonAlphanumericsAndLowerCases) {
    const auto query = SearchQuery::parse("Micro-Services, C++20 & hello_world!", nullopt);
    ASSERT_TRUE(query);
    EXPECT_EQ(query->words(), (Words{"micro", "services", "c", "20", "hello", "world"}));
}

TEST(SearchQuery, KeepsNonAsciiLettersInWords) {
    const auto query = SearchQuery::parse("Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC", nullopt);  // "Café 日本"
    ASSERT_TRUE(query);
    EXPECT_EQ(query->words(), (Words{"caf\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC"}));
}

TEST(SearchQuery, SplitsOnUnicodeWhiteSpace) {
    const auto query = SearchQuery::parse("one\xE3\x80\x80two\xC2\xA0three", nullopt);
    ASSERT_TRUE(query);
    EXPECT_EQ(query->words(), (Words{"one", "two", "three"}));
}

TEST(SearchQuery, DropsRepeatedWords) {
    const auto query = SearchQuery::parse("abc ABC abc def", nullopt);
    ASSERT_TRUE(query);
    EXPECT_EQ(query->words(), (Words{"abc", "def"}));
}

TEST(SearchQuery, BuildsPrefixAndMatch) {
    const auto query = SearchQuery::parse("micro services", nullopt);
    ASSERT_TRUE(query);
    EXPECT_EQ(query->fts5_match(), R"("micro"* "services"*)");
}

TEST(SearchQuery, QuotesFts5Syntax) {
    const auto query = SearchQuery::parse("NEAR(a b) OR \"x\" text:y -z ^w", nullopt);
    ASSERT_TRUE(query);
    EXPECT_EQ(query->fts5_match(), R"("near"* "a"* "b"* "or"* "x"* "text"* "y"* "z"* "w"*)");
}

TEST(SearchQuery, UsernameAloneIsEnough) {
    const auto query = SearchQuery::parse(nullopt, "Ali");
    ASSERT_TRUE(query);
    EXPECT_FALSE(query->has_text());
    EXPECT_EQ(query->fts5_match(), "");
    EXPECT_EQ(query->username(), "Ali");
    EXPECT_EQ(query->username_like_pattern(), "%Ali%");
}

TEST(SearchQuery, TrimsTheUsernameAsTheText) {
    EXPECT_EQ(SearchQuery::parse(nullopt, " ob\t")->username(), "ob");
    expect_rejected(nullopt, "  ", "text: is required unless username is given");  // only spaces: no filter
}

TEST(SearchQuery, EscapesLikeWildcards) {
    const auto query = SearchQuery::parse(nullopt, "a_b%c\\d");
    ASSERT_TRUE(query);
    EXPECT_EQ(query->username_like_pattern(), R"(%a\_b\%c\\d%)");
}

TEST(SearchQuery, NoUsernamePatternWithoutFilter) {
    const auto query = SearchQuery::parse("hello", "");
    ASSERT_TRUE(query);
    EXPECT_EQ(query->username(), nullopt);
    EXPECT_EQ(query->username_like_pattern(), nullopt);
}

TEST(SearchQuery, CombinesTextAndUsername) {
    const auto query = SearchQuery::parse("hello", "bob");
    ASSERT_TRUE(query);
    EXPECT_EQ(query->fts5_match(), R"("hello"*)");
    EXPECT_EQ(query->username_like_pattern(), "%bob%");
}

}  // namespace
}  // namespace microblog::search
