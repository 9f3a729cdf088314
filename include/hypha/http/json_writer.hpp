// File: json_writer.hpp
//
// JsonWriter appends JSON text to a string as it goes, without building a
// Json tree first: for hot responses (a page of microposts), building and
// then dumping a tree of std::map nodes cost most of the handler's CPU
// (docs/performance.md). Commas are placed for you; strings are escaped as
// RFC 8259 requires, and bytes that are not valid UTF-8 become U+FFFD, as
// HttpResponse::json() does.
//
//   hypha::JsonWriter w;
//   w.begin_object().key("name").string("alice").key("posts").number(3).end_object();
//   return hypha::HttpResponse::json_text(200, w.take());   // {"name":"alice","posts":3}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hypha/core/json.hpp"

namespace hypha {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  /// key writes an object member's name; the next call writes its value.
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(std::int64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  /// value writes any Json value (dumped as HttpResponse::json() would).
  JsonWriter& value(const Json& value);

  /// take returns the text written so far and leaves the writer empty.
  std::string take();

 private:
  void before_value();
  void escaped(std::string_view text);

  std::string out_;
  bool need_comma_ = false;
};

}  // namespace hypha
