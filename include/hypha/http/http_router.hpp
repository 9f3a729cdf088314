// File: http_router.hpp
//
// HttpRouter matches a method and path against route patterns:
// "/users/<name>" (one segment), "/posts/<int:id>" (a signed 64-bit integer),
// "/files/<path:rest>" (the rest of the path). A path that matches some route
// with another method is a 405 with the allowed methods; HEAD is allowed
// wherever GET is.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/json.hpp"
#include "hypha/http/http_message.hpp"

namespace hypha {

/// HttpHandler answers a request; `params` are the converted path values in
/// pattern order (strings, or integers for <int:...>).
using HttpHandler = std::function<HttpResponse(const HttpRequest& request, Json params)>;

class HttpRouter {
 public:
  /// add registers a route for a comma-separated method list; returns its id.
  /// A `slow` route's handler runs off the server's threads (HttpServer).
  /// Throws std::invalid_argument on a malformed pattern.
  std::size_t add(std::string_view methods, std::string_view pattern, HttpHandler handler, bool slow = false);
  void remove(std::size_t id);

  /// MatchResult: a handler and its params, or the methods allowed on the path.
  struct Match {
    HttpHandler handler;  // empty when nothing matched this method
    Json params;
    bool slow = false;  // the route was added as slow
    std::vector<std::string> allowed;  // set when the path matched other methods only
  };
  Match match(std::string_view method, std::string_view path) const;
  bool empty() const;

 private:
  struct Segment {
    enum class Kind { kLiteral, kString, kInt, kPath } kind;
    std::string text;
  };
  struct Route {
    std::size_t id;
    std::vector<std::string> methods;
    std::vector<Segment> segments;
    HttpHandler handler;
    bool slow = false;
  };
  static bool match_route(const Route& route, std::string_view path, Json& params);

  mutable std::shared_mutex mutex_;
  std::vector<std::shared_ptr<const Route>> routes_;
  std::size_t next_id_ = 1;
};

}  // namespace hypha
