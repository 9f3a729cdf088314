#include "hypha/core/call_id_stack.hpp"

#include <algorithm>

#include "hypha/core/context_data.hpp"

namespace hypha {

CallIdStack& CallIdStack::operator=(const CallIdStack& other) {
  if (this != &other) copy(other);
  return *this;
}

// copy reads `other` into a new stack first: `other` may read through to
// this one (a parent assigned its borrowing child).
void CallIdStack::copy(const CallIdStack& other) {
  CallIdStack fresh;
  fresh.copy_into_empty(other);
  take(fresh);
}

// copy_into_empty: a copy into a stack just made (an event's delivery copies
// its sender's context): nothing to clear, and `other` cannot read through
// to it, so the ids go straight to their places.
void CallIdStack::copy_into_empty(const CallIdStack& other) {
  const std::size_t n = other.size();
  if (n == 0) return;
  if (n > 1) {
    older_.reserve(n - 1);
    for (std::size_t i = 0; i + 1 < n; ++i) older_.push_back(other[i]);
  }
  newest_ = other[n - 1];
  has_newest_ = true;
}

void CallIdStack::assign(std::vector<std::string> ids) {
  clear();
  if (ids.empty()) return;
  newest_ = std::move(ids.back());
  has_newest_ = true;
  ids.pop_back();
  older_ = std::move(ids);
}

void CallIdStack::take(CallIdStack& other) {
  if (other.parent_ != nullptr) return copy(other);
  clear();
  older_ = std::move(other.older_);
  other.newest();  // drawn: the names it comes from may not outlive the move
  newest_ = std::move(other.newest_);
  has_newest_ = other.has_newest_;
  other.clear();
}

void CallIdStack::push_back(std::string id) {
  retire_newest();
  newest_ = std::move(id);
  newest_pending_ = false;
  has_newest_ = true;
}

void CallIdStack::push(std::string id, std::size_t max_entries) {
  make_room(max_entries);
  push_back(std::move(id));
}

void CallIdStack::push_new_making_room(std::string_view service, std::string_view method, std::size_t max_entries) {
  make_room(max_entries);
  retire_newest();
  newest_.clear();
  pending_service_ = service;
  pending_method_ = method;
  newest_pending_ = true;
  has_newest_ = true;
}

void CallIdStack::make_room(std::size_t max_entries) {
  if (max_entries == 0) max_entries = 1;
  while (size() >= max_entries) {
    if (inherited_ > 0) {
      ++skip_;
      --inherited_;
    } else if (!older_.empty()) {
      older_.erase(older_.begin());
    } else {
      has_newest_ = false;
      newest_pending_ = false;
    }
  }
}

// retire_newest moves the newest id, if any, to the older ones.
void CallIdStack::retire_newest() {
  if (!has_newest_) return;
  newest();
  older_.push_back(std::move(newest_));
}

void CallIdStack::draw_newest() const {
  newest_ = new_call_id(pending_service_, pending_method_);
  newest_pending_ = false;
}

void CallIdStack::clear() noexcept {
  parent_ = nullptr;
  skip_ = 0;
  inherited_ = 0;
  older_.clear();
  newest_.clear();
  has_newest_ = false;
  newest_pending_ = false;
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
