// The request stamp rule (request_stamp.hpp), without a broker: a caller may
// give up on a waiting request only when a consumer that starts would refuse it.
#include "request_stamp.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "hypha/core/context_data.hpp"

namespace hypha::amqp {
namespace {

using std::chrono::milliseconds;

const std::regex kUuid4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
const WallClock::time_point kPublished = WallClock::time_point(milliseconds(1'796'000'000'123));

TEST(AmqpRequestStamp, IsAVersion4UuidCarryingThePublishTime) {
  const std::string id = stamped_correlation_id(kPublished);
  EXPECT_TRUE(std::regex_match(id, kUuid4)) << id;
  ASSERT_TRUE(stamp_of(id));
  EXPECT_EQ(*stamp_of(id), kPublished);
  const auto now = WallClock::now();
  const auto stamp = stamp_of(stamped_correlation_id(now));
  ASSERT_TRUE(stamp);
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(now - *stamp).count(), 0);
}

TEST(AmqpRequestStamp, IdsOfTheSameMillisecondDiffer) {
  EXPECT_NE(stamped_correlation_id(kPublished), stamped_correlation_id(kPublished));
}

TEST(AmqpRequestStamp, RandomIdsCarryNoStamp) {
  // Nameko's correlation ids are random uuid4s: 1 in 65,536 matches the mark.
  int stamped = 0;
  for (int i = 0; i < 1000; ++i) stamped += stamp_of(new_uuid4()).has_value() ? 1 : 0;
  EXPECT_LE(stamped, 1);
  for (const char* other : {"", "not-a-uuid", "00000000-0000-4a7c-8e00-000000000000x"}) {
    EXPECT_FALSE(stamp_of(other)) << other;
  }
}

TEST(AmqpRequestStamp, ACallerGivesUpOnlyOnceTheRequestCanNoLongerStart) {
  const std::string id = stamped_correlation_id(kPublished);
  EXPECT_FALSE(may_give_up(id, kPublished));
  EXPECT_FALSE(may_give_up(id, kPublished + kStartWithin - milliseconds(1)));
  EXPECT_TRUE(may_give_up(id, kPublished + kStartWithin));
  EXPECT_TRUE(may_give_up(new_uuid4(), kPublished));  // not stamped: nothing to wait for
}

TEST(AmqpRequestStamp, AConsumerThatStartedAfterTheCallerMayHaveGivenUpRefusesTheRequest) {
  const std::string id = stamped_correlation_id(kPublished);
  EXPECT_FALSE(too_late_to_start(id, kPublished - std::chrono::hours(1)));  // a consumer running before: a backlog
  EXPECT_FALSE(too_late_to_start(id, kPublished + milliseconds(500)));       // a quick restart serves it
  EXPECT_FALSE(too_late_to_start(id, kPublished + kStartWithin));
  EXPECT_TRUE(too_late_to_start(id, kPublished + kStartWithin + milliseconds(1)));
  EXPECT_TRUE(too_late_to_start(id, kPublished + std::chrono::hours(24)));
  // Every time a caller may give up, a consumer starting later refuses.
  for (auto after : {kStartWithin, kStartWithin + milliseconds(1), milliseconds(60'000)}) {
    ASSERT_TRUE(may_give_up(id, kPublished + after));
    EXPECT_TRUE(too_late_to_start(id, kPublished + after + milliseconds(1)));
  }
  EXPECT_FALSE(too_late_to_start(new_uuid4(), kPublished + std::chrono::hours(1)));  // Nameko's: never refused
}

}  // namespace
}  // namespace hypha::amqp
