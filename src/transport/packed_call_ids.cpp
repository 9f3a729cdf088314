#include "packed_call_ids.hpp"

#include <cstring>
#include <string>

#include "hypha/core/hand_off_arena.hpp"

namespace hypha::detail {

PackedCallIds::PackedCallIds(const CallIdStack& ids) {
  if (ids.empty()) return;
  std::size_t bytes = 0;
  for (const std::string& id : ids) bytes += sizeof(std::uint32_t) + id.size();
  block_ = static_cast<char*>(HandOffArena::allocate(bytes));
  bytes_ = bytes;
  char* at = block_;
  for (const std::string& id : ids) {
    const auto length = static_cast<std::uint32_t>(id.size());
    std::memcpy(at, &length, sizeof length);
    std::memcpy(at + sizeof length, id.data(), length);
    at += sizeof length + length;
  }
}

PackedCallIds::~PackedCallIds() { HandOffArena::deallocate(block_, bytes_); }

CallIdStack PackedCallIds::unpack() {
  CallIdStack stack;
  for (const char* at = block_; at != block_ + bytes_;) {
    std::uint32_t length = 0;
    std::memcpy(&length, at, sizeof length);
    stack.push_back(std::string(at + sizeof length, length));
    at += sizeof length + length;
  }
  HandOffArena::deallocate(std::exchange(block_, nullptr), std::exchange(bytes_, 0));
  return stack;
}

}  // namespace hypha::detail
