#include "identity/domain/user.hpp"

#include <gtest/gtest.h>

namespace microblog::identity {
namespace {

TEST(User, IsIdentifiedByUsernameKey) {
    const User typed{*Username::parse("Alice"), 1000};
    const User lower{*Username::parse("alice"), 2000};
    const User other{*Username::parse("alicia"), 1000};
    EXPECT_EQ(typed, lower);
    EXPECT_NE(typed, other);
    EXPECT_EQ(typed.username.value(), "Alice");
}

}  // namespace
}  // namespace microblog::identity
