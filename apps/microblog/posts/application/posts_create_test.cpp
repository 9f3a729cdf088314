// posts.create with a request key: a request delivered twice (its first
// worker committed, then its process died before the broker heard of it)
// writes one micropost, one event, and answers the same micropost both times.
#include <gtest/gtest.h>

#include "common/testing/identity_stand_in.hpp"
#include "common/testing/services_in_temp_dir.hpp"
#include "hypha/dependencies/sqlite.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "posts/application/posts_service.hpp"

namespace microblog::posts {
namespace {

using hypha::Json;

class PostsCreateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    services_ = std::make_unique<microblog::testing::ServicesInTempDir>("posts", hypha::Config{});
    services_->start<PostsService, microblog::testing::IdentityStandIn>();
  }
  Json call(std::string_view method, Json args) {
    return hypha::testing::entrypoint_hook(services_->container("posts"), method)(std::move(args));
  }
  std::int64_t rows(const std::string& table) {
    hypha::sql::Connection raw((services_->dir() / "posts.db").string());
    auto stmt = raw.prepare("SELECT count(*) FROM " + table);
    stmt.step();
    return stmt.int64(0);
  }
  std::unique_ptr<microblog::testing::ServicesInTempDir> services_;
};

TEST_F(PostsCreateTest, TheSameRequestKeyCreatesOneMicropost) {
  const Json first = call("create", Json::array({"alice", "only once", "key-1"}));
  const Json again = call("create", Json::array({"alice", "only once", "key-1"}));
  EXPECT_EQ(again, first);
  EXPECT_EQ(call("count_by_author", Json::array({"alice"})), 1);
  const Json other = call("create", Json::array({"alice", "only once", "key-2"}));
  EXPECT_NE(other.at("id"), first.at("id"));
  EXPECT_EQ(call("count_by_author", Json::array({"alice"})), 2);
  EXPECT_EQ(rows("create_requests"), 2);
}

TEST_F(PostsCreateTest, WithoutAKeyEveryCreateWrites) {
  call("create", Json::array({"bob", "same text"}));
  call("create", Json::array({"bob", "same text"}));
  EXPECT_EQ(call("count_by_author", Json::array({"bob"})), 2);
  EXPECT_EQ(rows("create_requests"), 0);
}

TEST_F(PostsCreateTest, AKeyWhoseMicropostWasDeletedSaysSo) {
  const std::string id = call("create", Json::array({"carol", "short-lived", "key-3"})).at("id").get<std::string>();
  call("delete", Json::array({"carol", id, "carol"}));
  try {
    call("create", Json::array({"carol", "short-lived", "key-3"}));
    FAIL() << "expected NotFound";
  } catch (const hypha::Error& e) {
    EXPECT_EQ(e.info().exc_type, "NotFound");
  }
  EXPECT_EQ(call("count_by_author", Json::array({"carol"})), 0);
}

}  // namespace
}  // namespace microblog::posts
