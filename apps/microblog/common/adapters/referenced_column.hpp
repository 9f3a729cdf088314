// File: referenced_column.hpp
//
// The `referenced` column (posts, and the read models timeline and search)
// holds a micropost's mentioned usernames as a JSON array. Most posts mention no one:
// that "[]" is read without running the JSON parser, once per row of a page.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/json.hpp"

namespace microblog {

inline std::string referenced_to_column(const std::vector<std::string>& referenced) {
    return referenced.empty() ? std::string("[]") : hypha::Json(referenced).dump();
}

inline std::vector<std::string> referenced_from_column(std::string_view column) {
    if (column == "[]") return {};
    return hypha::Json::parse(column).get<std::vector<std::string>>();
}

}  // namespace microblog
