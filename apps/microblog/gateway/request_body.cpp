#include "gateway/request_body.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/domain/ascii.hpp"
#include "common/domain/utf8.hpp"
#include "gateway/api_error.hpp"

namespace microblog::gateway {
namespace {

bool is_json_content_type(std::string_view value) {
  auto semicolon = value.find(';');
  auto media = value.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  while (!media.empty() && media.front() == ' ') media.remove_prefix(1);
  if (equals_ignoring_ascii_case(media, "application/json")) return true;
  // A structured-syntax type of JSON (RFC 6839), e.g. application/merge-patch+json.
  constexpr std::string_view kJsonSuffix = "+json";
  return media.size() > kJsonSuffix.size() + 12 && equals_ignoring_ascii_case(media.substr(0, 12), "application/") &&
         equals_ignoring_ascii_case(media.substr(media.size() - kJsonSuffix.size()), kJsonSuffix);
}

// nlohmann refuses numbers beyond double's range (1e999), which are valid JSON;
// such a number becomes 0 so that the field it sits in gets the usual
// "must be a string" answer instead of "malformed JSON".
std::string clamp_huge_numbers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) out.push_back(text[++i]);
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.push_back(c);
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i + 1;
      while (end < text.size() && std::strchr("0123456789.eE+-", text[end]) != nullptr) ++end;
      std::string token(text.substr(i, end - i));
      errno = 0;
      std::strtod(token.c_str(), nullptr);
      out += errno == ERANGE ? std::string("0") : token;
      i = end - 1;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

bool json_depth_within(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

JsonBody::JsonBody(const hypha::HttpRequest& request, std::initializer_list<std::string_view> allowed) {
  auto content_type = request.header("Content-Type");
  if (!is_json_content_type(content_type)) {
    throw ApiError(415, "unsupported_media_type", "the body must be JSON (Content-Type: application/json)");
  }
  if (!is_valid_utf8(request.body)) throw ApiError::bad_request("body: not valid UTF-8");
  if (!json_depth_within(request.body, kMaxJsonDepth)) throw ApiError::bad_request("body: nested too deeply");
  // nlohmann's parser stops at a NUL byte as at the end of the text, so
  // `{"text": "hi"}\0junk` would pass; a raw NUL is never valid JSON.
  if (request.body.find('\0') != std::string::npos) throw ApiError::bad_request("body: malformed JSON");
  // A name given twice in one object is refused (RFC 8259: parsers differ on
  // which one wins, so a proxy and this server could read different bodies).
  std::vector<std::vector<std::string>> names;  // of each open object
  std::string duplicate;
  auto watch = [&](int, hypha::Json::parse_event_t event, hypha::Json& parsed) {
    using Event = hypha::Json::parse_event_t;
    if (event == Event::object_start) names.emplace_back();
    if (event == Event::object_end && !names.empty()) names.pop_back();
    if (event == Event::key && !names.empty() && duplicate.empty()) {
      auto& seen = names.back();
      const auto& name = parsed.get_ref<const std::string&>();
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) duplicate = name;
      seen.push_back(name);
    }
    return true;
  };
  value_ = hypha::Json::parse(request.body, watch, false);
  if (value_.is_discarded()) {
    names.clear();
    duplicate.clear();
    value_ = hypha::Json::parse(clamp_huge_numbers(request.body), watch, false);
  }
  if (value_.is_discarded()) throw ApiError::bad_request("body: malformed JSON");
  if (!duplicate.empty()) throw ApiError::validation(duplicate + ": given more than once");
  if (!value_.is_object()) throw ApiError::bad_request("body: must be a JSON object");
  for (auto it = value_.begin(); it != value_.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      throw ApiError::validation(it.key() + ": unknown field");
    }
  }
}

std::string JsonBody::string_field(std::string_view name) const {
  auto it = value_.find(name);
  if (it == value_.end() || it->is_null()) throw ApiError::validation(std::string(name) + ": is required");
  if (!it->is_string()) throw ApiError::validation(std::string(name) + ": must be a string");
  return it->get<std::string>();
}

}  // namespace microblog::gateway
