// File: json.hpp
//
// hypha::Json is the value type that crosses every service boundary: RPC
// arguments and results, event payloads, config. It is nlohmann::json (Debian's
// nlohmann-json3-dev), the field-standard C++ JSON library.
//
// A user type becomes an argument or result type by providing the usual
// nlohmann mapping next to the type:
//
//   struct Point { int x; std::string s; };
//   NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Point, x, s)
#pragma once

#include <nlohmann/json.hpp>

namespace hypha {

using Json = nlohmann::json;

/// json_type_name names a JSON value's type the way error messages do
/// ("string", "number", "object", ...).
inline const char* json_type_name(const Json& j) noexcept { return j.type_name(); }

}  // namespace hypha
