#include "common/domain/ascii.hpp"

#include <gtest/gtest.h>

namespace microblog {
namespace {

TEST(IsNameChar, AcceptsLettersDigitsAndUnderscoreOnly) {
    for (char c : std::string_view("azAZ09_")) EXPECT_TRUE(is_name_char(c)) << c;
    for (char c : std::string_view("-. @/[`{:")) EXPECT_FALSE(is_name_char(c)) << c;
    EXPECT_FALSE(is_name_char('\xC3'));  // first byte of 'é'
}

TEST(IsAsciiAlnum, RejectsUnderscore) {
    EXPECT_TRUE(is_ascii_alnum('q'));
    EXPECT_FALSE(is_ascii_alnum('_'));
}

TEST(ToAsciiLower, LowersOnlyAsciiLetters) {
    EXPECT_EQ(to_ascii_lower("Alice_01Z"), "alice_01z");
    EXPECT_EQ(to_ascii_lower("\xC3\x89T\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // "ÉTé": É untouched
}

TEST(EqualsIgnoringAsciiCase, ComparesFoldedAndChecksLength) {
    EXPECT_TRUE(equals_ignoring_ascii_case("Bob_1", "bOB_1"));
    EXPECT_FALSE(equals_ignoring_ascii_case("bob", "bobby"));
    EXPECT_FALSE(equals_ignoring_ascii_case("bob", "bop"));
    EXPECT_TRUE(equals_ignoring_ascii_case("", ""));
}

}  // namespace
}  // namespace microblog
