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

struct MicropostPage {
  std::vector<StoredMicropost> items;
  bool has_more = false;
};

class MicropostRepository {
 public:
  virtual ~MicropostRepository() = default;
  /// insert adds a new micropost; false when its id is already taken.
  virtual bool insert(const StoredMicropost& post) = 0;
  virtual std::optional<StoredMicropost> find(std::uint64_t id) = 0;
  virtual void update(const StoredMicropost& post) = 0;
  virtual void remove(std::uint64_t id) = 0;
  /// list_by_author returns the author's posts newest first: older than
  /// `before` when given, else skipping `offset`.
  virtual MicropostPage list_by_author(std::string_view author_key, int size, std::optional<std::uint64_t> before,
                                       std::int64_t offset) = 0;
  virtual std::int64_t count_by_author(std::string_view author_key) = 0;
};

}  // namespace microblog::posts
