// Private to the AMQP transport: JSON as kombu (Python's json module) writes
// and reads it, so that message bodies match Python Nameko's byte for byte where
// practical.
//
// Writing (encode_json): separators ", " and ": ", ensure_ascii (every
// character outside printable ASCII as \uXXXX, lower-case hex, surrogate pairs
// above U+FFFF), floats as Python's repr (1.0, 1e+16, 1e-05), NaN, Infinity and
// -Infinity as bare tokens. Object keys come out in the Json's own order
// (sorted: nlohmann keeps a std::map); where Nameko's order is fixed (reply and
// error objects) the wire module writes the keys itself.
//
// Reading (decode_json): standard JSON plus the bare NaN/Infinity/-Infinity
// tokens Python emits, and kombu >= 5.3 type envelopes: an object whose keys are
// exactly {"__type__", "__value__"} with a known type (datetime, date, time,
// decimal, uuid, bytes, base64) becomes its plain __value__ (ISO text, decimal
// text, uuid text, the bytes' UTF-8 text, base64 text). Unknown envelope types
// are kept as objects. Strings must be valid UTF-8.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "hypha/core/json.hpp"

namespace hypha::amqp {

/// JsonDecodeError: the text is not JSON as Python reads it; what() says where.
class JsonDecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// JsonEncodeError: the value cannot be written (a string that is not UTF-8).
class JsonEncodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// encode_json writes `value` the way kombu's json serializer does.
std::string encode_json(const Json& value);
/// append_json is encode_json appending to `out`.
void append_json(std::string& out, const Json& value);
/// append_json_string appends a quoted, ensure_ascii-escaped string.
void append_json_string(std::string& out, std::string_view text);

/// decode_json reads one JSON document (see the file comment); throws JsonDecodeError.
Json decode_json(std::string_view text);

}  // namespace hypha::amqp
