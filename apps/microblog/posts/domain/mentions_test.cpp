#include "posts/domain/mentions.hpp"

#include <gtest/gtest.h>

#include <string>

namespace microblog::posts {
namespace {

using Names = std::vector<std::string>;

TEST(ParseMentions, FindsMentionsInOrder) {
    EXPECT_EQ(parse_mentions("hello @bob and @carol_2"), (Names{"bob", "carol_2"}));
}

TEST(ParseMentions, AcceptsMentionAtStartAndEnd) { EXPECT_EQ(parse_mentions("@bob hi @eve"), (Names{"bob", "eve"})); }

TEST(ParseMentions, StopsAtPunctuation) {
    EXPECT_EQ(parse_mentions("(@bob), @carol. @dave's @erin-smith"), (Names{"bob", "carol", "dave", "erin"}));
}

TEST(ParseMentions, RequiresThreeToThirtyCharacters) {
    EXPECT_EQ(parse_mentions("@ab @abc"), (Names{"abc"}));
    const std::string thirty(30, 'x');
    EXPECT_EQ(parse_mentions("@" + thirty), (Names{thirty}));
}

TEST(ParseMentions, IgnoresRunsLongerThanThirty) {
    EXPECT_TRUE(parse_mentions("@" + std::string(31, 'x')).empty());  // not cut down to 30
}

TEST(ParseMentions, IgnoresAtSignsInsideWords) {
    EXPECT_TRUE(parse_mentions("mail bob@example.com").empty());
    EXPECT_TRUE(parse_mentions("a_@bob 9@bob").empty());
}

TEST(ParseMentions, IgnoresDoubledAtSigns) {
    EXPECT_TRUE(parse_mentions("@@bob").empty());
    EXPECT_EQ(parse_mentions("@bob@carol"), (Names{"bob"}));  // "@carol" follows 'b'
}

TEST(ParseMentions, AcceptsNonAsciiCharacterBefore) {
    EXPECT_EQ(parse_mentions("caf\xC3\xA9@bob \xE3\x80\x80@eve"), (Names{"bob", "eve"}));
}

TEST(ParseMentions, StopsAtNonAsciiCharacterAfter) { EXPECT_EQ(parse_mentions("@bob\xC3\xA9"), (Names{"bob"})); }

TEST(ParseMentions, DeduplicatesCaseInsensitivelyKeepingFirstSpelling) {
    EXPECT_EQ(parse_mentions("@Bob @carol @bob @BOB @Carol"), (Names{"Bob", "carol"}));
}

TEST(ParseMentions, ReturnsNothingWithoutMentions) {
    EXPECT_TRUE(parse_mentions("").empty());
    EXPECT_TRUE(parse_mentions("@").empty());
    EXPECT_TRUE(parse_mentions("no mentions @ all").empty());
}

TEST(ParseMentions, SurvivesInvalidUtf8) { EXPECT_EQ(parse_mentions("\xFF@bob\xC0"), (Names{"bob"})); }

}  // namespace
}  // namespace microblog::posts
