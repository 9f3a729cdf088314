#include "hypha/transport/transport.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace hypha {
namespace {

// Outcome's result lives in an anonymous union (see detail::end_json_member):
// these check that copies, moves and assignments keep it and the error as
// plain members would.
Outcome failed() { return Outcome{nullptr, MethodNotFound("nope").info()}; }

TEST(OutcomeTest, StartsOkWithANullResult) {
  Outcome outcome;
  EXPECT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome.result.is_null());
}

TEST(OutcomeTest, CopyKeepsResultAndError) {
  const Outcome value{Json{{"id", 7}, {"text", "hello"}}, std::nullopt};
  Outcome copy = value;
  EXPECT_EQ(copy.result, value.result);
  EXPECT_TRUE(copy.ok());
  const Outcome error = failed();
  Outcome error_copy = error;
  ASSERT_FALSE(error_copy.ok());
  EXPECT_EQ(error_copy.error->exc_type, error.error->exc_type);
}

TEST(OutcomeTest, MoveTakesTheResult) {
  Outcome source{Json::array({1, 2, 3}), std::nullopt};
  Outcome moved = std::move(source);
  EXPECT_EQ(moved.result, Json::array({1, 2, 3}));
  EXPECT_EQ(std::move(moved).value(), Json::array({1, 2, 3}));
}

TEST(OutcomeTest, AssignmentReplacesResultAndError) {
  Outcome target{Json{{"kept", false}}, std::nullopt};
  target = failed();
  EXPECT_TRUE(target.result.is_null());
  EXPECT_FALSE(target.ok());
  const Outcome value{"text", std::nullopt};
  target = value;
  EXPECT_TRUE(target.ok());
  EXPECT_EQ(target.result, "text");
  const Outcome& same = target;
  target = same;  // self-assignment keeps the value
  EXPECT_EQ(target.result, "text");
}

TEST(OutcomeTest, ValueThrowsTheError) {
  EXPECT_THROW(failed().value(), MethodNotFound);
}

}  // namespace
}  // namespace hypha
