#include "hypha/http/http_router.hpp"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <stdexcept>

namespace hypha {
namespace {

std::vector<std::string> split_methods(std::string_view methods) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= methods.size()) {
    auto comma = methods.find(',', start);
    auto token = methods.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::string method;
    for (char c : token) {
      if (c != ' ') method.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    if (!method.empty()) out.push_back(method);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::size_t HttpRouter::add(std::string_view methods, std::string_view pattern, HttpHandler handler, bool slow) {
  auto route = std::make_shared<Route>();
  route->methods = split_methods(methods);
  if (route->methods.empty()) throw std::invalid_argument("route " + std::string(pattern) + ": no method given");
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  }
  std::size_t pos = 1;
  while (pos <= pattern.size()) {
    auto slash = pattern.find('/', pos);
    auto part = pattern.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    Segment seg{Segment::Kind::kLiteral, std::string(part)};
    if (!part.empty() && part.front() == '<') {
      if (part.back() != '>') throw std::invalid_argument("bad route parameter in " + std::string(pattern));
      auto inside = part.substr(1, part.size() - 2);
      auto colon = inside.find(':');
      auto converter = colon == std::string_view::npos ? std::string_view("string") : inside.substr(0, colon);
      seg.text = std::string(colon == std::string_view::npos ? inside : inside.substr(colon + 1));
      if (converter == "string") seg.kind = Segment::Kind::kString;
      else if (converter == "int") seg.kind = Segment::Kind::kInt;
      else if (converter == "path") seg.kind = Segment::Kind::kPath;
      else throw std::invalid_argument("unknown route converter '" + std::string(converter) + "'");
    }
    route->segments.push_back(std::move(seg));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  route->handler = std::move(handler);
  route->slow = slow;
  std::unique_lock lock(mutex_);
  route->id = next_id_++;
  routes_.push_back(std::move(route));
  return routes_.back()->id;
}

void HttpRouter::remove(std::size_t id) {
  std::unique_lock lock(mutex_);
  std::erase_if(routes_, [id](const auto& r) { return r->id == id; });
}

bool HttpRouter::empty() const {
  std::shared_lock lock(mutex_);
  return routes_.empty();
}

bool HttpRouter::match_route(const Route& route, std::string_view path, Json& params) {
  if (path.empty() || path.front() != '/') return false;
  params = Json::array();
  std::size_t pos = 1;
  for (std::size_t i = 0; i < route.segments.size(); ++i) {
    const Segment& seg = route.segments[i];
    if (pos > path.size()) return false;
    if (seg.kind == Segment::Kind::kPath) {
      auto rest = path.substr(pos);
      if (rest.empty()) return false;
      params.push_back(std::string(rest));
      return i + 1 == route.segments.size();
    }
    auto slash = path.find('/', pos);
    auto part = path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    bool last = i + 1 == route.segments.size();
    if (last != (slash == std::string_view::npos)) return false;
    switch (seg.kind) {
      case Segment::Kind::kLiteral:
        if (part != seg.text) return false;
        break;
      case Segment::Kind::kString:
        if (part.empty()) return false;
        params.push_back(std::string(part));
        break;
      case Segment::Kind::kInt: {
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (part.empty() || ec != std::errc() || end != part.data() + part.size()) return false;
        params.push_back(value);
        break;
      }
      case Segment::Kind::kPath: break;
    }
    pos = slash == std::string_view::npos ? path.size() + 1 : slash + 1;
  }
  return true;
}

HttpRouter::Match HttpRouter::match(std::string_view method, std::string_view path) const {
  Match result;
  std::shared_lock lock(mutex_);
  for (const auto& route : routes_) {
    Json params;
    if (!match_route(*route, path, params)) continue;
    for (const auto& m : route->methods) {
      if (m == method || (method == "HEAD" && m == "GET")) {
        result.handler = route->handler;
        result.params = std::move(params);
        result.slow = route->slow;
        result.allowed.clear();
        return result;
      }
    }
    for (const auto& m : route->methods) {
      if (std::find(result.allowed.begin(), result.allowed.end(), m) == result.allowed.end()) result.allowed.push_back(m);
      if (m == "GET" && std::find(result.allowed.begin(), result.allowed.end(), "HEAD") == result.allowed.end()) {
        result.allowed.push_back("HEAD");
      }
    }
  }
  return result;
}

}  // namespace hypha
