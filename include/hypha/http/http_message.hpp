// File: http_message.hpp
//
// HttpRequest and HttpResponse are what `http` entrypoints receive and return.
// Plain data, no server types: handlers are testable without a socket.
//
//   hypha::HttpResponse get_user(const hypha::HttpRequest& req, std::string name) {
//     return hypha::HttpResponse::json(200, {{"name", name}});
//   }
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hypha/core/json.hpp"

namespace hypha {

/// CaseInsensitiveLess orders header names ignoring ASCII case.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept;
};

using HttpHeaders = std::map<std::string, std::string, CaseInsensitiveLess>;

/// HttpRequest is one request as the server parsed it.
struct HttpRequest {
  std::string method;  ///< upper-case verb
  std::string path;    ///< percent-decoded path, without the query
  std::vector<std::pair<std::string, std::string>> query;  ///< decoded, in order
  HttpHeaders headers;
  std::string body;

  /// header returns a header's value, or "" when absent.
  std::string_view header(std::string_view name) const;
  /// query_value returns the first value of a query parameter, if present.
  std::optional<std::string_view> query_value(std::string_view name) const;
};

/// HttpResponse is what a handler answers.
struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;

  /// json builds a response with a JSON body and its content type.
  static HttpResponse json(int status, const Json& body);
  /// json_text builds a response from JSON text already written (JsonWriter).
  static HttpResponse json_text(int status, std::string body);
  /// text builds a text/plain response.
  static HttpResponse text(int status, std::string body);
  /// empty builds a response without a body (e.g. 204).
  static HttpResponse empty(int status);
};

/// kJsonContentType is the content type of JSON bodies Hypha sends.
inline constexpr const char* kJsonContentType = "application/json; charset=utf-8";

}  // namespace hypha
