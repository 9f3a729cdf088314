// FunctionRef: calls the callable it refers to, with its arguments and
// result, and refers to it rather than copying it.
#include "hypha/core/function_ref.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

int apply(hypha::FunctionRef<int(int, const std::string&)> f) { return f(2, "abc"); }

TEST(FunctionRef, PassesArgumentsAndReturnsTheResult) {
  EXPECT_EQ(apply([](int n, const std::string& s) { return n * static_cast<int>(s.size()); }), 6);
}

TEST(FunctionRef, RefersToTheCallableWithoutCopyingIt) {
  struct Counter {
    int calls = 0;
    void operator()() { ++calls; }
  } counter;
  hypha::FunctionRef<void()> ref(counter);
  ref();
  ref();
  EXPECT_EQ(counter.calls, 2);  // a copy would have counted its own calls
}

TEST(FunctionRef, TakesMoveOnlyArguments) {
  auto take = [](std::unique_ptr<int> p) { return *p + 1; };
  hypha::FunctionRef<int(std::unique_ptr<int>)> ref(take);
  EXPECT_EQ(ref(std::make_unique<int>(41)), 42);
}

}  // namespace
