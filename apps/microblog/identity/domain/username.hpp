// File: username.hpp
//
// Username is the value object that names a user: 3–30 characters of
// [A-Za-z0-9_]. It keeps the name as typed (for display) and a lower-cased key
// (for lookups and uniqueness), because "Alice" and "alice" are the same user.
//
//   auto name = microblog::identity::Username::parse("Alice_01");
//   if (!name) return name.error();   // kInvalidArgument, message names `username`
//   name->value();                    // "Alice_01"
//   name->key();                      // "alice_01"
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "hypha/core/result.hpp"

namespace microblog::identity {

/// Username is an immutable, valid username. Two usernames are equal when
/// their keys are equal (case-insensitive).
class Username {
  public:
    /// kMinLength is the fewest characters a username may have.
    static constexpr std::size_t kMinLength = 3;
    /// kMaxLength is the most characters a username may have.
    static constexpr std::size_t kMaxLength = 30;

    /// parse() validates `raw` as typed; nothing is trimmed. Returns
    /// kInvalidArgument with a message starting "username: " when it has a
    /// character outside [A-Za-z0-9_] or a length outside 3–30.
    [[nodiscard]] static hypha::Result<Username> parse(std::string_view raw);

    /// key_of() returns the lookup key for any raw name (ASCII lower-case)
    /// without validating it, e.g. to look up a name taken from a URL.
    static std::string key_of(std::string_view raw);

    /// value() is the username as the user typed it at registration.
    const std::string& value() const noexcept { return value_; }
    /// key() is the lower-cased form used for uniqueness and lookups.
    const std::string& key() const noexcept { return key_; }

    /// Usernames compare by key, so "Alice" == "alice".
    friend bool operator==(const Username& a, const Username& b) noexcept { return a.key_ == b.key_; }

  private:
    explicit Username(std::string value);

    std::string value_;
    std::string key_;
};

}  // namespace microblog::identity
