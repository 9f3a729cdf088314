#include "hypha/core/call_id_stack.hpp"

#include <algorithm>

namespace hypha {

CallIdStack& CallIdStack::operator=(const CallIdStack& other) {
  if (this != &other) {
    std::vector<std::string> ids = other.to_vector();
    clear();
    own_ = std::move(ids);
  }
  return *this;
}

CallIdStack& CallIdStack::operator=(CallIdStack&& other) {
  if (this != &other) {
    std::vector<std::string> ids = other.parent_ == nullptr ? std::move(other.own_) : other.to_vector();
    clear();
    own_ = std::move(ids);
  }
  return *this;
}

void CallIdStack::push(std::string id, std::size_t max_entries) {
  if (max_entries == 0) max_entries = 1;
  while (size() >= max_entries) {
    if (inherited_ > 0) {
      ++skip_;
      --inherited_;
    } else {
      own_.erase(own_.begin());
    }
  }
  own_.push_back(std::move(id));
}

void CallIdStack::clear() noexcept {
  parent_ = nullptr;
  skip_ = 0;
  inherited_ = 0;
  own_.clear();
}

void CallIdStack::borrow(const CallIdStack& parent) noexcept {
  clear();
  parent_ = &parent;
  inherited_ = parent.size();
}

std::vector<std::string> CallIdStack::to_vector() const {
  std::vector<std::string> ids;
  ids.reserve(size());
  for (const auto& id : *this) ids.push_back(id);
  return ids;
}

bool operator==(const CallIdStack& a, const CallIdStack& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

void to_json(Json& j, const CallIdStack& stack) {
  j = Json::array();
  for (const auto& id : stack) j.push_back(id);
}

}  // namespace hypha
