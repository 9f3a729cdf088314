// File: common/adapters/stored_id.hpp
//
// check_post_id: a micropost id that a subscriber stores (timeline, search)
// must fit in 63 bits, as snowflake ids do, because SQLite keeps integers
// signed. An id beyond that is refused with kInvalidArgument naming `id`.
#pragma once

#include <cstdint>
#include <limits>

#include "hypha/core/result.hpp"

namespace microblog {

[[nodiscard]] inline hypha::Result<std::uint64_t> check_post_id(std::uint64_t id) {
  if (id > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return hypha::fail(hypha::ErrorCode::kInvalidArgument, "id: must fit in 63 bits");
  }
  return id;
}

}  // namespace microblog
