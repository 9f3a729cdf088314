#include "common/domain/utf8.hpp"

#include <gtest/gtest.h>

namespace microblog {
namespace {

TEST(IsValidUtf8, AcceptsEveryEncodingLength) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii"));
    EXPECT_TRUE(is_valid_utf8("\xC3\xA9"));          // U+00E9 é
    EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));      // U+20AC €
    EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));  // U+1F600 😀
}

TEST(IsValidUtf8, AcceptsBoundaryScalarValues) {
    EXPECT_TRUE(is_valid_utf8("\x7F"));              // U+007F
    EXPECT_TRUE(is_valid_utf8("\xC2\x80"));          // U+0080, smallest 2-byte
    EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
    EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below surrogates
    EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));      // U+E000, just above surrogates
    EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));  // U+10000, smallest 4-byte
    EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
}

TEST(IsValidUtf8, RejectsOverlongEncodings) {
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));  // '/' in two bytes
    EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));
    EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // '/' in three bytes
    EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));      // U+07FF in three bytes
    EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // '/' in four bytes
    EXPECT_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in four bytes
}

TEST(IsValidUtf8, RejectsSurrogates) {
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));              // U+D800
    EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));              // U+DFFF
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\xBD\xED\xB8\x80"));  // CESU-8 pair for U+1F600
}

TEST(IsValidUtf8, RejectsCodePointsAbove10FFFF) {
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
    EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
    EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // old 5-byte form
    EXPECT_FALSE(is_valid_utf8("\xFF"));
    EXPECT_FALSE(is_valid_utf8("\xFE"));
}

TEST(IsValidUtf8, RejectsTruncatedSequences) {
    EXPECT_FALSE(is_valid_utf8("\xC3"));
    EXPECT_FALSE(is_valid_utf8("\xE2\x82"));
    EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x98"));
    EXPECT_FALSE(is_valid_utf8("ok\xF0\x9F"));
    EXPECT_FALSE(is_valid_utf8("\xE2\x82 x"));  // continuation replaced by a space
}

TEST(IsValidUtf8, RejectsStrayContinuationBytes) {
    EXPECT_FALSE(is_valid_utf8("\x80"));
    EXPECT_FALSE(is_valid_utf8("a\xBF"));
    EXPECT_FALSE(is_valid_utf8("\xC3\xA9\xA9"));  // one continuation too many
}

TEST(IsValidUtf8, AcceptsEmbeddedNulAsAscii) {
    EXPECT_TRUE(is_valid_utf8(std::string_view("a\0b", 3)));  // NUL is valid UTF-8; policies decide
}

TEST(CountCodePoints, CountsCodePointsNotBytes) {
    EXPECT_EQ(count_code_points(""), 0u);
    EXPECT_EQ(count_code_points("abc"), 3u);
    EXPECT_EQ(count_code_points("h\xC3\xA9llo"), 5u);
    EXPECT_EQ(count_code_points("\xF0\x9F\x98\x80\xF0\x9F\x98\x80"), 2u);
    EXPECT_EQ(count_code_points("ab\xC0\xAF"), std::nullopt);
}

TEST(DecodeUtf8, ReturnsScalarValues) {
    EXPECT_EQ(decode_utf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"), std::u32string(U"a\u00E9\u20AC\U0001F600"));
    EXPECT_EQ(decode_utf8("\xED\xA0\x80"), std::nullopt);
}

TEST(DecodeUtf8At, ReportsValueAndLength) {
    const std::string_view text = "x\xE2\x82\xAC";
    const auto euro = decode_utf8_at(text, 1);
    ASSERT_TRUE(euro);
    EXPECT_EQ(euro->value, U'\u20AC');
    EXPECT_EQ(euro->length, 3u);
    EXPECT_FALSE(decode_utf8_at(text, 2));  // middle of the sequence
    EXPECT_FALSE(decode_utf8_at(text, 4));  // past the end
}

TEST(EncodeUtf8, RoundTripsAndReplacesNonScalars) {
    const std::u32string original = U"a\u00E9\u20AC\U0001F600\U0010FFFF";
    EXPECT_EQ(decode_utf8(encode_utf8(original)), original);
    EXPECT_EQ(encode_utf8(std::u32string{0xD800}), "\xEF\xBF\xBD");
    EXPECT_EQ(encode_utf8(std::u32string{0x110000}), "\xEF\xBF\xBD");
}

}  // namespace
}  // namespace microblog
