// File: common/domain/list_request.hpp
//
// ListRequest is the validated paging of a list RPC (rpc_api.md), shared by
// the social, timeline and search services: `size`
// (1–100, default 10), `before` (a decimal cursor: only items whose id is
// strictly below it) and `offset` (items to skip, for page=N). Both may be
// combined: the cursor filters, then the offset skips. `after` (a decimal
// cursor, for previous links) asks instead for the `size` items immediately
// newer than it, still listed newest first; it excludes `before` and offset.
//
//   auto request = microblog::ListRequest::parse(20, "42", std::nullopt);
//   if (!request) return request.error();   // message names size, before or offset
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hypha/core/result.hpp"

namespace microblog {

/// ListRequest is one page of a newest-first list.
struct ListRequest {
    int size = 10;                       ///< items per page, 1–100
    std::optional<std::int64_t> before;  ///< cursor: ids strictly below it; nullopt from the newest
    std::int64_t offset = 0;             ///< items to skip after the cursor
    /// after: the page of ids just above it (strictly), read oldest first and
    /// listed newest first; nullopt for a newest-first read from `before`.
    std::optional<std::int64_t> after;

    /// parse() validates raw RPC arguments; nullopt means absent. Returns
    /// kInvalidArgument naming `size`, `before`, `offset` or `after` (also
    /// when `after` comes with `before` or a non-zero offset). A `before`
    /// beyond the largest stored id filters nothing; an `after` beyond it
    /// leaves nothing newer.
    [[nodiscard]] static hypha::Result<ListRequest> parse(std::optional<int> size,
                                                          const std::optional<std::string>& before,
                                                          std::optional<std::int64_t> offset,
                                                          const std::optional<std::string>& after = std::nullopt);
};

}  // namespace microblog
