#include "common/domain/white_space.hpp"

#include <gtest/gtest.h>

#include "common/domain/utf8.hpp"

namespace microblog {
namespace {

TEST(IsWhiteSpace, KnowsAllTwentyFiveCodePoints) {
    const std::u32string spaces =
        U"\t\n\v\f\r \u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
        U"\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000";
    ASSERT_EQ(spaces.size(), 25u);
    for (char32_t cp : spaces) EXPECT_TRUE(is_white_space(cp)) << static_cast<std::uint32_t>(cp);
}

TEST(IsWhiteSpace, RejectsLookAlikesWithoutTheProperty) {
    // Zero width space, word joiner, BOM and Mongolian vowel separator are not White_Space.
    for (char32_t cp : {U'\u200B', U'\u2060', U'\uFEFF', U'\u180E', U'x', char32_t{0}, U'\u001F', U'\u200C'}) {
        EXPECT_FALSE(is_white_space(cp)) << static_cast<std::uint32_t>(cp);
    }
}

TEST(TrimWhiteSpace, TrimsUnicodeSpacesOnBothEnds) {
    EXPECT_EQ(trim_white_space("  hi  "), "hi");
    EXPECT_EQ(trim_white_space("\xE3\x80\x80hi there\xC2\xA0\n"), "hi there");  // U+3000 ... U+00A0
    EXPECT_EQ(trim_white_space("\xE2\x80\xA8\xE2\x80\xAFx"), "x");              // U+2028 U+202F
}

TEST(TrimWhiteSpace, ReturnsEmptyForOnlySpaces) {
    EXPECT_EQ(trim_white_space(""), "");
    EXPECT_EQ(trim_white_space(" \t\xE3\x80\x80"), "");
}

TEST(TrimWhiteSpace, KeepsInvalidBytesAsContent) {
    EXPECT_EQ(trim_white_space(" \xC0\xAF "), "\xC0\xAF");
    EXPECT_FALSE(is_valid_utf8(trim_white_space(" \xFF ")));
}

}  // namespace
}  // namespace microblog
