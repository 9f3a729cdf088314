// File: dependencies/context.hpp
//
// ContextAccess gives a worker its own ContextData: read the user id or
// language that came with the call, or set values (the gateway sets the
// authenticated user id) that flow on with every call and event it makes.
//
//   hypha::ContextAccess context_;  // in define():
//   s.dependency("context", &S::context_, hypha::context_access());
//   context_->set("user_id", "alice");
#pragma once

#include "hypha/core/context_data.hpp"
#include "hypha/core/extension.hpp"

namespace hypha {

class ContextAccess {
 public:
  ContextAccess() = default;
  explicit ContextAccess(ContextData* data) : data_(data) {}
  ContextData& operator*() const noexcept { return *data_; }
  ContextData* operator->() const noexcept { return data_; }
  bool bound() const noexcept { return data_ != nullptr; }

 private:
  ContextData* data_ = nullptr;
};

ProviderFactory<ContextAccess> context_access();

}  // namespace hypha
