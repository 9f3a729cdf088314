#include "common/domain/page_query.hpp"

#include <gtest/gtest.h>

namespace microblog {
namespace {

using std::nullopt;

void expect_rejected(const hypha::Result<PageQuery>& result, std::string_view field) {
    ASSERT_FALSE(result) << "expected an error naming " << field;
    EXPECT_EQ(result.error().code, hypha::ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().message.rfind(std::string(field) + ": ", 0), 0u) << result.error().message;
}

TEST(PageQuery, DefaultsToTenNewestItems) {
    const auto query = PageQuery::parse(nullopt, nullopt, nullopt);
    ASSERT_TRUE(query);
    EXPECT_EQ(query->size(), 10);
    EXPECT_EQ(query->before(), nullopt);
    EXPECT_EQ(query->page(), nullopt);
    EXPECT_EQ(query->offset(), 0);
    EXPECT_EQ(*query, PageQuery::first_page());
}

TEST(PageQuery, AcceptsSizeBounds) {
    EXPECT_EQ(PageQuery::parse("1", nullopt, nullopt)->size(), 1);
    EXPECT_EQ(PageQuery::parse("100", nullopt, nullopt)->size(), 100);
    EXPECT_EQ(PageQuery::parse("042", nullopt, nullopt)->size(), 42);
}

TEST(PageQuery, RejectsBadSizes) {
    for (std::string_view bad : {"abc", "0", "101", "", "1.5", " 5", "5 ", "+5", "-1", "1e2", "99999999999999999999"}) {
        SCOPED_TRACE(bad);
        expect_rejected(PageQuery::parse(bad, nullopt, nullopt), "size");
    }
}

TEST(PageQuery, ReadsBeforeCursor) {
    const auto query = PageQuery::parse("5", "7392018374019584", nullopt);
    ASSERT_TRUE(query);
    EXPECT_EQ(query->before(), 7392018374019584u);
    EXPECT_EQ(query->offset(), 0);
}

// Sort keys are SQLite integers: a cursor above INT64_MAX means the same as it
// (everything is below it), not a negative number.
TEST(PageQuery, ReadsCursorsBeyondTheLargestKeyAsTheLargestKey) {
    for (std::string_view huge : {"9223372036854775808", "18446744073709551615"}) {
        SCOPED_TRACE(huge);
        EXPECT_EQ(PageQuery::parse(nullopt, huge, nullopt)->before(), PageQuery::kMaxCursor);
    }
    EXPECT_EQ(PageQuery::parse(nullopt, "9223372036854775807", nullopt)->before(), 9223372036854775807u);
    EXPECT_EQ(PageQuery::clamp_cursor(UINT64_MAX), std::uint64_t{INT64_MAX});
}

TEST(PageQuery, RejectsBadBefore) {
    for (std::string_view bad : {"", "abc", "-1", "12 ", "18446744073709551616", "0x1F"}) {
        SCOPED_TRACE(bad);
        expect_rejected(PageQuery::parse(nullopt, bad, nullopt), "before");
    }
}

TEST(PageQuery, ComputesOffsetFromPage) {
    const auto query = PageQuery::parse("20", nullopt, "3");
    ASSERT_TRUE(query);
    EXPECT_EQ(query->page(), 3);
    EXPECT_EQ(query->offset(), 40);
}

TEST(PageQuery, OffsetOfHugePageDoesNotOverflow) {
    const auto query = PageQuery::parse("100", nullopt, "2147483647");
    ASSERT_TRUE(query);
    EXPECT_EQ(query->offset(), std::int64_t{2147483646} * 100);
}

// A page number past INT_MAX is a valid page past the end of any list.
TEST(PageQuery, PagesBeyondIntMaxAreTheLastPage) {
    for (std::string_view huge : {"2147483648", "18446744073709551616", "99999999999999999999999999"}) {
        SCOPED_TRACE(huge);
        const auto query = PageQuery::parse(nullopt, nullopt, huge);
        ASSERT_TRUE(query);
        EXPECT_EQ(query->page(), 2147483647);
    }
}

TEST(PageQuery, RejectsBadPages) {
    for (std::string_view bad : {"0", "000", "", "-1", "1.0", "x", "+2", "2 "}) {
        SCOPED_TRACE(bad);
        expect_rejected(PageQuery::parse(nullopt, nullopt, bad), "page");
    }
}

TEST(PageQuery, RejectsBeforeTogetherWithPage) { expect_rejected(PageQuery::parse(nullopt, "10", "2"), "page"); }

TEST(PageQuery, ReportsSizeFirstWhenSeveralAreBad) { expect_rejected(PageQuery::parse("0", "x", "0"), "size"); }

TEST(PageQuery, FirstPageClampsSize) {
    EXPECT_EQ(PageQuery::first_page(0).size(), 1);
    EXPECT_EQ(PageQuery::first_page(500).size(), 100);
}

}  // namespace
}  // namespace microblog
