// File: invocation.hpp
//
// Invocation is the input of one worker: positional and keyword arguments as
// JSON (Nameko's {"args": [...], "kwargs": {...}}), plus the HTTP request and
// response for `http` entrypoints. Entrypoints build it; the typed invoker of
// the handler converts it into the handler's parameter types.
//
// An in-process call may instead hand over its C++ values (typed_args) and a
// place for the C++ result (typed_result): when the handler's parameter and
// result types match them exactly, values move from caller to handler and
// back with no JSON in between. Anything else (other types, a call that
// crosses a thread or a process) uses the JSON form, built on demand.
#pragma once

#include <memory>
#include <new>
#include <tuple>
#include <utility>

#include "hypha/core/hand_off_arena.hpp"
#include "hypha/core/json.hpp"

namespace hypha {

struct HttpRequest;
struct HttpResponse;

namespace detail {
/// type_tag<T>'s address identifies T (one inline variable per type).
template <class T>
inline constexpr char type_tag = 0;

/// end_json_member ends the life of a Json kept in an anonymous union
/// (Invocation's args and kwargs, Outcome's result). A typed in-process call
/// leaves all three null, and GCC does not inline nlohmann's destroy(): the
/// three calls to it that find nothing to free were 7% of a call's samples.
/// A null Json owns nothing, so skipping its destructor is no leak.
inline void end_json_member(Json& member) noexcept {
  if (!member.is_null()) member.~Json();
}

/// JsonArguments is Invocation's JSON half: `args` and `kwargs`, each in
/// an anonymous union so that ending a null one is a test, not a call.
struct JsonArguments {
  union {
    Json args;  ///< array of positional arguments, or null for none
  };
  union {
    Json kwargs;  ///< object of keyword arguments, or null for none
  };
  JsonArguments() noexcept : args(), kwargs() {}
  JsonArguments(const JsonArguments& other) : args(other.args), kwargs() {
    try {
      kwargs = other.kwargs;
    } catch (...) {  // a union member is not ended by the unwinding
      end_json_member(args);
      throw;
    }
  }
  JsonArguments(JsonArguments&& other) noexcept : args(std::move(other.args)), kwargs(std::move(other.kwargs)) {}
  JsonArguments& operator=(const JsonArguments& other) {
    args = other.args;
    kwargs = other.kwargs;
    return *this;
  }
  JsonArguments& operator=(JsonArguments&& other) noexcept {
    args = std::move(other.args);
    kwargs = std::move(other.kwargs);
    return *this;
  }
  ~JsonArguments() {
    end_json_member(args);
    end_json_member(kwargs);
  }
};
}  // namespace detail

/// TypedArguments points at the caller's std::tuple of argument values.
struct TypedArguments {
  const void* type;            ///< &detail::type_tag<std::tuple<...>>
  void* values;                ///< the tuple, owned by the caller
  Json (*to_json)(void* values);  ///< the JSON array of the values (moved out)

  template <class Tuple>
  static TypedArguments of(Tuple& values) {
    return {&detail::type_tag<Tuple>, &values, [](void* v) {
              auto to_array = [](auto&... a) { return Json::array({Json(std::move(a))...}); };
              return std::apply(to_array, *static_cast<Tuple*>(v));
            }};
  }
  /// take returns the tuple when it is of type Tuple, else nullptr.
  template <class Tuple>
  Tuple* take() const noexcept {
    return type == &detail::type_tag<Tuple> ? static_cast<Tuple*>(values) : nullptr;
  }
};

/// ResultSlot<R> is where a typed call's result lands. The handler's return
/// value is constructed in it (fill), with no move in between.
template <class R>
class ResultSlot {
 public:
  ResultSlot() noexcept {}
  ~ResultSlot() {
    if (full_) value_.~R();
  }
  ResultSlot(const ResultSlot&) = delete;
  ResultSlot& operator=(const ResultSlot&) = delete;

