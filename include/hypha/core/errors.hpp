// File: errors.hpp
//
// Errors cross service boundaries as data, the Nameko way: an ErrorInfo with the
// exception's type name, its module/namespace path, its arguments and its text.
// The worker turns whatever its handler threw into an ErrorInfo
// (serialize_exception); the caller turns an ErrorInfo back into an exception
// (raise_error): a registered type when the path is known (MethodNotFound,
// IncorrectSignature, MalformedRequest, UnknownService, RpcTimeout,
// ServiceStopping, and the service's own types given to register_error_type),
// otherwise RemoteError.
// A RemoteError that a handler lets through is relayed wrapped, as Nameko
// relays it (serialize_exception).
//
//   try {
//     proxy.call("nope");
//   } catch (const hypha::MethodNotFound& e) { ... }
//   catch (const hypha::RemoteError& e) { e.info().exc_type; }
//
// A service defines its own error type by deriving from hypha::Error and
// giving the type name and path; register_error_type makes callers see it typed.
#pragma once

#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hypha/core/json.hpp"

namespace hypha {

/// ErrorInfo is an exception as data: Nameko's {exc_type, exc_path, exc_args, value}.
struct ErrorInfo {
  std::string exc_type;          ///< class name, e.g. "ValueError", "MethodNotFound"
  std::string exc_path;          ///< dotted path, e.g. "nameko.exceptions.MethodNotFound"
  Json exc_args = Json::array(); ///< arguments, "made safe": non-string scalars stringified
  std::string value;             ///< the text of the exception

  /// to_json gives the wire form with all four keys present.
  Json to_json() const;
  /// from_json reads the wire form; missing keys become empty values.
  static ErrorInfo from_json(const Json& j);
};

/// Error is the base of every exception Hypha defines or carries.
class Error : public std::runtime_error {
 public:
  explicit Error(ErrorInfo info);
  /// Builds an error whose single argument is its message.
  Error(std::string exc_type, std::string exc_path, std::string message);

  const ErrorInfo& info() const noexcept { return info_; }

 protected:
  Error(ErrorInfo info, const std::string& what) : std::runtime_error(what), info_(std::move(info)) {}

 private:
  ErrorInfo info_;
};

/// RemoteError is an error raised in another worker whose type the caller does
/// not know; what() is "<exc_type> <value>".
class RemoteError : public Error {
 public:
  explicit RemoteError(ErrorInfo info);
};

/// BadRequest is the base of the caller's faults (Nameko's BadRequest).
class BadRequest : public Error {
 public:
  using Error::Error;
};

/// is_bad_request: whether an error is a BadRequest (by its exc_path): the
/// same call or event would fail the same way again, so it is not retried.
bool is_bad_request(const ErrorInfo& error) noexcept;

/// MethodNotFound: the service has no entrypoint of that name. Arg: the method.
class MethodNotFound : public BadRequest {
 public:
  explicit MethodNotFound(std::string method);
};

/// IncorrectSignature: wrong number, names or types of arguments; the message
/// names the argument.
class IncorrectSignature : public BadRequest {
 public:
  explicit IncorrectSignature(std::string message);
};

/// MalformedRequest: the request itself could not be understood.
class MalformedRequest : public BadRequest {
 public:
  explicit MalformedRequest(std::string message);
};

/// UnknownService: no running instance of the service can take the call.
class UnknownService : public Error {
 public:
  explicit UnknownService(std::string service);
};

/// RpcTimeout: the call's deadline passed before a reply came.
class RpcTimeout : public Error {
 public:
  explicit RpcTimeout(std::string message);
};

/// ContainerBeingKilled / ServiceStopping: the target is going away.
class ServiceStopping : public Error {
 public:
  explicit ServiceStopping(std::string service);
  /// As raised again by a caller (raise_error): the callee's fields kept.
  explicit ServiceStopping(ErrorInfo info) : Error(std::move(info)) {}
};

/// is_unavailable: whether a call failed for want of a service to answer it,
/// not because of anything the service said: UnknownService, RpcTimeout,
/// ContainerBeingKilled, or a transport that cannot reach its broker (a
/// transport's own errors have an exc_path under "hypha.transport.").
/// Callers in front of users answer these as "unavailable, try again".
bool is_unavailable(const ErrorInfo& error);

/// ConfigurationError: bad config; names the file, line and key where it can.
class ConfigurationError : public Error {
 public:
  explicit ConfigurationError(std::string message);
};

/// serialize_exception turns any exception into ErrorInfo. hypha::Error keeps
/// its own info, with exc_args made safe (safe_error_args), except a
/// RemoteError: a callee's error relayed by this worker becomes, as in Nameko,
/// {"RemoteError", "nameko.exceptions.RemoteError", [what()], what()} (so a
/// caller two hops up sees "RemoteError <exc_type> <value>"; register the
/// callee's error types to relay them typed instead). Other
/// std::exceptions get their demangled C++ type name with "::" written as "."
/// (std.invalid_argument) and what() as the single arg.
ErrorInfo serialize_exception(const std::exception_ptr& error) noexcept;

/// raise_error throws the exception an ErrorInfo stands for: a registered type
/// when its exc_path is known, else RemoteError.
[[noreturn]] void raise_error(ErrorInfo info);

/// register_error_type makes raise_error throw `make(info)` for errors with
/// this exc_path. Call at startup, before any call is made.
void register_error_type(std::string exc_path, std::function<void(ErrorInfo)> raise);

/// safe_error_args converts values Nameko-style: strings kept, arrays and
/// objects recursed, every other value stringified as Python's str() would
/// (42 -> "42", true -> "True", null -> "None").
Json safe_error_args(const Json& args);

}  // namespace hypha
