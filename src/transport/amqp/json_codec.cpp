#include "json_codec.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "hypha/core/utf8.hpp"

namespace hypha::amqp {
namespace {

using hypha::append_utf8;
using hypha::decode_utf8;

constexpr char kHex[] = "0123456789abcdef";

void append_u_escape(std::string& out, std::uint32_t unit) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(unit >> shift) & 0xF]);
}

// Python's float repr: shortest round-trip digits, fixed notation when the
// decimal exponent is in [-4, 16), scientific ("1e+16", "1.5e-07") otherwise.
void append_float(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v < 0 ? "-Infinity" : "Infinity";
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  bool negative = false;
  if (!sci.empty() && sci.front() == '-') {
    negative = true;
    sci.remove_prefix(1);
  }
  const auto e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exponent);
  if (negative) out.push_back('-');
  const int n = static_cast<int>(digits.size());
  if (exponent >= -4 && exponent < 16) {
    const int point = exponent + 1;
    if (point <= 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-point), '0');
      out += digits;
    } else if (point < n) {
      out.append(digits, 0, static_cast<std::size_t>(point));
      out.push_back('.');
      out.append(digits, static_cast<std::size_t>(point));
    } else {
      out += digits;
      out.append(static_cast<std::size_t>(point - n), '0');
      out += ".0";
    }
  } else {
    out.push_back(digits[0]);
    if (n > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.push_back('e');
    out.push_back(exponent < 0 ? '-' : '+');
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out.push_back('0');
    out += std::to_string(magnitude);
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Json parse_document() {
    skip_ws();
    Json value = parse_value(0);
    skip_ws();
    if (i_ != s_.size()) fail("Extra data");
    return value;
  }

 private:
  static constexpr int kMaxDepth = 512;

  [[noreturn]] void fail(const std::string& what) const {
    throw JsonDecodeError(what + " at char " + std::to_string(i_));
  }

  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }

  bool consume(std::string_view token) {
    if (s_.substr(i_, token.size()) == token) {
      i_ += token.size();
      return true;
    }
    return false;
  }

  Json parse_value(int depth) {
    if (depth > kMaxDepth) fail("Nesting too deep");
    if (i_ >= s_.size()) fail("Expecting value");
    switch (s_[i_]) {
      case '{': return parse_object(depth);
      case '[': return parse_array(depth);
      case '"': return parse_string();
      case 't':
        if (consume("true")) return true;
        break;
      case 'f':
        if (consume("false")) return false;
        break;
      case 'n':
        if (consume("null")) return nullptr;
        break;
      case 'N':
        if (consume("NaN")) return std::numeric_limits<double>::quiet_NaN();
        break;
      case 'I':
        if (consume("Infinity")) return std::numeric_limits<double>::infinity();
        break;
      case '-':
        if (consume("-Infinity")) return -std::numeric_limits<double>::infinity();
        return parse_number();
      default:
        if (s_[i_] >= '0' && s_[i_] <= '9') return parse_number();
    }
    fail("Expecting value");
  }

  Json parse_number() {
    const std::size_t start = i_;
    if (s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !(s_[i_] >= '0' && s_[i_] <= '9')) fail("Expecting value");
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    }
    bool is_float = false;
    if (i_ < s_.size() && s_[i_] == '.' && i_ + 1 < s_.size() && s_[i_ + 1] >= '0' && s_[i_ + 1] <= '9') {
      is_float = true;
      ++i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      std::size_t j = i_ + 1;
      if (j < s_.size() && (s_[j] == '+' || s_[j] == '-')) ++j;
      if (j < s_.size() && s_[j] >= '0' && s_[j] <= '9') {
        is_float = true;
        i_ = j;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      }
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + i_;
    if (!is_float) {
      std::int64_t signed_value = 0;
      auto r = std::from_chars(first, last, signed_value);
      if (r.ec == std::errc() && r.ptr == last) return signed_value;
      std::uint64_t unsigned_value = 0;
      r = std::from_chars(first, last, unsigned_value);
      if (r.ec == std::errc() && r.ptr == last) return unsigned_value;
      // Python ints are unbounded; beyond 64 bits the best we can do is a double.
    }
    double d = 0;
    auto r = std::from_chars(first, last, d);
    if (r.ptr != last) fail("Invalid number");
    if (r.ec == std::errc::result_out_of_range) {
      // from_chars leaves d unset here; strtod gives Python's answer (inf or 0).
      d = std::strtod(std::string(first, last).c_str(), nullptr);
    }
    return d;
  }

  std::uint32_t parse_hex4() {
    if (i_ + 4 > s_.size()) fail("Invalid \\uXXXX escape");
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else fail("Invalid \\uXXXX escape");
    }
    return v;
  }

  std::string parse_string() {
    ++i_;  // opening quote
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("Unterminated string starting");
      const char c = s_[i_];
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c == '\\') {
        ++i_;
        if (i_ >= s_.size()) fail("Unterminated string starting");
        const char e = s_[i_++];
        switch (e) {
          case '"': out.push_back('"'); break;
          case '\\': out.push_back('\\'); break;
          case '/': out.push_back('/'); break;
          case 'b': out.push_back('\b'); break;
          case 'f': out.push_back('\f'); break;
          case 'n': out.push_back('\n'); break;
          case 'r': out.push_back('\r'); break;
          case 't': out.push_back('\t'); break;
          case 'u': {
            std::uint32_t cp = parse_hex4();
            if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(i_, 2) == "\\u") {
              const std::size_t save = i_;
              i_ += 2;
              const std::uint32_t low = parse_hex4();
              if (low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              } else {
                i_ = save;  // a lone high surrogate; the next escape stands alone
              }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // lone surrogate: not representable in UTF-8
            append_utf8(out, cp);
            break;
          }
          default: fail("Invalid \\escape");
        }
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x80) {
        out.push_back(c);
        ++i_;
        continue;
      }
      const std::size_t start = i_;
      std::uint32_t cp = 0;
      if (!decode_utf8(s_, i_, cp)) fail("Invalid UTF-8");
      out.append(s_.substr(start, i_ - start));
    }
  }

  Json parse_array(int depth) {
    ++i_;
    Json out = Json::array();
    skip_ws();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return out;
    }
    for (;;) {
      skip_ws();
      out.push_back(parse_value(depth + 1));
      skip_ws();
      if (i_ >= s_.size()) fail("Expecting ',' delimiter");
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == ']') {
        ++i_;
        return out;
      }
      fail("Expecting ',' delimiter");
    }
  }

  Json parse_object(int depth) {
    ++i_;
    Json out = Json::object();
    skip_ws();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return out;
    }
    for (;;) {
      skip_ws();
      if (i_ >= s_.size() || s_[i_] != '"') fail("Expecting property name enclosed in double quotes");
      std::string key = parse_string();
      skip_ws();
      if (i_ >= s_.size() || s_[i_] != ':') fail("Expecting ':' delimiter");
      ++i_;
      skip_ws();
      out[std::move(key)] = parse_value(depth + 1);  // a repeated key: the last wins, as in Python
      skip_ws();
      if (i_ >= s_.size()) fail("Expecting ',' delimiter");
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == '}') {
        ++i_;
        return unwrap_envelope(std::move(out));
      }
      fail("Expecting ',' delimiter");
    }
  }

  // kombu >= 5.3 envelopes: {"__type__": T, "__value__": V} -> V for the types kombu registers.
  static Json unwrap_envelope(Json object) {
    if (object.size() != 2) return object;
    auto type = object.find("__type__");
    auto value = object.find("__value__");
    if (type == object.end() || value == object.end() || !type->is_string()) return object;
    const auto& name = type->get_ref<const std::string&>();
    if (name == "uuid") return uuid_text(std::move(*value));
    static constexpr std::string_view kKnown[] = {"datetime", "date", "time", "decimal", "bytes", "base64"};
    for (auto known : kKnown) {
      if (name == known) return std::move(*value);
    }
    return object;
  }

  // uuid_text gives a kombu uuid envelope's value as str(uuid) does (what
  // kombu <= 5.2 sent): kombu 5.3.0 wrote uuid.hex, later ones
  // {"hex": ..., "version": ...}. Anything else is kept as it came.
  static Json uuid_text(Json value) {
    if (value.is_object()) {
      auto hex = value.find("hex");
      if (hex == value.end() || !hex->is_string()) return value;
      value = std::move(*hex);
    }
    if (!value.is_string()) return value;
    std::string digits;
    for (char c : value.get_ref<const std::string&>()) {
      if (c == '-') continue;
      if (!std::isxdigit(static_cast<unsigned char>(c))) return value;
      digits.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (digits.size() != 32) return value;
    for (std::size_t at : {8, 13, 18, 23}) digits.insert(at, 1, '-');
    return digits;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default: append_u_escape(out, c);
      }
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    if (!decode_utf8(text, i, cp)) throw JsonEncodeError("string is not valid UTF-8");
    if (cp >= 0x10000) {
      cp -= 0x10000;
      append_u_escape(out, 0xD800 + (cp >> 10));
      append_u_escape(out, 0xDC00 + (cp & 0x3FF));
    } else {
      append_u_escape(out, cp);
    }
  }
  out.push_back('"');
}

void append_json(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: out += "null"; return;
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_integer: out += std::to_string(value.get<std::int64_t>()); return;
    case Json::value_t::number_unsigned: out += std::to_string(value.get<std::uint64_t>()); return;
    case Json::value_t::number_float: append_float(out, value.get<double>()); return;
    case Json::value_t::string: append_json_string(out, value.get_ref<const std::string&>()); return;
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += ", ";
        first = false;
        append_json(out, item);
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        append_json_string(out, it.key());
        out += ": ";
        append_json(out, it.value());
      }
      out.push_back('}');
      return;
    }
    case Json::value_t::binary: {
      // Not produced by Hypha's JSON; written as a list of byte values.
      out.push_back('[');
      bool first = true;
      for (auto byte : value.get_binary()) {
        if (!first) out += ", ";
        first = false;
        out += std::to_string(static_cast<unsigned>(byte));
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::discarded: out += "null"; return;
  }
}

std::string encode_json(const Json& value) {
  std::string out;
  append_json(out, value);
  return out;
}

Json decode_json(std::string_view text) { return Parser(text).parse_document(); }

}  // namespace hypha::amqp
