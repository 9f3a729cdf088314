#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "hypha/transport/transport.hpp"

namespace hypha {
namespace {

using std::chrono::milliseconds;

// Waits in these tests are bounded: a wake-up that got lost fails the test.
constexpr milliseconds kNoLongerThan{10000};

Outcome answer(int value) { return Outcome{value, std::nullopt}; }

TEST(RpcReplyTest, AFutureGetsTheOutcomeSetBeforeItWaits) {
  RpcReply reply;
  RpcFuture future(reply);
  reply.set(answer(42));
  EXPECT_TRUE(future.wait_for(milliseconds(0)));
  EXPECT_EQ(future.get(), 42);
  EXPECT_EQ(future.get(), 42);  // again
}

TEST(RpcReplyTest, OnlyTheFirstSetCounts) {
  RpcReply reply;
  RpcFuture future(reply);
  reply.set(answer(1));
  reply.set(answer(2));
  EXPECT_EQ(future.get(), 1);
}

TEST(RpcReplyTest, AnErrorIsRaisedByGetAndKeptAsDataByOutcome) {
  RpcReply reply;
  RpcFuture future(reply);
  reply.set(Outcome{nullptr, MethodNotFound("greet").info()});
  EXPECT_THROW(future.get(), MethodNotFound);
  Outcome outcome = future.outcome();
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->exc_type, "MethodNotFound");
}

TEST(RpcReplyTest, WaitForReportsAReplyNotYetThere) {
  RpcReply reply;
  RpcFuture future(reply);
  EXPECT_FALSE(future.wait_for(milliseconds(5)));
  EXPECT_THROW(future.get(milliseconds(5)), RpcTimeout);
}

// A waiter sleeps at once, or after spinning for some microseconds when the
// reply is expected soon: a reply set long after it began waiting wakes it.
TEST(RpcReplyTest, ASleepingWaiterIsWokenBySet) {
  for (auto expected : {RpcReply::Expected::kLater, RpcReply::Expected::kSoon}) {
    RpcReply reply(expected);
    RpcFuture future(reply);
    std::optional<Json> got;
    std::thread waiter([&] { got = future.get(kNoLongerThan); });  // a lost wake-up fails, not hangs
    EXPECT_FALSE(future.wait_for(milliseconds(50)));  // by now the waiter sleeps
    reply.set(answer(7));
    waiter.join();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, 7);
  }
}

TEST(RpcReplyTest, AWaiterThatSpinsGetsAReplySetMeanwhile) {
  RpcReply reply(RpcReply::Expected::kSoon);
  RpcFuture future(reply);
  std::thread setter([&] { reply.set(answer(8)); });
  EXPECT_EQ(future.get(kNoLongerThan), 8);
  setter.join();
}

TEST(RpcReplyTest, ManyWaitersAreAllWoken) {
  RpcReply reply;
  RpcFuture future(reply);
  std::vector<std::thread> waiters;
  std::atomic<int> woken{0};
  for (int i = 0; i < 4; ++i) {
    waiters.emplace_back([&] {
      if (future.get(kNoLongerThan) == 3) woken.fetch_add(1);
    });
  }
  reply.set(answer(3));
  for (auto& t : waiters) t.join();
  EXPECT_EQ(woken.load(), 4);
}

// Set and wait race, many times over: whichever comes first, spinning or
// asleep, the waiter gets the value.
TEST(RpcReplyTest, SetRacingAWaiterAlwaysReachesIt) {
  for (auto expected : {RpcReply::Expected::kLater, RpcReply::Expected::kSoon}) {
    for (int round = 0; round < 2000; ++round) {
      RpcReply reply(expected);
      RpcFuture future(reply);
      std::thread setter([&reply, round] { reply.set(answer(round)); });
      ASSERT_EQ(future.get(kNoLongerThan), round);
      setter.join();
    }
  }
}

TEST(RpcReplyTest, ACallWhoseRepliesAllGoUnsetFailsAsUnavailable) {
  std::optional<RpcFuture> future;
  {
    RpcReply reply;
    future.emplace(reply);
    RpcReply copy = reply;  // copies share the reply: the last one to go abandons it
  }
  Outcome outcome = future->outcome();
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->exc_type, "ReplyAbandoned");
  EXPECT_TRUE(is_unavailable(*outcome.error));
}

TEST(RpcReplyTest, ACopyGoingAwayAbandonsNothingWhileAnotherRemains) {
  RpcReply reply;
  RpcFuture future(reply);
  { RpcReply copy = reply; }
  EXPECT_FALSE(future.wait_for(milliseconds(0)));
  reply.set(answer(5));
  EXPECT_EQ(future.get(), 5);
}

TEST(RpcReplyTest, AssigningOverTheLastCopyAbandonsItsReply) {
  RpcReply first;
  RpcFuture future(first);
  first = RpcReply();
  Outcome outcome = future.outcome();
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->exc_type, "ReplyAbandoned");
}

TEST(RpcReplyTest, MisuseIsALogicError) {
  EXPECT_THROW(RpcFuture().get(), std::logic_error);
  EXPECT_THROW(RpcFuture().wait_for(milliseconds(0)), std::logic_error);
  RpcReply reply;
  RpcReply taken = std::move(reply);
  EXPECT_THROW(reply.set(answer(1)), std::logic_error);  // NOLINT(bugprone-use-after-move): the point
  EXPECT_FALSE(RpcFuture(reply).valid());
  taken.set(answer(2));
}

TEST(RpcReplyTest, AMovedReplyStillSetsItsFuture) {
  RpcReply reply;
  RpcFuture future(reply);
  RpcReply moved = std::move(reply);
  moved.set(answer(9));
  EXPECT_EQ(future.get(), 9);
}

TEST(RpcReplyTest, ADeadlineEndsTheWaitWithRpcTimeoutNamingTheCall) {
  RpcReply reply;
  RpcFuture future(reply, milliseconds(5), "greeter.hello");
  try {
    future.get();
    FAIL() << "expected RpcTimeout";
  } catch (const RpcTimeout& e) {
    EXPECT_NE(std::string(e.what()).find("greeter.hello"), std::string::npos);
  }
  EXPECT_TRUE(future.wait_for(milliseconds(0)));  // the deadline has passed: the wait is over
}

TEST(RpcReplyTest, ReadyIsAlreadySet) {
  RpcFuture future = RpcFuture::ready(answer(11));
  EXPECT_TRUE(future.valid());
  EXPECT_EQ(future.get(), 11);
  EXPECT_FALSE(RpcFuture().valid());
}

}  // namespace
}  // namespace hypha
