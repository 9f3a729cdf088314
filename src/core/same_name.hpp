// File: same_name.hpp
//
// same_name compares two names of the kind a call looks up (service, method)
// or an event's route (source, event type), a few bytes long, inline: a word
// at a time, no call into libc. Through memcmp, the two lookups of every
// in-process call cost two calls through the PLT and the setup of a routine
// tuned for long buffers.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace hypha::detail {

inline bool same_name(std::string_view a, std::string_view b) noexcept {
  std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  // Fixed-size memcpy compiles to one load; unaligned loads are fine here.
  auto load8 = [](const char* s) {
    std::uint64_t w;
    std::memcpy(&w, s, 8);
    return w;
  };
  auto load4 = [](const char* s) {
    std::uint32_t w;
    std::memcpy(&w, s, 4);
    return w;
  };
  if (n >= 8) {
    for (; n > 8; n -= 8, p += 8, q += 8) {
      if (load8(p) != load8(q)) return false;
    }
    return load8(a.data() + a.size() - 8) == load8(b.data() + b.size() - 8);  // the last 8, overlapping
  }
  if (n >= 4) return load4(p) == load4(q) && load4(p + n - 4) == load4(q + n - 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}

}  // namespace hypha::detail
