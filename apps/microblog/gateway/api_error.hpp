// File: gateway/api_error.hpp
//
// ApiError is an HTTP error answer raised anywhere in a gateway handler; the
// handler wrapper turns it (and errors from the services, by exc_type) into
// the contract's JSON error body:
//   {"error": {"code": "not_found", "message": "no user named 'zed'"}}
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "hypha/http/http_message.hpp"

namespace microblog::gateway {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, std::string message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}

  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  hypha::HttpHeaders headers;

  static ApiError bad_request(std::string message) { return ApiError(400, "bad_request", std::move(message)); }
  static ApiError validation(std::string message) { return ApiError(400, "validation_failed", std::move(message)); }
  static ApiError unauthorized(std::string message);
  static ApiError forbidden(std::string message) { return ApiError(403, "forbidden", std::move(message)); }
  static ApiError not_found(std::string message) { return ApiError(404, "not_found", std::move(message)); }

 private:
  int status_;
  std::string code_;
};

/// error_body builds the JSON error response.
hypha::HttpResponse error_body(int status, std::string_view code, std::string_view message);

/// respond runs a handler body and maps every failure to an HTTP answer:
/// ApiError as given; service errors by kind (NotFound -> 404, ...);
/// an unreachable service -> 503; anything else -> 500 without details.
hypha::HttpResponse respond(const std::function<hypha::HttpResponse()>& body);

}  // namespace microblog::gateway
