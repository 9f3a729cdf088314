// File: mentions.hpp
//
// parse_mentions() finds the users a micropost mentions: "@name" where name is
// 3–30 characters of [A-Za-z0-9_]. The '@' must start the text or follow a
// character other than [A-Za-z0-9_@] (so "bob@example.com" and "@@bob" mention
// nobody), and a run longer than 30 characters is not cut short into a
// mention. Each name appears once (case-insensitively), in order of first
// appearance, spelled as first written.
//
//   microblog::posts::parse_mentions("hi @Bob and @carol, @bob again");   // {"Bob", "carol"}
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace microblog::posts {

/// parse_mentions() returns the distinct usernames mentioned in `text`, as
/// written, in order of first appearance. It only looks at ASCII bytes, so any
/// UTF-8 (even invalid) input is safe.
std::vector<std::string> parse_mentions(std::string_view text);

}  // namespace microblog::posts
