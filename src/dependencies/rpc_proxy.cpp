#include "hypha/dependencies/rpc_proxy.hpp"

#include "hypha/core/container.hpp"
#include "hypha/core/runtime.hpp"

namespace hypha {

const ContextData& RpcProxy::empty_context() {
  static const ContextData empty;
  return empty;
}

RpcClient& RpcProxy::client() const {
  if (client_ == nullptr) throw std::logic_error("RpcProxy to '" + service_ + "' is not bound to a worker");
  return *client_;
}

Json RpcProxy::call_json(std::string_view method, Json args, Json kwargs) const {
  Invocation inv;
  inv.args = std::move(args);
  inv.kwargs = std::move(kwargs);
  return client().call(service_, method, std::move(inv), context(), options_).value();
}

Outcome RpcProxy::call_typed(std::string_view method, const TypedArguments& args, const TypedResult* result) const {
  RpcClient& to = client();
  Invocation inv;
  inv.typed_args = &args;
  inv.typed_result = result;
  if (!to.takes_typed_values()) inv.detach();
  return to.call(service_, method, std::move(inv), context(), options_);
}

RpcFuture RpcProxy::call_async_json(std::string_view method, Json args, Json kwargs) const {
  Invocation inv;
  inv.args = std::move(args);
  inv.kwargs = std::move(kwargs);
  return client().call_async(service_, method, std::move(inv), context(), options_);
}

void RpcProxyProvider::setup(ServiceContainer& container) {
  if (client_ == nullptr) client_ = &container.runtime().transport();
}

ProviderFactory<RpcProxy> rpc_proxy(std::string service) { return provide<RpcProxyProvider>(std::move(service)); }

}  // namespace hypha
