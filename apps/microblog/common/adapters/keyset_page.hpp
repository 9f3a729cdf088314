// File: common/adapters/keyset_page.hpp
//
// read_keyset_page reads one page of a newest-first list from SQLite by its
// integer key (keyset pagination) in the three shapes of a ListRequest: from
// the newest item or strictly below `before` (then `offset` items skipped),
// or the page just above `after` (for previous links). It also tells whether
// older (has_more) and newer (has_newer) items lie beyond the page.
//
//   const KeysetList list{"SELECT followee, id", " FROM follows WHERE follower_key = ?1 ", "id"};
//   auto page = read_keyset_page<RelationPage>(
//       db, list, request, [&](auto& select) { select.bind(1, user_key); },
//       [](const auto& row) { return Relation{row.text(0), row.int64(1)}; },
//       [](const Relation& r) { return r.id; });
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "common/domain/list_request.hpp"
#include "hypha/dependencies/sqlite.hpp"

namespace microblog {

/// KeysetList is a newest-first list in SQL. Its own parameters are ?1–?9;
/// paging uses ?10 and up.
struct KeysetList {
    std::string select;      ///< "SELECT <columns>"
    std::string from_where;  ///< " FROM ... WHERE <filter> ", extended with "AND <key> ..."
    std::string key;         ///< the integer column that orders the list
};

/// Page has `items`, `has_more` and `has_newer`; bind(statement) binds the
/// list's own parameters, read_row(statement) makes an item of the current
/// row and key_of(item) gives its key.
template <class Page, class Bind, class ReadRow, class KeyOf>
Page read_keyset_page(hypha::sql::Connection& db, const KeysetList& list, const ListRequest& request, Bind bind,
                      ReadRow read_row, KeyOf key_of) {
    Page page;
    bool extra = false;
    auto read = [&](const std::string& paging, auto bind_paging) {
        auto select = db.prepare(list.select + list.from_where + paging);
        bind(select);
        bind_paging(select);
        // One row more than asked tells whether another page lies in the direction read.
        while (select.step()) {
            if (static_cast<int>(page.items.size()) == request.size) {
                extra = true;
                break;
            }
            page.items.push_back(read_row(select));
        }
    };
    auto exists_beyond = [&](std::int64_t key, bool newer) {
        auto select =
            db.prepare("SELECT 1" + list.from_where + "AND " + list.key + (newer ? " > " : " < ") + "?10 LIMIT 1");
        bind(select);
        select.bind(10, key);
        return select.step();
    };
    if (request.after) {
        // The page just newer than the cursor: read upwards, then list newest first.
        read("AND " + list.key + " > ?10 ORDER BY " + list.key + " ASC LIMIT ?11",
             [&](auto& select) { select.bind(10, *request.after).bind(11, request.size + 1); });
        std::reverse(page.items.begin(), page.items.end());
        page.has_newer = extra;
        // An empty page (what followed the cursor is gone) still leads on to what is at or below it.
        page.has_more = page.items.empty() ? *request.after < INT64_MAX && exists_beyond(*request.after + 1, false)
                                           : exists_beyond(key_of(page.items.back()), false);
        return page;
    }
    read("AND (?10 IS NULL OR " + list.key + " < ?10) ORDER BY " + list.key + " DESC LIMIT ?11 OFFSET ?12",
         [&](auto& select) { select.bind(10, request.before).bind(11, request.size + 1).bind(12, request.offset); });
    page.has_more = extra;
    // The first page starts at the newest item: nothing is newer, no query needed.
    const bool first_page = !request.before && request.offset == 0;
    if (page.items.empty()) {
        // Nothing below the cursor: what is at or above it is still a page away.
        page.has_newer = request.before && *request.before > 0 && exists_beyond(*request.before - 1, true);
    } else {
        page.has_newer = !first_page && exists_beyond(key_of(page.items.front()), true);
    }
    return page;
}

}  // namespace microblog
