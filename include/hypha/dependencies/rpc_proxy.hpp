// File: rpc_proxy.hpp
//
// RpcProxy calls another service's RPC methods from inside a worker, carrying
// the worker's context (call id stack, user id, language, traceparent).
//
//   hypha::RpcProxy posts_;  // member; declared in define():
//   s.dependency("posts", &Gateway::posts_, hypha::rpc_proxy("posts"));
//
//   auto post = posts_.call("get_post", id);                   // blocking, Json
//   auto n = posts_.call_as<int>("count", "alice");            // typed result
//   auto future = posts_.call_async("get_post", id);           // no thread held
//   auto value = future.get(std::chrono::milliseconds(500));   // RpcTimeout if late
//   auto fast = posts_.with_timeout(std::chrono::seconds(1)).call("ping");
//
// Errors: the callee's exception arrives as RemoteError (or its registered
// type); UnknownService when no instance serves the target; RpcTimeout.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "hypha/core/extension.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha {

class RpcProxy {
 public:
  RpcProxy() = default;
  RpcProxy(RpcClient* client, std::string_view service, const ContextData* context)
      : client_(client), service_(service), context_(context) {}

  /// call invokes `method` with positional arguments; returns the JSON result.
  /// In process, arguments of the handler's exact parameter types move to it
  /// without JSON (see Invocation); string literals travel as std::string.
  template <class... Args>
  Json call(std::string_view method, Args&&... args) const {
    ArgumentTuple<Args...> values(std::forward<Args>(args)...);
    const auto typed = TypedArguments::of(values);
    return call_typed(method, typed, nullptr).value();
  }
  /// call_as converts the result to R (nlohmann errors when the shape is
  /// wrong). In process, an R result moves back without JSON.
  template <class R, class... Args>
  R call_as(std::string_view method, Args&&... args) const {
    ArgumentTuple<Args...> values(std::forward<Args>(args)...);
    const auto typed = TypedArguments::of(values);
    ResultSlot<R> result;
    const auto slot = TypedResult::of(result);
    Outcome outcome = call_typed(method, typed, &slot);
    std::move(outcome).raise_if_error();
    if (result) return std::move(*result);
    return std::move(outcome.result).template get<R>();
  }
  /// call_json invokes with explicit args (array) and kwargs (object).
  Json call_json(std::string_view method, Json args, Json kwargs = nullptr) const;

  /// call_async sends the call and returns at once.
  template <class... Args>
  RpcFuture call_async(std::string_view method, Args&&... args) const {
    std::tuple<ArgumentValue<Args>...> values(std::forward<Args>(args)...);
    const auto typed = TypedArguments::of(values);
    return call_async_json(method, typed.to_json(typed.values));  // it may outlive this frame: JSON
  }
  RpcFuture call_async_json(std::string_view method, Json args, Json kwargs = nullptr) const;

  /// with_timeout returns a proxy whose calls have this deadline.
  RpcProxy with_timeout(std::chrono::milliseconds timeout) const {
    RpcProxy copy = *this;
    copy.options_.timeout = timeout;
    return copy;
  }

  const std::string& service() const noexcept { return service_; }
  bool bound() const noexcept { return client_ != nullptr; }

 private:
  // ArgumentValue is how an argument travels: decayed, with C strings and
  // string views as std::string (nullptr stays nullptr: a JSON null).
  template <class T>
  using ArgumentValue =
      std::conditional_t<std::is_same_v<std::decay_t<T>, const char*> || std::is_same_v<std::decay_t<T>, char*> ||
                             std::is_same_v<std::decay_t<T>, std::string_view>,
                         std::string, std::decay_t<T>>;
  // ArgumentTuple holds the arguments of a call that waits for its answer.
  // When none needs converting it refers to them instead of copying: all
  // rvalues as std::tuple<T&&...> (moved into the handler's parameters), all
  // lvalues as std::tuple<const T&...> (copied into them once). Otherwise a
  // tuple of values.
  template <class... Args>
  static constexpr bool kAsGiven = (std::is_same_v<ArgumentValue<Args>, std::decay_t<Args>> && ...);
  template <class... Args>
  using ArgumentTuple = std::conditional_t<
      kAsGiven<Args...> && (!std::is_lvalue_reference_v<Args> && ...), std::tuple<std::decay_t<Args>&&...>,
      std::conditional_t<kAsGiven<Args...> && (std::is_lvalue_reference_v<Args> && ...),
                         std::tuple<const std::decay_t<Args>&...>, std::tuple<ArgumentValue<Args>...>>>;
  Outcome call_typed(std::string_view method, const TypedArguments& args, const TypedResult* result) const;
  /// client is the bound client; throws std::logic_error when unbound.
  RpcClient& client() const;
  const ContextData& context() const { return context_ != nullptr ? *context_ : empty_context(); }
  static const ContextData& empty_context();

  RpcClient* client_ = nullptr;
  std::string service_;
  const ContextData* context_ = nullptr;
  CallOptions options_;
};

/// rpc_proxy is the provider factory of a proxy to `service`.
ProviderFactory<RpcProxy> rpc_proxy(std::string service);

/// RpcProxyProvider injects an RpcProxy bound to the worker's context. The
/// client defaults to the container's transport; tests may give another.
class RpcProxyProvider : public DependencyProvider<RpcProxy> {
 public:
  explicit RpcProxyProvider(std::string service, RpcClient* client = nullptr)
      : service_(std::move(service)), client_(client) {
    without_worker_hooks();
  }
  void setup(ServiceContainer& container) override;
  RpcProxy get_dependency(WorkerContext& worker) override { return RpcProxy(client_, service_, &worker.data); }

 private:
  std::string service_;
  RpcClient* client_;
};

}  // namespace hypha
