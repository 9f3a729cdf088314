// File: posts/application/micropost_repository.hpp
//
// MicropostRepository is the posts service's port to storage: the Micropost
// aggregate in, the aggregate out. The SQLite adapter implements it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "posts/domain/micropost.hpp"

namespace microblog::posts {

/// StoredMicropost is the aggregate plus what was resolved when it was
/// written: the mentioned users that existed then.
struct StoredMicropost {
  Micropost post;
  std::vector<std::string> referenced;
};

/// MicropostPage is one page, newest first, and whether more lie beyond it
/// on either side (so clients get links exactly when they lead somewhere).
struct MicropostPage {
  std::vector<StoredMicropost> items;
  bool has_more = false;   ///< older items exist beyond the last one
  bool has_newer = false;  ///< newer items exist before the first one
};

/// PageCursor selects a page: older than `before`, newer than `after`
/// (the items just above it), or `offset` items down from the newest.
struct PageCursor {
  int size = 10;
  std::optional<std::uint64_t> before;
  std::optional<std::uint64_t> after;
  std::int64_t offset = 0;
};

class MicropostRepository {
 public:
  virtual ~MicropostRepository() = default;
  /// insert adds a new micropost; false when its id is already taken.
  virtual bool insert(const StoredMicropost& post) = 0;
  virtual std::optional<StoredMicropost> find(std::uint64_t id) = 0;
  virtual void update(const StoredMicropost& post) = 0;
  virtual void remove(std::uint64_t id) = 0;
  /// list_by_author returns one page of the author's posts, newest first.
  virtual MicropostPage list_by_author(std::string_view author_key, const PageCursor& cursor) = 0;
  virtual std::int64_t count_by_author(std::string_view author_key) = 0;
  /// created_for returns the micropost created for a caller's request key, if any.
  virtual std::optional<std::uint64_t> created_for(std::string_view request_key) = 0;
  /// remember_created records that the request key created micropost `id`
  /// (and forgets the keys too old to come again).
  virtual void remember_created(std::string_view request_key, std::uint64_t id, std::int64_t now_ms) = 0;
};

}  // namespace microblog::posts
