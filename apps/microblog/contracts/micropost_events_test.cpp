#include "contracts/micropost_events.hpp"

#include <gtest/gtest.h>

namespace microblog::contracts {
namespace {

using nlohmann::json;

constexpr std::uint64_t kId = 7392018374019584;
constexpr std::int64_t kAt = 1'795'603'835'123;

TEST(MicropostCreated, WritesTheContractShape) {
    const json j = MicropostCreated{kId, "alice", "hi @bob", {"bob"}, kAt, 1};
    EXPECT_EQ(j, json::parse(R"({"id": "7392018374019584", "author": "alice", "text": "hi @bob",
                                  "referenced": ["bob"], "created_ms": 1795603835123, "version": 1})"));
}

TEST(MicropostCreated, RoundTrips) {
    const MicropostCreated event{UINT64_MAX, "alice", "caf\xC3\xA9 \xF0\x9F\x98\x80", {}, kAt, 1};
    EXPECT_EQ(json(event).get<MicropostCreated>(), event);
    EXPECT_EQ(json::parse(json(event).dump()).get<MicropostCreated>(), event);
}

TEST(MicropostEdited, WritesTheContractShapeAndRoundTrips) {
    const MicropostEdited event{kId, "alice", "bye", {"bob", "carol"}, kAt, kAt + 5, 3};
    const json j = event;
    EXPECT_EQ(j, json::parse(R"({"id": "7392018374019584", "author": "alice", "text": "bye",
                                  "referenced": ["bob", "carol"], "created_ms": 1795603835123,
                                  "edited_ms": 1795603835128, "version": 3})"));
    EXPECT_EQ(j.get<MicropostEdited>(), event);
}

TEST(MicropostDeleted, WritesTheContractShapeAndRoundTrips) {
    const MicropostDeleted event{kId, "alice", kAt};
    const json j = event;
    EXPECT_EQ(j, json::parse(R"({"id": "7392018374019584", "author": "alice", "deleted_ms": 1795603835123})"));
    EXPECT_EQ(j.get<MicropostDeleted>(), event);
}

TEST(MicropostEvents, IgnoreUnknownKeys) {
    const json j = json::parse(R"({"id": "1", "author": "a", "deleted_ms": 2, "reason": "spam"})");
    EXPECT_EQ(j.get<MicropostDeleted>(), (MicropostDeleted{1, "a", 2}));
}

TEST(MicropostEvents, RejectMalformedPayloads) {
    const json good = MicropostCreated{kId, "alice", "hi", {}, kAt, 1};
    for (const char* key : {"id", "author", "text", "referenced", "created_ms", "version"}) {
        json missing = good;
        missing.erase(key);
        EXPECT_FALSE(decode_payload<MicropostCreated>(missing)) << key;
    }
    json numeric_id = good;
    numeric_id["id"] = kId;  // a number would lose precision in JavaScript: refused
    EXPECT_FALSE(decode_payload<MicropostCreated>(numeric_id));
    json bad_referenced = good;
    bad_referenced["referenced"] = json::array({"bob", 7});
    EXPECT_FALSE(decode_payload<MicropostCreated>(bad_referenced));
    json fractional_version = good;
    fractional_version["version"] = 1.5;
    EXPECT_FALSE(decode_payload<MicropostCreated>(fractional_version));
}

TEST(MicropostEvents, HaveSnakeCaseEventTypes) {
    EXPECT_EQ(kPostsService, "posts");
    EXPECT_EQ(MicropostCreated::kEventType, "micropost_created");
    EXPECT_EQ(MicropostEdited::kEventType, "micropost_edited");
    EXPECT_EQ(MicropostDeleted::kEventType, "micropost_deleted");
}

}  // namespace
}  // namespace microblog::contracts
