#include "hypha/http/json_writer.hpp"

#include <charconv>
#include <utility>

#include "hypha/core/utf8.hpp"

namespace hypha {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// is_plain: printable ASCII that JSON writes as itself.
constexpr bool is_plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

}  // namespace

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  escaped(name);
  out_.push_back(':');
  need_comma_ = false;  // the value follows without a comma
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  before_value();
  escaped(value);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::number(std::int64_t value) {
  before_value();
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out_.append(digits, end);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  before_value();
  out_.append(value ? "true" : "false");
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_.append("null");
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(const Json& value) {
  before_value();
  out_.append(value.dump(-1, ' ', false, Json::error_handler_t::replace));
  need_comma_ = true;
  return *this;
}

std::string JsonWriter::take() {
  need_comma_ = false;
  return std::exchange(out_, std::string());
}

void JsonWriter::before_value() {
  if (need_comma_) out_.push_back(',');
}

void JsonWriter::escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out_.reserve(out_.size() + text.size() + 2);
  out_.push_back('"');
  std::size_t i = 0;
  while (i < text.size()) {
    // Most text is printable ASCII: copy each run of it in one append.
    const std::size_t run = i;
    while (i < text.size() && is_plain(static_cast<unsigned char>(text[i]))) ++i;
    if (i > run) out_.append(text.data() + run, i - run);
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t start = i;
      std::uint32_t code_point = 0;
      if (decode_utf8(text, i, code_point)) {
        out_.append(text.substr(start, i - start));
      } else {
        out_.append(kReplacement);
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"': out_.append("\\\""); break;
      case '\\': out_.append("\\\\"); break;
      case '\b': out_.append("\\b"); break;
      case '\f': out_.append("\\f"); break;
      case '\n': out_.append("\\n"); break;
      case '\r': out_.append("\\r"); break;
      case '\t': out_.append("\\t"); break;
      default:
        out_.append("\\u00");
        out_.push_back(kHex[c >> 4]);
        out_.push_back(kHex[c & 0xF]);
    }
    ++i;
  }
  out_.push_back('"');
}

}  // namespace hypha
