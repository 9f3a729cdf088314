#include "hypha/testing/doubles.hpp"

namespace hypha::testing {

Outcome MockRpcClient::call(std::string_view service, std::string_view method, Invocation&& inv, const ContextData&,
                            const CallOptions&) {
  try {
    return Outcome{call_method(service, method, std::move(inv.args), std::move(inv.kwargs)), std::nullopt};
  } catch (...) {
    return Outcome{nullptr, serialize_exception(std::current_exception())};
  }
}

RpcFuture MockRpcClient::call_async(std::string_view service, std::string_view method, Invocation inv,
                                    const ContextData& context, const CallOptions& options) {
  return RpcFuture::ready(call(service, method, std::move(inv), context, options));
}

void MockEventPublisher::dispatch(std::string_view source, std::string_view event_type, Json payload,
                                  const ContextData&) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(DispatchedEvent{std::string(source), std::string(event_type), payload});
  }
  publish(source, event_type, std::move(payload));
}

std::vector<DispatchedEvent> MockEventPublisher::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

}  // namespace hypha::testing
