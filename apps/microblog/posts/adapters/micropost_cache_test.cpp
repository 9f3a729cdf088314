// MicropostCache on its own, then the posts service's reads of one post with
// and without SQLITE_EXCLUSIVE (real SQLite file in a temporary DATA_DIR).
#include "posts/adapters/micropost_cache.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/testing/identity_stand_in.hpp"
#include "common/testing/services_in_temp_dir.hpp"
#include "hypha/core/runner.hpp"
#include "hypha/testing/entrypoint_hook.hpp"
#include "posts/application/posts_service.hpp"

namespace microblog::posts {
namespace {

using hypha::Json;

StoredMicropost post(std::uint64_t id, std::string text) {
  return StoredMicropost{Micropost::restore(id, "alice", std::move(text), 1000, std::nullopt, 1), {}};
}

TEST(MicropostCache, ServesAPostOnlyAtTheVersionItWasReadAt) {
  MicropostCache cache;
  cache.remember(post(1, "one"), 3);
  auto hit = cache.find(1, 3);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->post.text(), "one");
  EXPECT_FALSE(cache.find(1, 4)) << "a write transaction ended since";
  EXPECT_FALSE(cache.find(2, 3));
}

TEST(MicropostCache, DropsAReadFromAnOlderVersion) {
  MicropostCache cache;
  cache.remember(post(1, "new"), 5);
  cache.remember(post(1, "old"), 4);  // a slow reader that started before the last write
  ASSERT_TRUE(cache.find(1, 5));
  EXPECT_EQ(cache.find(1, 5)->post.text(), "new");
}

TEST(MicropostCache, ANewerVersionEndsEveryEntry) {
  MicropostCache cache;
  cache.remember(post(1, "one"), 1);
  cache.remember(post(2, "two"), 2);
  EXPECT_FALSE(cache.find(1, 2));
  EXPECT_TRUE(cache.find(2, 2));
}

TEST(MicropostCache, StartsOverWhenFull) {
  MicropostCache cache;
  for (std::uint64_t id = 1; id <= MicropostCache::kCapacity + 1; ++id) cache.remember(post(id, "x"), 7);
  EXPECT_FALSE(cache.find(1, 7));
  EXPECT_TRUE(cache.find(MicropostCache::kCapacity + 1, 7));
}

class PostsReadsTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    hypha::Config config;
    config.set("SQLITE_EXCLUSIVE", GetParam());
    services_ = std::make_unique<microblog::testing::ServicesInTempDir>("posts", config);
    services_->start<PostsService, microblog::testing::IdentityStandIn>();
  }
  void TearDown() override { services_.reset(); }
  Json call(std::string_view method, Json args) {
    return hypha::testing::entrypoint_hook(services_->container("posts"), method)(std::move(args));
  }
  // write_behind_the_services_back runs `sql` with a connection of its own:
  // no write transaction of the provider ends, so its version stays, and no
  // outbox event is relayed (whose clean-up would end one at any moment).
  void write_behind_the_services_back(const std::string& sql) {
    hypha::sql::Connection raw((services_->dir() / "posts.db").string(),
                               GetParam() ? hypha::sql::FileLocking::exclusive : hypha::sql::FileLocking::shared);
    raw.exec(sql);
  }

  std::unique_ptr<microblog::testing::ServicesInTempDir> services_;
};

TEST_P(PostsReadsTest, AGetAfterAnEditOrADeleteSeesIt) {
  const std::string id = call("create", Json::array({"alice", "first"})).at("id").get<std::string>();
  EXPECT_EQ(call("get", Json::array({"alice", id})).at("text"), "first");
  EXPECT_EQ(call("get", Json::array({"alice", id})).at("text"), "first");
  call("edit", Json::array({"alice", id, "alice", "second"}));
  EXPECT_EQ(call("get", Json::array({"alice", id})).at("text"), "second");
  call("delete", Json::array({"alice", id, "alice"}));
  try {
    call("get", Json::array({"alice", id}));
    FAIL() << "expected NotFound";
  } catch (const hypha::Error& e) {
    EXPECT_EQ(e.info().exc_type, "NotFound");
  }
}

TEST_P(PostsReadsTest, OnlyAnExclusiveFileServesRepeatedReadsFromTheCache) {
  write_behind_the_services_back(
      "INSERT INTO microposts(id, author_key, author, text, created_ms, edited_ms, version, referenced) "
      "VALUES (42, 'alice', 'alice', 'first', 1000, NULL, 1, '[]')");
  EXPECT_EQ(call("get", Json::array({"alice", "42"})).at("text"), "first");
  write_behind_the_services_back("UPDATE microposts SET text = 'changed elsewhere' WHERE id = 42");
  // With SQLITE_EXCLUSIVE no one else may write the file, so the cached post
  // is served; without it, another process might have, so the file is read.
  EXPECT_EQ(call("get", Json::array({"alice", "42"})).at("text"), GetParam() ? "first" : "changed elsewhere");
}

INSTANTIATE_TEST_SUITE_P(SqliteExclusive, PostsReadsTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "On" : "Off"; });

}  // namespace
}  // namespace microblog::posts
