#include "contracts/identity_events.hpp"

#include <gtest/gtest.h>

namespace microblog::contracts {
namespace {

using nlohmann::json;

TEST(UserRegistered, WritesTheContractShapeAndRoundTrips) {
    const UserRegistered event{"Alice", 1795603835123};
    const json j = event;
    EXPECT_EQ(j, json::parse(R"({"username": "Alice", "created_ms": 1795603835123})"));
    EXPECT_EQ(j.get<UserRegistered>(), event);
    EXPECT_EQ(UserRegistered::kEventType, "user_registered");
    EXPECT_EQ(kIdentityService, "identity");
}

TEST(UserRegistered, RejectsMalformedPayloads) {
    EXPECT_FALSE(decode_payload<UserRegistered>(json::parse(R"({"username": "Alice"})")));
    EXPECT_FALSE(decode_payload<UserRegistered>(json::parse(R"({"username": null, "created_ms": 1})")));
    EXPECT_FALSE(decode_payload<UserRegistered>(json::parse(R"("Alice")")));
}

}  // namespace
}  // namespace microblog::contracts
