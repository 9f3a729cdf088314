// Tally, for tests: a small value with a JSON mapping that counts its
// conversions, to check that in-process calls and events move C++ values
// with no JSON in between.
#pragma once

#include <atomic>
#include <string>

#include "hypha/core/json.hpp"

namespace hypha_test {

struct Tally {
  int n = 0;
  std::string label;
  static inline std::atomic<int> to_json_count{0};
  static inline std::atomic<int> from_json_count{0};
  static void reset_counts() {
    to_json_count = 0;
    from_json_count = 0;
  }
};

inline void to_json(hypha::Json& j, const Tally& t) {
  Tally::to_json_count.fetch_add(1);
  j = hypha::Json{{"n", t.n}, {"label", t.label}};
}

inline void from_json(const hypha::Json& j, Tally& t) {
  Tally::from_json_count.fetch_add(1);
  j.at("n").get_to(t.n);
  j.at("label").get_to(t.label);
}

}  // namespace hypha_test
