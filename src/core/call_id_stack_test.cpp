// CallIdStack: a worker's stack reads its caller's ids without copying them,
// keeps at most parent_calls_tracked + 1 ids, and copies own every id.
#include "hypha/core/call_id_stack.hpp"

#include <gtest/gtest.h>

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
  {
    CallIdStack parent{"p.1"};
    CallIdStack child;
    child.borrow(parent);
    child.push("c.2", 10);
    copy = child;
    moved = std::move(child);
    CallIdStack constructed(copy);
    EXPECT_EQ(constructed, copy);
  }  // the parent is gone: the copies must not read it
  EXPECT_EQ(copy.to_vector(), (Ids{"p.1", "c.2"}));
  EXPECT_EQ(moved.to_vector(), (Ids{"p.1", "c.2"}));
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

}  // namespace
