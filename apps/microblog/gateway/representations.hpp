// File: gateway/representations.hpp
//
// The contract's JSON representations (microblog-api.md): User, short user,
// Micropost and Page, built from the services' internal forms, with the
// hypermedia links clients follow.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/json.hpp"
#include "hypha/http/json_writer.hpp"

namespace microblog::gateway {

std::string user_href(std::string_view username);
std::string micropost_href(std::string_view author, std::string_view id);

/// user_json: the full User, with counts.
hypha::Json user_json(const hypha::Json& user, std::int64_t microposts, std::int64_t following, std::int64_t followers);
/// write_short_user writes {"href", "username"}.
void write_short_user(hypha::JsonWriter& out, std::string_view username);
/// write_micropost writes the contract's Micropost from the internal form
/// (written, not built as a Json tree: the hot path of every read).
void write_micropost(hypha::JsonWriter& out, const hypha::Json& post);
/// micropost_text is one Micropost as JSON text.
std::string micropost_text(const hypha::Json& post);

/// url_encode percent-encodes a query value.
std::string url_encode(std::string_view value);

/// PageLinks builds next/previous links of one list endpoint.
struct PageLinks {
  std::string path;                                          ///< e.g. /api/users/alice/collection
  std::vector<std::pair<std::string, std::string>> filters;  ///< extra query parameters (search)
  int size = 10;

  std::string with(std::string_view key, std::string_view value) const;
};

}  // namespace microblog::gateway
