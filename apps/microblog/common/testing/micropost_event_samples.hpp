// File: common/testing/micropost_event_samples.hpp
//
// Payloads of the posts service's events, as tests of their subscribers
// (timeline, search) send them: micropost `id` was created at 1,000,000 + id
// ms, edited 500 ms later, deleted at 2,000,000 ms.
#pragma once

#include <cstdint>
#include <string>

#include "contracts/micropost_events.hpp"

namespace microblog::testing::micropost_samples {

inline hypha::Json created(std::uint64_t id, const std::string& author, const std::string& text) {
  return contracts::MicropostCreated{id, author, text, {}, 1'000'000 + static_cast<std::int64_t>(id), 1};
}
inline hypha::Json edited(std::uint64_t id, const std::string& author, const std::string& text,
                          std::int64_t version) {
  const auto created_ms = 1'000'000 + static_cast<std::int64_t>(id);
  return contracts::MicropostEdited{id, author, text, {}, created_ms, created_ms + 500, version};
}
inline hypha::Json deleted(std::uint64_t id, const std::string& author) {
  return contracts::MicropostDeleted{id, author, 2'000'000};
}

}  // namespace microblog::testing::micropost_samples
