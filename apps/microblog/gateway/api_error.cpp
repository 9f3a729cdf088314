#include "gateway/api_error.hpp"

#include "hypha/core/errors.hpp"
#include "hypha/core/logging.hpp"

namespace microblog::gateway {
namespace {

hypha::HttpResponse from_service_error(const hypha::ErrorInfo& info) {
  const std::string& kind = info.exc_type;
  if (kind == "ValidationFailed") return error_body(400, "validation_failed", info.value);
  if (kind == "NotFound") return error_body(404, "not_found", info.value);
  if (kind == "Conflict") return error_body(409, "conflict", info.value);
  if (kind == "Forbidden") return error_body(403, "forbidden", info.value);
  if (kind == "Unauthorized") {
    auto response = error_body(401, "unauthorized", info.value);
    response.headers["WWW-Authenticate"] = "Bearer";
    return response;
  }
  if (kind == "TooManyRequests") {
    auto response = error_body(429, "too_many_requests", info.value);
    std::string retry = "60";
    if (info.exc_args.size() > 1 && info.exc_args[1].is_string()) retry = info.exc_args[1].get<std::string>();
    response.headers["Retry-After"] = retry;
    return response;
  }
  if (hypha::is_unavailable(info) || kind == "Unavailable") {
    hypha::log::warn("a service is unavailable: {} {}", kind, info.value);
    // Only a call that never reached a service is known to have changed nothing: one
    // that timed out or lost its connection may have run (a retried write may then repeat).
    const bool never_reached = kind == "UnknownService" || kind == "ContainerBeingKilled";
    return error_body(503, "unavailable",
                      never_reached ? "a service this request needs is unavailable; nothing was changed"
                                    : "a service this request needs did not answer; try again later");
  }
  hypha::log::error("unexpected service error {}: {}", info.exc_path, info.value);
  return error_body(500, "internal", "internal error");
}

}  // namespace

ApiError ApiError::unauthorized(std::string message) {
  ApiError error(401, "unauthorized", std::move(message));
  error.headers["WWW-Authenticate"] = "Bearer";
  return error;
}

hypha::HttpResponse error_body(int status, std::string_view code, std::string_view message) {
  return hypha::HttpResponse::json(status, hypha::Json{{"error", {{"code", code}, {"message", message}}}});
}

hypha::HttpResponse respond(const std::function<hypha::HttpResponse()>& body) {
  try {
    return body();
  } catch (const ApiError& e) {
    auto response = error_body(e.status(), e.code(), e.what());
    for (const auto& [name, value] : e.headers) response.headers[name] = value;
    return response;
  } catch (const hypha::Error& e) {
    return from_service_error(e.info());
  } catch (const std::exception& e) {
    hypha::log::error("gateway handler failed: {}", e.what());
    return error_body(500, "internal", "internal error");
  }
}

}  // namespace microblog::gateway
