// File: result.hpp
//
// hypha::Result<T> is the return type of domain and application code: a value or
// an hypha::Failure (a canonical ErrorCode plus a message naming what was wrong).
// Domain code never throws across its boundary; adapters turn failures into
// framework errors. It aliases tl::expected (Debian's libexpected-dev) so the
// switch to std::expected is a one-line change once the toolchain has it.
//
//   hypha::Result<Username> parse(std::string_view s) {
//     if (s.size() < 3) return hypha::fail(ErrorCode::kInvalidArgument, "username: too short");
//     return Username{std::string(s)};
//   }
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace hypha {

/// ErrorCode is the small canonical set of failure kinds, in the spirit of
/// absl::StatusCode. Pick the most specific one.
enum class ErrorCode {
  kInvalidArgument,     ///< the caller sent something malformed or out of range
  kNotFound,            ///< the thing named does not exist
  kAlreadyExists,       ///< a uniqueness rule would be broken
  kPermissionDenied,    ///< authenticated, but not allowed to do this
  kUnauthenticated,     ///< no valid credentials
  kFailedPrecondition,  ///< the state does not allow the operation
  kResourceExhausted,   ///< a rate limit or quota was hit
  kUnavailable,         ///< a dependency is down; retrying may help
  kInternal,            ///< a bug or an invariant broken
};

/// ErrorCode name as used on the wire and in logs, e.g. "not_found".
const char* error_code_name(ErrorCode code) noexcept;

/// Failure is the error half of a Result: what kind of failure, and a message
/// naming the field or thing that was wrong.
struct Failure {
  ErrorCode code;
  std::string message;
};

template <class T>
using Result = tl::expected<T, Failure>;

/// fail() builds the error branch of any Result<T>.
inline tl::unexpected<Failure> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Failure>(Failure{code, std::move(message)});
}

}  // namespace hypha
