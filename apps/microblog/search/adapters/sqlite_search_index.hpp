// File: search/adapters/sqlite_search_index.hpp
//
// SqliteSearchIndex is the SearchIndex over search.db (see search_schema.hpp):
// text queries use FTS5 MATCH with SearchQuery::fts5_match(), the username
// filter `author LIKE ? ESCAPE '\'` with SearchQuery::username_like_pattern().
// It uses the connection it is given: the event handlers pass db_.write(),
// taken before anything is read, the search RPC db_.read().
//
//   SqliteSearchIndex index(db_.write());
#pragma once

#include "hypha/dependencies/sqlite.hpp"
#include "search/application/search_index.hpp"

namespace microblog::search {

class SqliteSearchIndex : public SearchIndex {
  public:
    explicit SqliteSearchIndex(hypha::sql::Connection& connection) : connection_(connection) {}

    std::optional<IndexedPost> find(std::uint64_t id) override;
    void save(const IndexedPost& post) override;
    SearchPage search(const SearchQuery& query, const ListRequest& request) override;

  private:
    hypha::sql::Connection& connection_;
};

}  // namespace microblog::search
