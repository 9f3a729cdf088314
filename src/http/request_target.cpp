#include "request_target.hpp"

namespace hypha {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decoded is one decoded component, and whether it held an encoded NUL or "/".
struct Decoded {
  std::string text;
  bool has_nul = false;
  bool has_slash = false;
};

Decoded percent_decode(std::string_view raw, bool plus_is_space) {
  Decoded out;
  out.text.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '%' && i + 2 < raw.size()) {
      const int high = hex_value(raw[i + 1]);
      const int low = hex_value(raw[i + 2]);
      if (high >= 0 && low >= 0) {
        const char byte = static_cast<char>(high * 16 + low);
        out.has_nul |= byte == '\0';
        out.has_slash |= byte == '/';
        out.text.push_back(byte);
        i += 2;
        continue;
      }
    }
    out.text.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

// origin_form strips "scheme://authority" from an absolute-form target
// (RFC 9112 3.2.2: a server must accept it).
std::string_view origin_form(std::string_view raw) {
  const auto scheme_end = raw.find("://");
  if (raw.empty() || raw.front() == '/' || scheme_end == std::string_view::npos) return raw;
  const auto path = raw.find_first_of("/?", scheme_end + 3);  // "http://host?q": the path is "/"
  return path == std::string_view::npos ? std::string_view("/") : raw.substr(path);
}

}  // namespace

std::optional<TargetRefused> decode_request_target(std::string_view raw, HttpRequest& request) {
  raw = origin_form(raw);
  raw = raw.substr(0, raw.find('#'));  // a fragment is the client's own
  const auto question = raw.find('?');
  const std::string_view raw_path = raw.substr(0, question);

  Decoded path = percent_decode(raw_path, false);
  request.path = raw_path.empty() || raw_path.front() != '/' ? "/" + path.text : std::move(path.text);
  if (path.has_nul || path.has_slash) {
    return TargetRefused{404, "no resource at " + std::string(raw_path)};
  }

  request.query.clear();
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view rest = raw.substr(question + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    Decoded key = percent_decode(pair.substr(0, equals), true);
    Decoded value = percent_decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
    if (key.has_nul || value.has_nul) {
      return TargetRefused{400, "query parameter '" + std::string(pair.substr(0, equals)) +
                                    "' holds a NUL character (%00)"};
    }
    request.query.emplace_back(std::move(key.text), std::move(value.text));
  }
  return std::nullopt;
}

}  // namespace hypha
