// File: call_id_stack.hpp
//
// CallIdStack holds the call ids of a context, oldest first: the ancestors'
// then the worker's own ("<service>.<method>.<uuid>"). It reads like a vector
// of strings (size, [], back, iteration, push_back).
//
// A worker's stack refers to its caller's ids instead of copying them
// (borrow): the caller outlives its worker, and every in-process call would
// otherwise copy the whole stack. Copies and moves of a stack own all their
// ids, so a copy may go anywhere (another thread, a queue, the wire).
//
// A worker's own id is drawn when first read (push_new): its uuid cost as
// much as the rest of an in-process call, and most workers never show their
// id. Reading a stack may therefore write to it, so a stack is read by one
// thread at a time, like any value being written; a worker's stack is read
// on its own thread, and copies for other threads are made there.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "hypha/core/json.hpp"

namespace hypha {

class CallIdStack {
 public:
  CallIdStack() = default;
  CallIdStack(std::initializer_list<std::string> ids) { assign(std::vector<std::string>(ids)); }
  explicit CallIdStack(std::vector<std::string> ids) { assign(std::move(ids)); }
  CallIdStack(const CallIdStack& other) { copy_into_empty(other); }
  CallIdStack(CallIdStack&& other) { take(other); }
  CallIdStack& operator=(const CallIdStack& other);
  CallIdStack& operator=(CallIdStack&& other) {
    if (this != &other) take(other);
    return *this;
  }

  std::size_t size() const noexcept { return inherited_ + older_.size() + (has_newest_ ? 1 : 0); }
  bool empty() const noexcept { return size() == 0; }
  const std::string& operator[](std::size_t i) const {
    if (i < inherited_) return (*parent_)[skip_ + i];
    i -= inherited_;
    return i < older_.size() ? older_[i] : newest();
  }
  const std::string& back() const { return has_newest_ ? newest() : (*this)[size() - 1]; }

  void push_back(std::string id);
  /// push appends `id`, keeping at most max_entries (dropping the oldest).
  void push(std::string id, std::size_t max_entries);
  /// push_new appends a new call id, "<service>.<method>.<uuid4>", drawn when
  /// first read; keeps at most max_entries. `service` and `method` must
  /// outlive this stack (a service definition's names do).
  void push_new(std::string_view service, std::string_view method, std::size_t max_entries) {
    // Inline for a worker's stack, which has room and no id of its own yet.
    if (has_newest_ || size() >= max_entries) return push_new_making_room(service, method, max_entries);
    pending_service_ = service;
    pending_method_ = method;
    newest_pending_ = true;
    has_newest_ = true;
  }
  void clear() noexcept;
  /// borrow makes this the parent's ids without copying them; `parent` must
  /// stay alive and unchanged while this stack is in use.
  void borrow(const CallIdStack& parent) noexcept {
    if (parent_ != nullptr || has_newest_ || !older_.empty()) clear();  // a new worker's stack is empty
    parent_ = &parent;
    inherited_ = parent.size();
  }

  std::vector<std::string> to_vector() const;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string*;
    using reference = const std::string&;
    const_iterator() = default;
    const_iterator(const CallIdStack* stack, std::size_t index) : stack_(stack), index_(index) {}
    reference operator*() const { return (*stack_)[index_]; }
    pointer operator->() const { return &(*stack_)[index_]; }
    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) {
      auto before = *this;
      ++index_;
      return before;
    }
    bool operator==(const const_iterator& other) const { return index_ == other.index_; }

   private:
    const CallIdStack* stack_ = nullptr;
    std::size_t index_ = 0;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  friend bool operator==(const CallIdStack& a, const CallIdStack& b);

 private:
  const CallIdStack* parent_ = nullptr;  // borrowed ids come first
  std::size_t skip_ = 0;                 // the parent's oldest ids left out
  std::size_t inherited_ = 0;            // the parent's ids shown
  // Own ids: older_ then newest_. A worker has one own id: kept out of the
  // vector, it costs no allocation beyond its string.
  std::vector<std::string> older_;
  mutable std::string newest_;
  bool has_newest_ = false;
  // push_new: newest_ is drawn from these at its first read.
  mutable bool newest_pending_ = false;
  std::string_view pending_service_;
  std::string_view pending_method_;

  const std::string& newest() const {
    if (newest_pending_) draw_newest();
    return newest_;
  }
  void draw_newest() const;
  void push_new_making_room(std::string_view service, std::string_view method, std::size_t max_entries);
  void retire_newest();
  /// make_room drops the oldest ids until one more fits in max_entries.
  void make_room(std::size_t max_entries);

  void assign(std::vector<std::string> ids);
  /// copy makes this own a copy of other's ids (no vector for a single id).
  void copy(const CallIdStack& other);
  /// copy_into_empty is copy() for a stack that has no ids and borrows none.
  void copy_into_empty(const CallIdStack& other);
  /// take moves other's own ids here (copies them when it borrows).
  void take(CallIdStack& other);
};

/// A stack is a JSON array of strings.
void to_json(Json& j, const CallIdStack& stack);

}  // namespace hypha
