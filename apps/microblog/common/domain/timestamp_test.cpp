#include "common/domain/timestamp.hpp"

#include <gtest/gtest.h>

namespace microblog {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

TEST(FormatRfc3339Ms, FormatsTheEpoch) { EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z"); }

TEST(FormatRfc3339Ms, FormatsTheContractExample) {
    EXPECT_EQ(format_rfc3339_ms(1795603835123), "2026-11-25T10:50:35.123Z");
}

TEST(FormatRfc3339Ms, PadsMillisecondsAndFields) {
    EXPECT_EQ(format_rfc3339_ms(1), "1970-01-01T00:00:00.001Z");
    EXPECT_EQ(format_rfc3339_ms(3'723'045), "1970-01-01T01:02:03.045Z");
}

TEST(FormatRfc3339Ms, HandlesLeapDays) {
    EXPECT_EQ(format_rfc3339_ms(951782400000), "2000-02-29T00:00:00.000Z");  // divisible by 400: leap
    EXPECT_EQ(format_rfc3339_ms(951782400000 + kDayMs), "2000-03-01T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339_ms(1709164800000), "2024-02-29T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339_ms(4107542400000), "2100-03-01T00:00:00.000Z");  // 2100 is not leap
    EXPECT_EQ(format_rfc3339_ms(4107542400000 - 1), "2100-02-28T23:59:59.999Z");
}

TEST(FormatRfc3339Ms, HandlesYearAndDayBoundaries) {
    EXPECT_EQ(format_rfc3339_ms(1767225599999), "2025-12-31T23:59:59.999Z");
    EXPECT_EQ(format_rfc3339_ms(1767225600000), "2026-01-01T00:00:00.000Z");
}

TEST(FormatRfc3339Ms, FormatsTimesBeforeTheEpoch) {
    EXPECT_EQ(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
    EXPECT_EQ(format_rfc3339_ms(-kDayMs), "1969-12-31T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339_ms(-2208988800000), "1900-01-01T00:00:00.000Z");
}

TEST(FormatRfc3339Ms, ClampsToFourDigitYears) {
    EXPECT_EQ(format_rfc3339_ms(kMinRfc3339UnixMs), "0000-01-01T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339_ms(kMaxRfc3339UnixMs), "9999-12-31T23:59:59.999Z");
    EXPECT_EQ(format_rfc3339_ms(INT64_MIN), "0000-01-01T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339_ms(INT64_MAX), "9999-12-31T23:59:59.999Z");
}

TEST(ParseRfc3339Ms, ReadsWhatFormatWrites) {
    for (std::int64_t ms : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1795603835123}, std::int64_t{951782400000},
                            kMinRfc3339UnixMs, kMaxRfc3339UnixMs}) {
        EXPECT_EQ(parse_rfc3339_ms(format_rfc3339_ms(ms)), ms) << ms;
    }
}

TEST(ParseRfc3339Ms, WalksEveryDayOfFourHundredYearsConsistently) {
    // One full Gregorian cycle starting 2000-01-01: catches any off-by-one in the calendar math.
    for (std::int64_t day = 10957; day < 10957 + 146097; day += 1) {
        const std::int64_t ms = day * kDayMs + 43'200'007;
        ASSERT_EQ(parse_rfc3339_ms(format_rfc3339_ms(ms)), ms) << format_rfc3339_ms(ms);
    }
}

TEST(ParseRfc3339Ms, AcceptsOffsetsLowerCaseAndFractionLengths) {
    EXPECT_EQ(parse_rfc3339_ms("2026-11-25T11:50:35.123+01:00"), 1795603835123);
    EXPECT_EQ(parse_rfc3339_ms("2026-11-25T05:20:35.123-05:30"), 1795603835123);
    EXPECT_EQ(parse_rfc3339_ms("2026-11-25t10:50:35.123z"), 1795603835123);
    EXPECT_EQ(parse_rfc3339_ms("2026-11-25T10:50:35Z"), 1795603835000);
    EXPECT_EQ(parse_rfc3339_ms("2026-11-25T10:50:35.1Z"), 1795603835100);
    EXPECT_EQ(parse_rfc3339_ms("2026-11-25T10:50:35.123999999Z"), 1795603835123);  // truncated, not rounded
}

TEST(ParseRfc3339Ms, RejectsMalformedOrImpossibleDates) {
    for (std::string_view bad :
         {"", "2026-11-25", "2026-11-25T10:50:35.123", "2026-11-25 10:50:35Z", "2026-11-25T10:50:35.Z",
          "2026-11-25T10:50:35.1234567890Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2025-02-29T00:00:00Z",
          "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z",
          "2026-11-25T10:50:60Z", "2026-11-25T10:50:35+24:00", "2026-11-25T10:50:35+0100",
          "2026-11-25T10:50:35.123Zjunk", "+2026-11-25T10:50:35Z", "26-11-25T10:50:35Z"}) {
        const auto parsed = parse_rfc3339_ms(bad);
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(parsed.error().code, hypha::ErrorCode::kInvalidArgument);
        EXPECT_EQ(parsed.error().message.rfind("timestamp: ", 0), 0u) << parsed.error().message;
    }
}

TEST(ParseRfc3339Ms, AcceptsLeapDayInLeapYears) {
    EXPECT_EQ(parse_rfc3339_ms("2000-02-29T00:00:00.000Z"), 951782400000);
    EXPECT_EQ(parse_rfc3339_ms("2024-02-29T00:00:00.000Z"), 1709164800000);
}

}  // namespace
}  // namespace microblog
