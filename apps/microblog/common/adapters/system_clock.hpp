// File: common/adapters/system_clock.hpp
//
// system_now_ms: the wall clock in Unix milliseconds, the time a service
// stamps on what it writes (a user's creation, a micropost, a follow). The
// domain takes times as arguments and never reads a clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace microblog {

inline std::int64_t system_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace microblog
