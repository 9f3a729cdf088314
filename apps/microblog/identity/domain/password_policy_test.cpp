#include "identity/domain/password_policy.hpp"

#include <gtest/gtest.h>

#include <string>

namespace microblog::identity {
namespace {

std::string repeat(std::string_view unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += unit;
    return out;
}

void expect_rejected(std::string_view password, std::string_view reason) {
    const auto checked = check_password(password);
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code, hypha::ErrorCode::kInvalidArgument);
    EXPECT_EQ(checked.error().message.rfind("password: ", 0), 0u) << checked.error().message;
    EXPECT_NE(checked.error().message.find(reason), std::string::npos) << checked.error().message;
}

TEST(CheckPassword, AcceptsEightToOneHundredTwentyEightCodePoints) {
    EXPECT_TRUE(check_password("12345678"));
    EXPECT_TRUE(check_password(std::string(128, 'x')));
}

TEST(CheckPassword, RejectsSevenAndOneHundredTwentyNine) {
    expect_rejected("1234567", "at least 8");
    expect_rejected(std::string(129, 'x'), "at most 128");
}

TEST(CheckPassword, CountsCodePointsNotBytes) {
    EXPECT_TRUE(check_password(repeat("\xC3\xA4", 8)));            // 8 x 'ä' = 16 bytes
    EXPECT_TRUE(check_password(repeat("\xF0\x9F\x94\x91", 128)));  // 128 x '🔑' = 512 bytes
    expect_rejected(repeat("\xF0\x9F\x94\x91", 129), "at most 128");
    expect_rejected(repeat("\xC3\xA4", 7), "at least 8");  // 14 bytes, still too short
}

TEST(CheckPassword, RejectsInvalidUtf8) {
    expect_rejected("goodpass\xC0\xAF", "UTF-8");
    expect_rejected("goodpass\xED\xA0\x80", "UTF-8");
    expect_rejected("goodpass\xF0\x9F", "UTF-8");
}

TEST(CheckPassword, NeverEchoesThePassword) {
    for (std::string_view secret : {"hunter2",
                                    "hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2"
                                    "hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2",
                                    "hunter2\xFF"}) {
        const auto checked = check_password(secret);
        ASSERT_FALSE(checked);
        EXPECT_EQ(checked.error().message.find("hunter2"), std::string::npos) << checked.error().message;
    }
}

}  // namespace
}  // namespace microblog::identity
