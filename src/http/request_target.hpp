// File: request_target.hpp
//
// decode_request_target turns a request's raw target, as it came on the
// request line ("/api/users/al%69ce?size=5&text=a+b"), into the decoded
// path and query of an HttpRequest. The server routes on what this gives,
// not on libmicrohttpd's decoding, which cuts a value at an encoded NUL
// ("/api/users%00x" became "/api/users") and turns "%2F" into a separator.
//
//   HttpRequest request;
//   if (auto refused = decode_request_target("/a%2Fb", request)) answer(refused->status, refused->message);
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hypha/http/http_message.hpp"

namespace hypha {

/// TargetRefused says why a target cannot be served: 404 for a path that
/// names no resource (an encoded NUL or "/" in it), 400 for a query value
/// with an encoded NUL.
struct TargetRefused {
  int status;
  std::string message;
};

/// decode_request_target sets request.path and request.query from `raw`
/// (origin form "/p?q", or absolute form "http://host/p?q"). Percent
/// escapes are decoded; a malformed one ("%zz") stays as written; "+" in
/// the query is a space.
std::optional<TargetRefused> decode_request_target(std::string_view raw, HttpRequest& request);

}  // namespace hypha
