#include "hypha/core/context_data.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

using hypha::ContextData;
using hypha::Json;

const std::regex kUuid4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
const std::regex kTraceparent("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

TEST(PushCallId, AppendsBelowTheBound) {
  hypha::CallIdStack stack{"a"};
  hypha::push_call_id(stack, "b", 3);
  EXPECT_EQ(stack.to_vector(), (std::vector<std::string>{"a", "b"}));
}

TEST(PushCallId, KeepsTheNewestEntries) {
  hypha::CallIdStack stack{"a", "b", "c"};
  hypha::push_call_id(stack, "d", 3);
  EXPECT_EQ(stack.to_vector(), (std::vector<std::string>{"b", "c", "d"}));
}

TEST(PushCallId, TruncatesAnOversizedIncomingStack) {
  hypha::CallIdStack stack{"a", "b", "c", "d", "e", "f"};
  hypha::push_call_id(stack, "g", 3);
  EXPECT_EQ(stack.to_vector(), (std::vector<std::string>{"e", "f", "g"}));
}

TEST(PushCallId, BoundOfOneKeepsOnlyTheOwnId) {
  hypha::CallIdStack stack{"a", "b"};
  hypha::push_call_id(stack, "c", 1);
  EXPECT_EQ(stack.to_vector(), (std::vector<std::string>{"c"}));
}

TEST(NewCallId, IsServiceMethodUuid4) {
  const std::regex format("greeter\\.hello\\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = hypha::new_call_id("greeter", "hello");
    EXPECT_TRUE(std::regex_match(id, format)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(NewUuid4, IsAVersion4Uuid) {
  for (int i = 0; i < 100; ++i) {
    std::string id = hypha::new_uuid4();
    EXPECT_TRUE(std::regex_match(id, kUuid4)) << id;
  }
}

TEST(ChildTraceparent, KeepsTheTraceIdOfAValidParent) {
  const std::string parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  std::string child = hypha::child_traceparent(parent);
  std::smatch m;
  ASSERT_TRUE(std::regex_match(child, m, kTraceparent)) << child;
  EXPECT_EQ(m[1].str(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_NE(m[2].str(), "00f067aa0ba902b7");  // a new span
  EXPECT_NE(m[2].str(), "0000000000000000");
  EXPECT_EQ(m[3].str(), "01");
}

TEST(ChildTraceparent, StartsANewTraceOtherwise) {
  const std::vector<std::string> invalid = {
      "",
      "garbage",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
      "00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01",    // short trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba9zzzz-01",  // span id not hex
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero span id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",  // flags not hex
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
      "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version not hex
  };
  for (const auto& parent : invalid) {
    std::string child = hypha::child_traceparent(parent);
    std::smatch m;
    ASSERT_TRUE(std::regex_match(child, m, kTraceparent)) << "parent '" << parent << "' gave " << child;
    EXPECT_NE(m[1].str(), "00000000000000000000000000000000");
    EXPECT_EQ(parent.find(m[1].str()), std::string::npos) << parent;
  }
  // Two fresh traces differ.
  EXPECT_NE(hypha::child_traceparent("").substr(3, 32), hypha::child_traceparent("").substr(3, 32));
}

TEST(ContextData, SetGetAndErase) {
  ContextData data;
  EXPECT_TRUE(data.get("user_id").is_null());
  EXPECT_EQ(data.user_id(), "");
  data.set("user_id", "alice");
  data.set("language", "fr");
  data.set("custom", 7);
  EXPECT_EQ(data.user_id(), "alice");
  EXPECT_EQ(data.language(), "fr");
  EXPECT_EQ(data.get("custom"), Json(7));
  EXPECT_EQ(data.get_string("custom"), "");  // not a string
  data.set("user_id", nullptr);
  EXPECT_TRUE(data.get("user_id").is_null());
}

TEST(ContextData, CopiesAndChildrenNeverChangeEachOther) {
  ContextData parent;
  parent.call_id_stack = {"a.b.1"};
  parent.set("user_id", "alice");
  ContextData copy = parent;
  ContextData child;
  child.inherit(parent);
  EXPECT_EQ(child.call_id_stack, parent.call_id_stack);
  EXPECT_EQ(child.values(), parent.values());
  copy.set("user_id", "bob");
  child.set("language", "fr");
  child.set("user_id", nullptr);
  EXPECT_EQ(parent.user_id(), "alice");
  EXPECT_TRUE(parent.get("language").is_null());
  EXPECT_EQ(copy.user_id(), "bob");
  EXPECT_TRUE(copy.get("language").is_null());
  EXPECT_EQ(child.language(), "fr");
  EXPECT_TRUE(child.get("user_id").is_null());
  parent.set("user_id", "carol");  // the last holder writes in place; the others kept theirs
  EXPECT_EQ(copy.user_id(), "bob");
  EXPECT_TRUE(child.get("user_id").is_null());
}

TEST(ContextData, CopiesOfAChildOwnTheirValuesAndOutliveItsParent) {
  ContextData copy;
  ContextData moved;
  {
    auto parent = std::make_unique<ContextData>();
    parent->call_id_stack = {"a.b.1"};
    parent->set("user_id", "alice");
    ContextData child;
    child.inherit(*parent);
    ContextData grandchild;
    grandchild.inherit(child);  // reads the parent's values too
    EXPECT_EQ(grandchild.user_id(), "alice");
    copy = grandchild;
    moved = std::move(child);
    parent.reset();  // copies and moves of borrowers hold their own share
  }
  EXPECT_EQ(copy.user_id(), "alice");
  EXPECT_EQ(moved.user_id(), "alice");
  ASSERT_EQ(copy.call_id_stack.size(), 1U);
  EXPECT_EQ(copy.call_id_stack[0], "a.b.1");
}

TEST(ContextData, HasTraceparentFollowsTheKey) {
  ContextData data;
  EXPECT_FALSE(data.has_traceparent());
  data.set(hypha::kTraceparentKey, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  EXPECT_TRUE(data.has_traceparent());
  ContextData child;
  child.inherit(data);
  EXPECT_TRUE(child.has_traceparent());
  EXPECT_TRUE(ContextData(child).has_traceparent());
  EXPECT_TRUE(ContextData::from_json(data.to_json()).has_traceparent());
  child.set(hypha::kTraceparentKey, nullptr);
  EXPECT_FALSE(child.has_traceparent());
  EXPECT_TRUE(data.has_traceparent());
}

TEST(ContextData, JsonRoundTrip) {
  ContextData data;
  data.call_id_stack = {"a.b.1", "c.d.2"};
  data.set("user_id", "alice");
  data.set("x-death", Json::array({1, 2}));
  Json j = data.to_json();
  EXPECT_EQ(j["call_id_stack"], Json::array({"a.b.1", "c.d.2"}));
  EXPECT_EQ(j["user_id"], "alice");
  ContextData back = ContextData::from_json(j);
  EXPECT_EQ(back.call_id_stack, data.call_id_stack);
  EXPECT_EQ(back.user_id(), "alice");
  EXPECT_EQ(back.get("x-death"), Json::array({1, 2}));
  EXPECT_TRUE(back.get("call_id_stack").is_null());  // the stack is not also a value
}

// give_up_values hands over the context's share: the context has no values
// left, the share still holds them, and copies made before keep theirs.
TEST(ContextData, GivingUpTheValuesLeavesNoneAndKeepsTheShare) {
  ContextData sender;
  sender.set(hypha::kTraceparentKey, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  sender.set(hypha::kUserIdKey, "alice");
  ContextData copy = sender;
  auto share = sender.give_up_values();
  ASSERT_NE(share, nullptr);
  EXPECT_EQ((*share)["user_id"], "alice");
  EXPECT_TRUE(sender.values().is_null());
  EXPECT_FALSE(sender.has_traceparent());
  EXPECT_EQ(copy.user_id(), "alice");

  ContextData child;
  child.inherit(copy);
  EXPECT_EQ(child.give_up_values(), nullptr);  // borrowed: not its share to give
  EXPECT_EQ(copy.user_id(), "alice");
}

}  // namespace
