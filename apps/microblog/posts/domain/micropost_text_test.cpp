#include "posts/domain/micropost_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace microblog::posts {
namespace {

std::string repeat(std::string_view unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += unit;
    return out;
}

void expect_rejected(std::string_view raw, std::string_view message) {
    const auto parsed = MicropostText::parse(raw);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code, hypha::ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().message, message);
}

constexpr std::string_view kEmoji = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes, one character

TEST(MicropostText, AcceptsOneCharacter) {
    const auto text = MicropostText::parse("a");
    ASSERT_TRUE(text);
    EXPECT_EQ(text->length(), 1u);
}

TEST(MicropostText, AcceptsExactly255AsciiCharacters) {
    const auto text = MicropostText::parse(std::string(255, 'a'));
    ASSERT_TRUE(text);
    EXPECT_EQ(text->length(), 255u);
}

TEST(MicropostText, Rejects256AsciiCharacters) {
    expect_rejected(std::string(256, 'a'), "text: must be at most 255 characters");
}

TEST(MicropostText, AcceptsExactly255EmojiCodePoints) {
    const auto text = MicropostText::parse(repeat(kEmoji, 255));  // 1020 bytes
    ASSERT_TRUE(text);
    EXPECT_EQ(text->length(), 255u);
    EXPECT_EQ(text->value().size(), 1020u);
}

TEST(MicropostText, Rejects256EmojiCodePoints) {
    expect_rejected(repeat(kEmoji, 256), "text: must be at most 255 characters");
}

TEST(MicropostText, RejectsEmpty) { expect_rejected("", "text: must not be empty"); }

TEST(MicropostText, RejectsWhitespaceOnly) {
    for (std::string_view blank : {" ", "   \t\n", "\xE3\x80\x80", "\xC2\xA0", "\xE2\x80\xA9\xE1\x9A\x80 \xC2\x85"}) {
        SCOPED_TRACE(blank);
        expect_rejected(blank, "text: must not be only whitespace");
    }
}

TEST(MicropostText, AcceptsInvisibleNonWhitespace) {
    EXPECT_TRUE(MicropostText::parse("\xE2\x80\x8B"));  // U+200B ZERO WIDTH SPACE has no White_Space property
}

TEST(MicropostText, KeepsSurroundingWhitespaceAsWritten) {
    const auto text = MicropostText::parse("  hi\xE3\x80\x80");
    ASSERT_TRUE(text);
    EXPECT_EQ(text->value(), "  hi\xE3\x80\x80");
    EXPECT_EQ(text->length(), 5u);
}

TEST(MicropostText, RejectsInvalidUtf8) {
    for (std::string_view bad : {"\xC0\xAF", "ok \xED\xA0\x80", "\xF4\x90\x80\x80", "cut \xE2\x82", "\xFF"}) {
        SCOPED_TRACE(bad);
        expect_rejected(bad, "text: must be valid UTF-8");
    }
}

TEST(MicropostText, RejectsNul) { expect_rejected(std::string_view("a\0b", 3), "text: must not contain U+0000"); }

TEST(MicropostText, ReportsLengthBeforeOtherProblems) {
    expect_rejected(std::string(300, ' '), "text: must be at most 255 characters");
}

}  // namespace
}  // namespace microblog::posts
