// File: service_definition.hpp
//
// A service is a plain C++ class with a static `name` and a static
// `define(ServiceSpec<S>&)` that declares its entrypoints and dependencies with
// typed member pointers. Arguments and results are converted to and from JSON
// by the framework (any type with an nlohmann to_json/from_json mapping).
//
//   class Greeter {
//    public:
//     static constexpr std::string_view name = "greeter";
//     static void define(hypha::ServiceSpec<Greeter>& s) {
//       s.rpc("hello", &Greeter::hello, {.params = {"name"}});
//       s.event_handler("on_greeted", &Greeter::on_greeted, {.source = "greeter", .event_type = "greeted"});
//       s.timer("tick", &Greeter::tick, {.interval = std::chrono::seconds(5)});
//       s.http("greet", &Greeter::greet, {.method = "GET", .path = "/greet/<name>"});
//       s.dependency("events", &Greeter::events_, hypha::event_dispatcher());
//     }
//     std::string hello(std::string name);
//     ...
//     hypha::EventDispatcher events_;
//   };
//
// Each call runs in a worker: a fresh instance (default-constructed) with every
// dependency member injected.
#pragma once

#include <any>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <utility>
#include <vector>

#include "hypha/core/arguments.hpp"
#include "hypha/core/extension.hpp"
#include "hypha/core/function_ref.hpp"
#include "hypha/core/invocation.hpp"
#include "hypha/http/http_message.hpp"

namespace hypha {

enum class EntrypointKind { kRpc, kEventHandler, kTimer, kHttp };

/// HandlerType: Nameko's three event delivery modes.
enum class HandlerType {
  kServicePool,  ///< one instance of each subscribing service gets the event
  kSingleton,    ///< exactly one handler across all subscribers gets it
  kBroadcast,    ///< every instance gets it
};

const char* handler_type_name(HandlerType type) noexcept;

struct RpcOptions {
  std::vector<std::string> params;  ///< parameter names, for kwargs and error messages
};

struct EventHandlerOptions {
  std::string source;      ///< the dispatching service
  std::string event_type;  ///< the event's type (its routing key on AMQP)
  HandlerType handler_type = HandlerType::kServicePool;
  bool reliable_delivery = true;  ///< AMQP queues outlive the consumer
  int max_retries = 5;            ///< attempts after a failure before dead-lettering
};

struct TimerOptions {
  std::chrono::milliseconds interval{1000};
  bool eager = false;  ///< fire once at start, then every interval
};

struct HttpOptions {
  std::string method;  ///< one verb or a comma-separated list ("GET,HEAD")
  std::string path;    ///< pattern: "/users/<name>", "/posts/<int:id>", "/files/<path:rest>"
  std::vector<std::string> params;  ///< names of the handler's path parameters (defaults to the pattern's)
  /// slow: the handler may take long (CPU-heavy work such as password
  /// hashing). It then runs on the server's HTTP_SLOW_THREADS, so the HTTP
  /// thread keeps serving its other connections meanwhile.
  bool slow = false;
};

/// Invoker calls a handler on a service instance with converted arguments,
/// and stores its result as JSON in `result` (left null for void handlers,
/// HTTP responses, and results handed over as C++ values; see TypedResult).
using Invoker = std::function<void(void* service, Invocation& inv, Json& result)>;

/// EntrypointSpec is one declared entrypoint, type-erased.
struct EntrypointSpec {
  EntrypointKind kind;
  std::string name;
  Invoker invoke;
  RpcOptions rpc;
  EventHandlerOptions event;
  TimerOptions timer;
  HttpOptions http;
};

/// DependencySpec is one declared dependency, type-erased.
struct DependencySpec {
  std::string name;
  std::type_index type;
  std::function<std::unique_ptr<DependencyProviderBase>()> make_provider;
  /// inject sets the member from the provider for one worker.
  std::function<void(void* service, DependencyProviderBase& provider, WorkerContext& worker)> inject;
  /// make_constant wraps a replacement value (a T in a std::any) into a provider.
  std::function<std::unique_ptr<DependencyProviderBase>(const std::any& value)> make_constant;
  /// assign sets the member directly (worker_factory).
  std::function<void(void* service, const std::any& value)> assign;
  /// make_default returns a default-constructed T in a std::any (worker_factory).
  std::function<std::any()> make_default;
};

/// ServiceDefinition is a service class as data: what the container runs.
struct ServiceDefinition {
  std::string name;
  std::vector<EntrypointSpec> entrypoints;
  std::vector<DependencySpec> dependencies;
  /// with_instance default-constructs an instance on the stack and passes it to body.
  void (*with_instance)(FunctionRef<void(void*)> body) = nullptr;

