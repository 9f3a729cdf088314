#include "hypha/core/invocation.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace hypha {
namespace {

// args and kwargs live in anonymous unions (detail::JsonArguments): these
// check that copies, moves and assignments keep them as plain members would.
Invocation sample() {
  Invocation inv;
  inv.args = Json::array({1, "two", Json{{"three", 3}}});
  inv.kwargs = Json{{"name", "alice"}};
  return inv;
}

TEST(InvocationTest, StartsWithNullArgsAndKwargs) {
  Invocation inv;
  EXPECT_TRUE(inv.args.is_null());
  EXPECT_TRUE(inv.kwargs.is_null());
  EXPECT_EQ(inv.typed_args, nullptr);
}

TEST(InvocationTest, CopyKeepsArgsAndKwargsAndLeavesTheSource) {
  const Invocation original = sample();
  Invocation copy = original;
  EXPECT_EQ(copy.args, original.args);
  EXPECT_EQ(copy.kwargs, original.kwargs);
  EXPECT_EQ(original.kwargs["name"], "alice");
}

TEST(InvocationTest, MoveTakesArgsAndKwargs) {
  Invocation source = sample();
  Invocation moved = std::move(source);
  EXPECT_EQ(moved.args.size(), 3U);
  EXPECT_EQ(moved.kwargs["name"], "alice");
  EXPECT_TRUE(source.args.is_null());  // NOLINT(bugprone-use-after-move): nlohmann leaves null
}

TEST(InvocationTest, AssignmentReplacesValuesHeldBefore) {
  Invocation target = sample();
  Invocation other;
  other.args = Json::array({"only"});
  target = other;
  EXPECT_EQ(target.args, Json::array({"only"}));
  EXPECT_TRUE(target.kwargs.is_null());
  target = sample();
  EXPECT_EQ(target.kwargs["name"], "alice");
  const Invocation& same = target;
  target = same;  // self-assignment keeps the values
  EXPECT_EQ(target.args.size(), 3U);
}

TEST(InvocationTest, FromPayloadReadsArgsAndKwargs) {
  Invocation inv = Invocation::from_payload(Json{{"args", {1}}, {"kwargs", {{"x", 2}}}});
  EXPECT_EQ(inv.args, Json::array({1}));
  EXPECT_EQ(inv.kwargs["x"], 2);
}

}  // namespace
}  // namespace hypha
