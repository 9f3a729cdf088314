// File: posts/adapters/micropost_cache.hpp
//
// MicropostCache keeps the microposts a posts container has read, for the
// reads of one post (GET one micropost), so that a popular post is not
// looked up and decoded again on every request.
//
// Each entry is valid for one local data version of posts.db
// (hypha::Database::local_data_version): any write transaction of the
// process ends every entry, so a read never returns a post older than the
// last answered write. Without such a version (another process may write
// the file: cluster mode, or SQLITE_EXCLUSIVE off) the repository does not
// use the cache at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "hypha/core/extension.hpp"
#include "posts/application/micropost_repository.hpp"

namespace microblog::posts {

class MicropostCache {
 public:
  /// kCapacity bounds the entries; the cache starts over when it is full.
  static constexpr std::size_t kCapacity = 4096;

  /// find returns the post remembered for `id` at exactly `version`.
  std::optional<StoredMicropost> find(std::uint64_t id, std::uint64_t version) const;
  /// remember keeps `stored`, read after `version` was current; a post read
  /// at an older version than the entries' is dropped (it may be stale).
  void remember(const StoredMicropost& stored, std::uint64_t version);

 private:
  mutable std::mutex mutex_;
  std::uint64_t version_ = 0;  // every entry was read at this version
  std::unordered_map<std::uint64_t, StoredMicropost> entries_;
};

/// micropost_cache gives every worker of a container the container's cache.
hypha::ProviderFactory<MicropostCache*> micropost_cache();

}  // namespace microblog::posts
