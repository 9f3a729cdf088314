#include "identity/domain/username.hpp"

#include <algorithm>
#include <utility>

#include "common/domain/ascii.hpp"

namespace microblog::identity {

hypha::Result<Username> Username::parse(std::string_view raw) {
    // Characters first: "é" is two bytes, and a length message would mislead.
    if (!std::all_of(raw.begin(), raw.end(), [](char c) { return is_name_char(c); })) {
        return hypha::fail(hypha::ErrorCode::kInvalidArgument,
                           "username: may contain only letters A-Z, digits 0-9 and '_'");
    }
    if (raw.size() < kMinLength || raw.size() > kMaxLength) {
        return hypha::fail(hypha::ErrorCode::kInvalidArgument, "username: must be 3 to 30 characters long");
    }
    return Username(std::string(raw));
}

std::string Username::key_of(std::string_view raw) { return to_ascii_lower(raw); }

Username::Username(std::string value) : value_(std::move(value)), key_(to_ascii_lower(value_)) {}

}  // namespace microblog::identity
