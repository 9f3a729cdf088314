#include "posts/domain/micropost.hpp"

#include <gtest/gtest.h>

#include <string>

namespace microblog::posts {
namespace {

constexpr std::uint64_t kId = 7392018374019584;
constexpr std::int64_t kCreated = 1'795'603'835'123;

Micropost make_post(std::string_view text = "hello @bob") { return *Micropost::create(kId, "Alice", text, kCreated); }

TEST(Micropost, CreateStartsAtVersionOne) {
    const auto post = Micropost::create(kId, "Alice", "hello @bob and @carol", kCreated);
    ASSERT_TRUE(post);
    EXPECT_EQ(post->id(), kId);
    EXPECT_EQ(post->author(), "Alice");
    EXPECT_EQ(post->text(), "hello @bob and @carol");
    EXPECT_EQ(post->mentions(), (std::vector<std::string>{"bob", "carol"}));
    EXPECT_EQ(post->created_ms(), kCreated);
    EXPECT_EQ(post->edited_ms(), std::nullopt);
    EXPECT_EQ(post->version(), 1);
}

TEST(Micropost, CreateRejectsBadText) {
    const auto post = Micropost::create(kId, "alice", std::string(256, 'x'), kCreated);
    ASSERT_FALSE(post);
    EXPECT_EQ(post.error().code, hypha::ErrorCode::kInvalidArgument);
    EXPECT_EQ(post.error().message, "text: must be at most 255 characters");
}

TEST(Micropost, CreateRejectsEmptyAuthor) {
    const auto post = Micropost::create(kId, "", "hi", kCreated);
    ASSERT_FALSE(post);
    EXPECT_EQ(post.error().message.rfind("author: ", 0), 0u);
}

TEST(Micropost, AuthorMayEditAndEachEditBumpsVersion) {
    Micropost post = make_post();
    ASSERT_TRUE(post.edit("Alice", "now @carol", kCreated + 1000));
    EXPECT_EQ(post.text(), "now @carol");
    EXPECT_EQ(post.mentions(), (std::vector<std::string>{"carol"}));
    EXPECT_EQ(post.edited_ms(), kCreated + 1000);
    EXPECT_EQ(post.version(), 2);
    ASSERT_TRUE(post.edit("Alice", "again", kCreated + 2000));
    EXPECT_EQ(post.version(), 3);
    EXPECT_EQ(post.edited_ms(), kCreated + 2000);
    EXPECT_EQ(post.created_ms(), kCreated);
}

TEST(Micropost, AuthorIsComparedCaseInsensitively) {
    Micropost post = make_post();
    EXPECT_TRUE(post.edit("aLICE", "edited", kCreated + 1));
    EXPECT_TRUE(post.check_can_delete("ALICE"));
    EXPECT_EQ(post.author(), "Alice");
}

TEST(Micropost, OthersMayNotEdit) {
    Micropost post = make_post();
    const Micropost before = post;
    const auto edited = post.edit("mallory", "pwned", kCreated + 1);
    ASSERT_FALSE(edited);
    EXPECT_EQ(edited.error().code, hypha::ErrorCode::kPermissionDenied);
    EXPECT_EQ(post, before);
}

TEST(Micropost, PermissionIsCheckedBeforeText) {
    Micropost post = make_post();
    EXPECT_EQ(post.edit("mallory", "", kCreated + 1).error().code, hypha::ErrorCode::kPermissionDenied);
}

TEST(Micropost, PrefixOfAuthorIsNotAuthor) {
    Micropost post = make_post();
    EXPECT_FALSE(post.check_can_delete("Alic"));
    EXPECT_FALSE(post.check_can_delete("Alice2"));
}

TEST(Micropost, InvalidEditLeavesPostUnchanged) {
    Micropost post = make_post();
    const Micropost before = post;
    const auto edited = post.edit("Alice", " \xE3\x80\x80 ", kCreated + 1);
    ASSERT_FALSE(edited);
    EXPECT_EQ(edited.error().code, hypha::ErrorCode::kInvalidArgument);
    EXPECT_EQ(edited.error().message, "text: must not be only whitespace");
    EXPECT_EQ(post, before);
}

TEST(Micropost, EditTimeNeverPrecedesCreation) {
    Micropost post = make_post();
    ASSERT_TRUE(post.edit("Alice", "skewed clock", kCreated - 5000));
    EXPECT_EQ(post.edited_ms(), kCreated);
}

TEST(Micropost, OthersMayNotDelete) {
    const Micropost post = make_post();
    const auto checked = post.check_can_delete("bob");
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code, hypha::ErrorCode::kPermissionDenied);
}

TEST(Micropost, RestoreRebuildsStateAndMentions) {
    const Micropost post = Micropost::restore(kId, "Alice", "hi @Bob", kCreated, kCreated + 5, 4);
    EXPECT_EQ(post.mentions(), (std::vector<std::string>{"Bob"}));
    EXPECT_EQ(post.edited_ms(), kCreated + 5);
    EXPECT_EQ(post.version(), 4);
}

TEST(Micropost, EventsCarryTheCurrentState) {
    Micropost post = make_post("hi @bob @ghost");
    EXPECT_EQ(post.created_event({"bob"}), (MicropostCreated{kId, "Alice", "hi @bob @ghost", {"bob"}, kCreated, 1}));
    ASSERT_TRUE(post.edit("Alice", "bye", kCreated + 9));
    EXPECT_EQ(post.edited_event({}), (MicropostEdited{kId, "Alice", "bye", {}, kCreated, kCreated + 9, 2}));
    EXPECT_EQ(post.deleted_event(kCreated + 20), (MicropostDeleted{kId, "Alice", kCreated + 20}));
}

}  // namespace
}  // namespace microblog::posts
