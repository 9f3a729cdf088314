// File: function_ref.hpp
//
// FunctionRef<R(Args...)> refers to a callable without owning it: two
// pointers, no allocation, no copy, no destructor to run. For a parameter
// called before the function returns, on paths taken by every worker (a
// std::function there cost a manager call to build and one to destroy):
//
//   void run_sync(FunctionRef<void()> work);
//   pool.run_sync([&] { execute(...); });  // the lambda outlives the call
//
// Do not keep one beyond the call: the callable it refers to may be a
// temporary of the caller's expression.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace hypha {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> && std::is_invocable_r_v<R, F&, Args...>)
  FunctionRef(F&& f) noexcept  // NOLINT(google-explicit-constructor): stands in for the callable
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return std::invoke(*static_cast<std::remove_reference_t<F>*>(object), std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace hypha