  const EntrypointSpec* find_entrypoint(std::string_view name) const;
};

namespace detail {

template <bool kHttp, class R, class S, class... Params, class Method>
Invoker make_invoker(Method method, std::string name, std::vector<std::string> names) {
  return [method, name = std::move(name), names = std::move(names)](void* svc, Invocation& inv, Json& out) {
    using Arguments = std::tuple<std::decay_t<Params>...>;
    auto* self = static_cast<S*>(svc);
    auto call = [&](auto&&... a) -> R {
      if constexpr (kHttp) {
        return (self->*method)(*inv.request, std::forward<decltype(a)>(a)...);
      } else {
        return (self->*method)(std::forward<decltype(a)>(a)...);
      }
    };
    auto finish = [&](auto&& args) {
      if constexpr (std::is_void_v<R>) {
        std::apply(call, std::forward<decltype(args)>(args));
      } else if constexpr (std::is_same_v<std::decay_t<R>, HttpResponse>) {
        *inv.response = std::apply(call, std::forward<decltype(args)>(args));
      } else {
        using Value = std::decay_t<R>;
        if (inv.typed_result != nullptr && inv.typed_result->template wants<Value>()) {
          // Returned straight into the caller's slot.
          inv.typed_result->template fill<Value>(
              [&]() -> Value { return std::apply(call, std::forward<decltype(args)>(args)); });
        } else {
          out = Json(std::apply(call, std::forward<decltype(args)>(args)));
        }
      }
    };
    Arguments* typed = nullptr;  // the caller's values, when of the parameters' exact types
    if (inv.typed_args != nullptr) {
      // Borrowed values (const references: an event's payload) are read in
      // place, when every parameter takes a const reference or a copy.
      using Borrowed = std::tuple<const std::decay_t<Params>&...>;
      if constexpr ((std::is_convertible_v<const std::decay_t<Params>&, Params> && ...)) {
        if (auto* borrowed = inv.typed_args->template take<Borrowed>()) {
          inv.typed_args = nullptr;
          return finish(*borrowed);
        }
      }
      // Forwarded values (the caller's rvalues) move straight into the parameters.
      using Forwarded = std::tuple<std::decay_t<Params>&&...>;
      if constexpr ((std::is_convertible_v<std::decay_t<Params>&&, Params> && ...)) {
        if (auto* forwarded = inv.typed_args->template take<Forwarded>()) {
          inv.typed_args = nullptr;
          return finish(std::move(*forwarded));
        }
      }
      typed = inv.typed_args->template take<Arguments>();
      if (typed == nullptr) inv.to_json_args();
      inv.typed_args = nullptr;
    }
    if (typed != nullptr) return finish(std::move(*typed));  // moved once, into the parameters
    ArgumentSource src{name, names};
    return finish(convert_arguments<std::decay_t<Params>...>(src, inv));
  };
}

/// path_param_names lists the names in a route pattern ("/a/<int:id>" -> {"id"}).
std::vector<std::string> path_param_names(std::string_view pattern);

template <class S>
void with_instance_of(FunctionRef<void(void*)> body) {
  S instance{};
  body(&instance);
}

template <class T>
struct MethodTraits;
template <class R, class S, class... P>
struct MethodTraits<R (S::*)(P...)> {
  using Result = R;
  using Service = S;
  template <template <class...> class F>
  using Apply = F<P...>;
};
template <class R, class S, class... P>
struct MethodTraits<R (S::*)(P...) const> : MethodTraits<R (S::*)(P...)> {};

template <class... P>
struct DropFirst;
template <class First, class... Rest>
struct DropFirst<First, Rest...> {
  template <class R, class S, class Method>
  static Invoker make(Method m, std::string name, std::vector<std::string> names) {
    return make_invoker<true, R, S, Rest...>(m, std::move(name), std::move(names));
  }
};

template <class... P>
struct AllParams {
  template <class R, class S, class Method>
  static Invoker make(Method m, std::string name, std::vector<std::string> names) {
    return make_invoker<false, R, S, P...>(m, std::move(name), std::move(names));
  }
};

}  // namespace detail

/// ServiceSpec<S> is the builder a service's define() receives.
template <class S>
class ServiceSpec {
 public:
  explicit ServiceSpec(ServiceDefinition& def) : def_(def) {}

