// File: posts/adapters/sqlite_micropost_repository.hpp
//
// SQLite implementation of MicropostRepository, and the posts schema.
#pragma once

#include <string>
#include <vector>

#include "hypha/dependencies/sqlite.hpp"
#include "posts/adapters/micropost_cache.hpp"
#include "posts/application/micropost_repository.hpp"

namespace microblog::posts {

extern const std::vector<std::string> kMigrations;

class SqliteMicropostRepository : public MicropostRepository {
 public:
  /// With a `cache`, find() serves posts from it while the file is unchanged
  /// (micropost_cache.hpp).
  explicit SqliteMicropostRepository(const hypha::Database& db, MicropostCache* cache = nullptr)
      : db_(db), cache_(cache) {}
  bool insert(const StoredMicropost& post) override;
  std::optional<StoredMicropost> find(std::uint64_t id) override;
  void update(const StoredMicropost& post) override;
  void remove(std::uint64_t id) override;
  MicropostPage list_by_author(std::string_view author_key, const PageCursor& cursor) override;
  std::int64_t count_by_author(std::string_view author_key) override;
  std::optional<std::uint64_t> created_for(std::string_view request_key) override;
  void remember_created(std::string_view request_key, std::uint64_t id, std::int64_t now_ms) override;

  /// How long a request key is remembered: far longer than any redelivery.
  static constexpr std::int64_t kCreateRequestsKeptMs = 24 * 60 * 60 * 1000;

 private:
  bool exists_beyond(std::string_view author_key, std::uint64_t id, bool newer);
  const hypha::Database& db_;
  MicropostCache* cache_;
};

}  // namespace microblog::posts
