#include "common/domain/decimal.hpp"

#include <gtest/gtest.h>

namespace microblog {
namespace {

TEST(ParseDecimalU64, ReadsDigits) {
    EXPECT_EQ(parse_decimal_u64("0"), 0u);
    EXPECT_EQ(parse_decimal_u64("007"), 7u);
    EXPECT_EQ(parse_decimal_u64("7392018374019584"), 7392018374019584u);
}

TEST(ParseDecimalU64, AcceptsMaxAndRejectsOverflow) {
    EXPECT_EQ(parse_decimal_u64("18446744073709551615"), UINT64_MAX);
    EXPECT_EQ(parse_decimal_u64("18446744073709551616"), std::nullopt);
    EXPECT_EQ(parse_decimal_u64("99999999999999999999"), std::nullopt);
}

TEST(ParseDecimalU64, RejectsAnythingButDigits) {
    for (std::string_view bad : {"", " 5", "5 ", "+5", "-5", "1.5", "0x10", "1e3", "abc"}) {
        EXPECT_EQ(parse_decimal_u64(bad), std::nullopt) << '"' << bad << '"';
    }
}

}  // namespace
}  // namespace microblog
