// File: user.hpp
//
// User is the identity service's entity: a username and when it registered.
// Password hashes and tokens are kept by the service's repositories, not here,
// so a User can be passed around and logged without leaking secrets.
//
//   auto name = microblog::identity::Username::parse("alice");
//   microblog::identity::User user{*name, /*created_ms=*/1795603835123};
#pragma once

#include <cstdint>

#include "identity/domain/username.hpp"

namespace microblog::identity {

/// User is a registered user. Equality is by username key, the user's identity.
struct User {
    /// username is unique, compared case-insensitively.
    Username username;
    /// created_ms is the registration time in Unix milliseconds.
    std::int64_t created_ms;

    friend bool operator==(const User& a, const User& b) noexcept { return a.username == b.username; }
};

}  // namespace microblog::identity
