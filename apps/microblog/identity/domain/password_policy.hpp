// File: password_policy.hpp
//
// The rule a new password must meet: well-formed UTF-8 and 8–128 Unicode
// characters (code points, so "pässwörd" is 8, not 10). Messages name the
// field but never echo the password, since messages reach logs and clients.
//
//   if (auto ok = microblog::identity::check_password(raw); !ok) {
//       return ok.error();   // e.g. "password: must be at least 8 characters"
//   }
#pragma once

#include <cstddef>
#include <string_view>

#include "hypha/core/result.hpp"

namespace microblog::identity {

/// kMinPasswordLength is the fewest code points a password may have.
inline constexpr std::size_t kMinPasswordLength = 8;
/// kMaxPasswordLength is the most code points a password may have; it also
/// bounds the work a password hash does on hostile input.
inline constexpr std::size_t kMaxPasswordLength = 128;

/// check_password() accepts a password that is valid UTF-8 with 8–128 code
/// points. Returns kInvalidArgument with a message starting "password: ",
/// which never contains the password itself.
[[nodiscard]] hypha::Result<void> check_password(std::string_view password);

}  // namespace microblog::identity
