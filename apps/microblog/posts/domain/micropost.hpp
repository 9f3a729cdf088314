// File: micropost.hpp
//
// Micropost is the posts service's aggregate: one micropost with its text, the
// users it mentions and its edit history (created, last edited, version). It
// enforces the rules: valid text, only the author may edit or delete (author
// compared case-insensitively), and every edit bumps `version` so consumers of
// its events can tell newer from older.
//
//   auto post = microblog::posts::Micropost::create(id, "alice", "hi @bob", now_ms);
//   if (!post) return post.error();                     // text rules, message names `text`
//   auto edited = post->edit("alice", "hi @carol", later_ms);
//   auto event = post->edited_event(/*referenced=*/{"carol"});
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/result.hpp"
#include "posts/domain/events.hpp"
#include "posts/domain/micropost_text.hpp"

namespace microblog::posts {

/// Micropost is one micropost. Methods never throw; a failed edit leaves the
/// micropost unchanged. Not thread-safe: load, change and save one at a time.
class Micropost {
  public:
    /// create() writes a new micropost at version 1. `author` is the acting
    /// username as stored by identity (already authenticated). Returns
    /// kInvalidArgument naming `text` for bad text, or `author` when empty.
    [[nodiscard]] static hypha::Result<Micropost> create(std::uint64_t id, std::string_view author,
                                                         std::string_view raw_text, std::int64_t now_ms);

    /// restore() rebuilds a micropost from storage, trusting that the stored
    /// values were valid when written; mentions are recomputed from the text.
    static Micropost restore(std::uint64_t id, std::string author, std::string text, std::int64_t created_ms,
                             std::optional<std::int64_t> edited_ms, std::int64_t version);

    /// edit() replaces the text, sets edited_ms and bumps the version. Returns
    /// kPermissionDenied when `acting_user` is not the author (checked first,
    /// so strangers learn nothing about text rules), kInvalidArgument naming
    /// `text` for bad text. edited_ms never goes before created_ms, even if
    /// clocks of different instances disagree.
    [[nodiscard]] hypha::Result<void> edit(std::string_view acting_user, std::string_view raw_text,
                                           std::int64_t now_ms);

    /// check_can_delete() returns kPermissionDenied unless `acting_user` is
    /// the author (case-insensitively).
    [[nodiscard]] hypha::Result<void> check_can_delete(std::string_view acting_user) const;

    /// is_author() is true when `username` names the author, ignoring case.
    bool is_author(std::string_view username) const noexcept;

    /// created_event() is the MicropostCreated fact for this state.
    MicropostCreated created_event(std::vector<std::string> referenced) const;
    /// edited_event() is the MicropostEdited fact for this state (after edit()).
    MicropostEdited edited_event(std::vector<std::string> referenced) const;
    /// deleted_event() is the MicropostDeleted fact, deleted at `now_ms`.
    MicropostDeleted deleted_event(std::int64_t now_ms) const;

    /// id() is the 64-bit time-ordered id (see snowflake.hpp).
    std::uint64_t id() const noexcept { return id_; }
    /// author() is the author's username as stored.
    const std::string& author() const noexcept { return author_; }
    /// text() is the current text as written.
    const std::string& text() const noexcept { return text_; }
    /// mentions() are the usernames the text mentions (see parse_mentions()).
    const std::vector<std::string>& mentions() const noexcept { return mentions_; }
    /// created_ms() is when it was written, in Unix milliseconds.
    std::int64_t created_ms() const noexcept { return created_ms_; }
    /// edited_ms() is when it was last edited, or nullopt if never.
    std::optional<std::int64_t> edited_ms() const noexcept { return edited_ms_; }
    /// version() is 1 at creation and grows by one per edit.
    std::int64_t version() const noexcept { return version_; }

    friend bool operator==(const Micropost&, const Micropost&) = default;

  private:
    Micropost(std::uint64_t id, std::string author, std::string text, std::int64_t created_ms,
              std::optional<std::int64_t> edited_ms, std::int64_t version);

    std::uint64_t id_;
    std::string author_;
    std::string text_;
    std::vector<std::string> mentions_;
    std::int64_t created_ms_;
    std::optional<std::int64_t> edited_ms_;
    std::int64_t version_;
};

}  // namespace microblog::posts
