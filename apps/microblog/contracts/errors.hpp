// File: contracts/errors.hpp
//
// How the microblog's services report failures over RPC: a domain Failure
// becomes a hypha::Error whose exc_type names the kind (ValidationFailed,
// NotFound, Conflict, Forbidden, Unauthorized, TooManyRequests, Unavailable)
// under the path "microblog.errors.<Kind>". The gateway maps exc_type to an
// HTTP status. TooManyRequests carries the retry delay in seconds as its
// second exc_arg.
//
//   if (!text) microblog::contracts::raise(text.error());
#pragma once

#include <string>
#include <string_view>

#include "hypha/core/errors.hpp"
#include "hypha/core/result.hpp"

namespace microblog::contracts {

inline const char* error_kind(hypha::ErrorCode code) {
  switch (code) {
    case hypha::ErrorCode::kInvalidArgument: return "ValidationFailed";
    case hypha::ErrorCode::kNotFound: return "NotFound";
    case hypha::ErrorCode::kAlreadyExists: return "Conflict";
    case hypha::ErrorCode::kPermissionDenied: return "Forbidden";
    case hypha::ErrorCode::kUnauthenticated: return "Unauthorized";
    case hypha::ErrorCode::kResourceExhausted: return "TooManyRequests";
    case hypha::ErrorCode::kUnavailable: return "Unavailable";
    case hypha::ErrorCode::kFailedPrecondition: return "Conflict";
    case hypha::ErrorCode::kInternal: return "Internal";
  }
  return "Internal";
}

/// MicroblogError is a domain failure crossing an RPC boundary.
class MicroblogError : public hypha::Error {
 public:
  MicroblogError(hypha::ErrorCode code, std::string message)
      : hypha::Error(error_kind(code), std::string("microblog.errors.") + error_kind(code), std::move(message)) {}
};

/// raise throws the failure as a MicroblogError.
[[noreturn]] inline void raise(const hypha::Failure& failure) { throw MicroblogError(failure.code, failure.message); }

/// value_or_raise unwraps a Result or throws its failure.
template <class T>
T value_or_raise(hypha::Result<T> result) {
  if (!result) raise(result.error());
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

/// register_error_types makes this process raise the microblog's error kinds
/// typed (a hypha::Error with the callee's fields) instead of RemoteError, as
/// Nameko's registry does for the types it knows: a service that lets a
/// callee's failure through then relays it unchanged, so a NotFound stays a
/// NotFound two hops up. Idempotent; services that call others run it in
/// their define().
inline void register_error_types() {
  for (const char* kind : {"ValidationFailed", "NotFound", "Conflict", "Forbidden", "Unauthorized", "TooManyRequests",
                           "Unavailable", "Internal"}) {
    hypha::register_error_type(std::string("microblog.errors.") + kind,
                               [](hypha::ErrorInfo info) { throw hypha::Error(std::move(info)); });
  }
}

/// raise_too_many_requests throws TooManyRequests with the retry delay.
[[noreturn]] inline void raise_too_many_requests(std::string message, int retry_after_seconds) {
  hypha::ErrorInfo info{"TooManyRequests", "microblog.errors.TooManyRequests",
                        hypha::Json::array({message, std::to_string(retry_after_seconds)}), message};
  throw hypha::Error(std::move(info));
}

}  // namespace microblog::contracts
