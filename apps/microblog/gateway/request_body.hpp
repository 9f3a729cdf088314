// File: gateway/request_body.hpp
//
// Reading a write request's JSON body the strict way the contract asks: the
// content type must be JSON (415), the bytes valid UTF-8 and the JSON well
// formed and an object (400 bad_request), with exactly the expected fields of
// the expected types (400 validation_failed naming the field).
//
//   JsonBody body(request, {"username", "password"});
//   std::string name = body.string_field("username");
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "hypha/http/http_message.hpp"

namespace microblog::gateway {

class JsonBody {
 public:
  /// Parses and checks the body; throws ApiError. `allowed` lists the fields
  /// that may appear; any other field is an error.
  JsonBody(const hypha::HttpRequest& request, std::initializer_list<std::string_view> allowed);

  /// string_field returns a required string field.
  std::string string_field(std::string_view name) const;

 private:
  hypha::Json value_;
};

/// max_json_depth is how deeply a body may nest arrays and objects.
inline constexpr int kMaxJsonDepth = 32;

/// json_depth_within scans (without parsing) whether nesting stays within `limit`.
bool json_depth_within(std::string_view text, int limit);

}  // namespace microblog::gateway
