// File: identity_events.hpp
//
// Wire payload of the identity service's user_registered event. Data only,
// with nlohmann to_json/from_json found by ADL. Never carries the password or
// its hash.
//
//   {"username": "Alice", "created_ms": 1795603835123}
//
//   nlohmann::json payload = microblog::contracts::UserRegistered{"Alice", now_ms};
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "contracts/json_codec.hpp"

namespace microblog::contracts {

/// kIdentityService is the name of the service that dispatches this event.
inline constexpr std::string_view kIdentityService = "identity";

/// UserRegistered: a user was created, `username` as typed.
struct UserRegistered {
    /// kEventType is the event type this payload is dispatched under.
    static constexpr std::string_view kEventType = "user_registered";

    std::string username;     ///< the username as typed at registration
    std::int64_t created_ms;  ///< when it was written, Unix milliseconds

    friend bool operator==(const UserRegistered&, const UserRegistered&) = default;
};

/// to_json() writes a UserRegistered payload.
inline void to_json(nlohmann::json& j, const UserRegistered& e) {
    j = {{"username", e.username}, {"created_ms", e.created_ms}};
}

/// from_json() reads a UserRegistered payload; throws nlohmann::json::exception.
inline void from_json(const nlohmann::json& j, UserRegistered& e) {
    j.at("username").get_to(e.username);
    e.created_ms = int64_from_json(j, "created_ms");
}

}  // namespace microblog::contracts