  /// fill stores make()'s result (a prvalue: constructed in place).
  template <class Make>
  void fill(Make&& make) {
    ::new (static_cast<void*>(&value_)) R(std::forward<Make>(make)());
    full_ = true;
  }
  explicit operator bool() const noexcept { return full_; }
  R& operator*() noexcept { return value_; }

 private:
  union {
    R value_;
  };
  bool full_ = false;
};

/// TypedResult points at the caller's ResultSlot<R> for the result.
struct TypedResult {
  const void* type;  ///< &detail::type_tag<R>
  void* slot;        ///< the ResultSlot<R>, owned by the caller

  template <class R>
  static TypedResult of(ResultSlot<R>& slot) {
    return {&detail::type_tag<R>, &slot};
  }
  /// wants: whether the caller takes an R.
  template <class R>
  bool wants() const noexcept {
    return type == &detail::type_tag<R>;
  }
  /// fill stores make()'s R in the caller's slot; only when wants<R>().
  template <class R, class Make>
  void fill(Make&& make) const {
    static_cast<ResultSlot<R>*>(slot)->fill(std::forward<Make>(make));
  }
};

/// TypedPayload is an event's payload as a C++ value (or a Json), shared
/// read-only by every delivery (and retry) of the event. An in-process handler whose
/// parameter is that type (by value or const reference) reads it in place;
/// any other handler, and every other transport, gets its JSON form.
class TypedPayload {
 public:
  TypedPayload() = default;
  template <class T>
  static TypedPayload of(T value) {
    TypedPayload payload;
    // Made on the dispatching thread, freed on a handler's (hand_off_arena.hpp).
    if constexpr (alignof(HolderOf<T>) <= detail::HandOffArena::kAlignment) {
      payload.holder_ = std::allocate_shared<HolderOf<T>>(detail::HandOffAllocator<HolderOf<T>>{}, std::move(value));
    } else {
      payload.holder_ = std::make_shared<const HolderOf<T>>(std::move(value));
    }
    return payload;
  }
  /// arguments: the value as a handler's single argument, borrowed
  /// (a std::tuple<const T&>); valid while this payload or a copy lives.
  const TypedArguments& arguments() const noexcept { return holder_->arguments; }
  /// to_json converts (a copy of) the value.
  Json to_json() const { return holder_->to_json(); }

 private:
  struct Holder {
    virtual ~Holder() = default;
    virtual Json to_json() const = 0;
    TypedArguments arguments{};
  };
  template <class T>
  struct HolderOf final : Holder {
    explicit HolderOf(T v) : value(std::move(v)), view(value) { arguments = TypedArguments::of(view); }
    HolderOf(const HolderOf&) = delete;  // view refers to this object's value
    HolderOf& operator=(const HolderOf&) = delete;
    Json to_json() const override { return Json(value); }
    T value;
    std::tuple<const T&> view;
  };
  std::shared_ptr<const Holder> holder_;
};

/// Invocation's `args` and `kwargs` (Json) come from detail::JsonArguments.
struct Invocation : detail::JsonArguments {
  const HttpRequest* request = nullptr;  ///< set for http entrypoints
  HttpResponse* response = nullptr;      ///< where http handlers' answers go
  /// typed_args, when set, are the positional arguments instead of `args`.
  const TypedArguments* typed_args = nullptr;
  /// typed_result, when set, receives a result of its type instead of JSON.
  const TypedResult* typed_result = nullptr;

  /// from_payload reads {"args": [...], "kwargs": {...}}; throws
  /// MalformedRequest when the payload is not of that shape.
  static Invocation from_payload(Json payload);
  /// positional builds an invocation from positional arguments.
  static Invocation positional(Json args) {
    Invocation inv;
    inv.args = std::move(args);
    return inv;
  }
  /// to_json_args turns typed arguments into `args` (no-op without them).
  void to_json_args();
  /// detach gives up the caller's typed values and result slot: for an
  /// invocation that may outlive the caller's stack frame (queued, remote).
  void detach() {
    to_json_args();
    typed_result = nullptr;
  }
};

}  // namespace hypha
