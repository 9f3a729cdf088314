// File: search/application/list_request.hpp
//
// ListRequest is the validated paging of a list RPC (rpc_api.md): `size`
// (1–100, default 10), `before` (a decimal cursor: only items whose id is
// strictly below it) and `offset` (items to skip, for page=N). Both may be
// combined: the cursor filters, then the offset skips.
//
//   auto request = microblog::search::ListRequest::parse(20, "42", std::nullopt);
//   if (!request) return request.error();   // message names size, before or offset
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hypha/core/result.hpp"

namespace microblog::search {

/// ListRequest is one page of a newest-first list.
struct ListRequest {
    int size = 10;                       ///< items per page, 1–100
    std::optional<std::int64_t> before;  ///< cursor: ids strictly below it; nullopt from the newest
    std::int64_t offset = 0;             ///< items to skip after the cursor

    /// parse() validates raw RPC arguments; nullopt means absent. Returns
    /// kInvalidArgument naming `size`, `before` or `offset`. A cursor beyond
    /// the largest stored id filters nothing.
    [[nodiscard]] static hypha::Result<ListRequest> parse(std::optional<int> size,
                                                          const std::optional<std::string>& before,
                                                          std::optional<std::int64_t> offset);
};

}  // namespace microblog::search