  /// rpc declares a request/response entrypoint called `name`.
  template <class Method>
  void rpc(std::string name, Method method, RpcOptions options = {}) {
    using T = detail::MethodTraits<Method>;
    EntrypointSpec ep{EntrypointKind::kRpc, name, nullptr, std::move(options), {}, {}, {}};
    ep.invoke = T::template Apply<detail::AllParams>::template make<typename T::Result, S>(method, name, ep.rpc.params);
    def_.entrypoints.push_back(std::move(ep));
  }

  /// event_handler declares a handler of (source, event_type); the method
  /// takes the payload as its single parameter.
  template <class Method>
  void event_handler(std::string name, Method method, EventHandlerOptions options) {
    using T = detail::MethodTraits<Method>;
    EntrypointSpec ep{EntrypointKind::kEventHandler, name, nullptr, {}, std::move(options), {}, {}};
    ep.invoke = T::template Apply<detail::AllParams>::template make<typename T::Result, S>(method, name, {"payload"});
    def_.entrypoints.push_back(std::move(ep));
  }

  /// timer declares a method run every interval, never overlapping itself.
  template <class Method>
  void timer(std::string name, Method method, TimerOptions options) {
    using T = detail::MethodTraits<Method>;
    EntrypointSpec ep{EntrypointKind::kTimer, name, nullptr, {}, {}, options, {}};
    ep.invoke = T::template Apply<detail::AllParams>::template make<typename T::Result, S>(method, name, {});
    def_.entrypoints.push_back(std::move(ep));
  }

  /// http declares a route; the method takes (const HttpRequest&, path params...)
  /// and returns an HttpResponse, a JSON-convertible value (200 JSON) or void (204).
  template <class Method>
  void http(std::string name, Method method, HttpOptions options) {
    using T = detail::MethodTraits<Method>;
    EntrypointSpec ep{EntrypointKind::kHttp, name, nullptr, {}, {}, {}, std::move(options)};
    if (ep.http.params.empty()) ep.http.params = detail::path_param_names(ep.http.path);
    ep.invoke = T::template Apply<detail::DropFirst>::template make<typename T::Result, S>(method, name, ep.http.params);
    def_.entrypoints.push_back(std::move(ep));
  }

  /// dependency declares a member filled by a provider for each worker.
  template <class T>
  void dependency(std::string name, T S::*member, ProviderFactory<T> factory) {
    DependencySpec dep{std::move(name), std::type_index(typeid(T)), nullptr, nullptr, nullptr, nullptr, nullptr};
    dep.make_provider = [factory]() -> std::unique_ptr<DependencyProviderBase> { return factory(); };
    dep.inject = [member](void* svc, DependencyProviderBase& provider, WorkerContext& worker) {
      static_cast<S*>(svc)->*member = static_cast<DependencyProvider<T>&>(provider).get_dependency(worker);
    };
    dep.make_constant = [](const std::any& value) -> std::unique_ptr<DependencyProviderBase> {
      return std::make_unique<ConstantProvider<T>>(std::any_cast<T>(value));
    };
    dep.assign = [member](void* svc, const std::any& value) { static_cast<S*>(svc)->*member = std::any_cast<T>(value); };
    dep.make_default = [] { return std::any(T{}); };
    def_.dependencies.push_back(std::move(dep));
  }

 private:
  ServiceDefinition& def_;
};

/// define_service builds the definition of service class S once.
template <class S>
std::shared_ptr<const ServiceDefinition> define_service() {
  static const std::shared_ptr<const ServiceDefinition> definition = [] {
    auto def = std::make_shared<ServiceDefinition>();
    def->name = std::string(S::name);
    def->with_instance = &detail::with_instance_of<S>;
    ServiceSpec<S> spec(*def);
    S::define(spec);
    return def;
  }();
  return definition;
}

}  // namespace hypha
