// CallIdStack: a worker's stack reads its caller's ids without copying them,
// keeps at most parent_calls_tracked + 1 ids, and copies own every id.
#include "hypha/core/call_id_stack.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace {

using hypha::CallIdStack;
using Ids = std::vector<std::string>;

TEST(CallIdStack, ABorrowingStackReadsItsParentsIdsThenItsOwn) {
  CallIdStack parent{"a.x.1", "b.y.2"};
  CallIdStack child;
  child.borrow(parent);
  child.push("c.z.3", 10);
  EXPECT_EQ(child.size(), 3U);
  EXPECT_EQ(child.to_vector(), (Ids{"a.x.1", "b.y.2", "c.z.3"}));
  EXPECT_EQ(child[1], "b.y.2");
  EXPECT_EQ(child.back(), "c.z.3");
  EXPECT_EQ(parent.to_vector(), (Ids{"a.x.1", "b.y.2"})) << "the parent is not changed";
}

TEST(CallIdStack, PushDropsTheOldestIdsBorrowedOrOwn) {
  CallIdStack parent{"a.1", "b.2", "c.3"};
  CallIdStack child;
  child.borrow(parent);
  child.push("d.4", 2);
  EXPECT_EQ(child.to_vector(), (Ids{"c.3", "d.4"}));
  child.push("e.5", 2);
  child.push("f.6", 2);
  EXPECT_EQ(child.to_vector(), (Ids{"e.5", "f.6"}));
  child.push("g.7", 0);  // at least the worker's own id
  EXPECT_EQ(child.to_vector(), (Ids{"g.7"}));
}

TEST(CallIdStack, ChainsOfBorrowersReadThroughEveryLevel) {
  CallIdStack root{"r.0"};
  CallIdStack a;
  a.borrow(root);
  a.push("a.1", 3);
  CallIdStack b;
  b.borrow(a);
  b.push("b.2", 3);
  CallIdStack c;
  c.borrow(b);
  c.push("c.3", 3);
  EXPECT_EQ(c.to_vector(), (Ids{"a.1", "b.2", "c.3"}));
}

TEST(CallIdStack, CopiesAndMovesOwnTheirIds) {
  CallIdStack copy;
  CallIdStack moved;
  std::optional<CallIdStack> constructed_from_child;
  {
    CallIdStack parent{"p.1"};
    CallIdStack child;
    child.borrow(parent);
    child.push("c.2", 10);
    constructed_from_child.emplace(child);  // a new stack: copied straight in
    copy = child;
    moved = std::move(child);
    CallIdStack constructed(copy);
    EXPECT_EQ(constructed, copy);
  }  // the parent is gone: the copies must not read it
  EXPECT_EQ(copy.to_vector(), (Ids{"p.1", "c.2"}));
  EXPECT_EQ(moved.to_vector(), (Ids{"p.1", "c.2"}));
  EXPECT_EQ(constructed_from_child->to_vector(), (Ids{"p.1", "c.2"}));
}

TEST(CallIdStack, AParentMayBeAssignedItsBorrowingChild) {
  CallIdStack parent{"p.1", "p.2"};
  CallIdStack child;
  child.borrow(parent);
  child.push("c.3", 10);
  parent = child;  // reads through to parent while replacing it
  EXPECT_EQ(parent.to_vector(), (Ids{"p.1", "p.2", "c.3"}));
}

TEST(CallIdStack, IsAJsonArrayAndComparesById) {
  CallIdStack parent{"p.1"};
  CallIdStack child;
  child.borrow(parent);
  child.push_back("c.2");
  EXPECT_EQ(hypha::Json(child), hypha::Json::array({"p.1", "c.2"}));
  EXPECT_EQ(child, (CallIdStack{"p.1", "c.2"}));
  EXPECT_FALSE(child == (CallIdStack{"p.1", "c.3"}));
  child.clear();
  EXPECT_TRUE(child.empty());
  EXPECT_EQ(hypha::Json(child), hypha::Json::array());
}

// A worker's own id (push_new) is drawn at its first read, and is the same
// at every read, in copies, moves and borrowing children.
TEST(CallIdStack, ANewIdIsDrawnOnceAndReadTheSameEverywhere) {
  CallIdStack parent{"p.1"};
  CallIdStack worker;
  worker.borrow(parent);
  worker.push_new("svc", "method", 10);
  EXPECT_EQ(worker.size(), 2U);
  const std::string id = worker.back();
  EXPECT_TRUE(std::regex_match(id, std::regex("svc\\.method\\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << id;
  EXPECT_EQ(worker.back(), id);
  EXPECT_EQ(worker[1], id);

  CallIdStack child;  // a nested call's worker
  child.borrow(worker);
  child.push_new("other", "m", 10);
  EXPECT_EQ(child[1], id);
  EXPECT_NE(child.back(), id);
  EXPECT_EQ(child.to_vector(), (Ids{"p.1", id, child.back()}));

  CallIdStack copy(worker);
  EXPECT_EQ(copy.to_vector(), (Ids{"p.1", id}));
  CallIdStack moved(std::move(worker));
  EXPECT_EQ(moved.to_vector(), (Ids{"p.1", id}));
}

TEST(CallIdStack, NewIdsAreDrawnWhenMovedOnOrCopied) {
  CallIdStack stack;
  stack.push_new("a", "x", 10);
  CallIdStack moved(std::move(stack));  // drawn before the move
  const std::string first = moved.back();
  moved.push_new("b", "y", 10);  // the first id becomes an older one
  EXPECT_EQ(moved[0], first);
  CallIdStack copy = moved;
  EXPECT_EQ(copy[1], moved[1]);
  EXPECT_EQ(copy[1].rfind("b.y.", 0), 0U);
  EXPECT_NE(CallIdStack().to_vector(), copy.to_vector());
}

TEST(CallIdStack, PushNewKeepsTheBoundAndDrawsADifferentIdEachTime) {
  CallIdStack stack{"a.1", "b.2"};
  stack.push_new("s", "m", 2);
  EXPECT_EQ(stack.size(), 2U);
  EXPECT_EQ(stack[0], "b.2");
  stack.push_new("s", "m", 1);
  EXPECT_EQ(stack.size(), 1U);
  const std::string once = stack.back();
  stack.push_new("s", "m", 1);
  EXPECT_NE(stack.back(), once);
  stack.push("t.3", 1);
  EXPECT_EQ(stack.to_vector(), (Ids{"t.3"}));
}

}  // namespace
