#include "hypha/transport/transport.hpp"

namespace hypha {

void EventEndpoint::deliver_borrowed(const TypedArguments& payload, const ContextData& context,
                                     std::function<void(Outcome)> done) {
  Json args = payload.to_json(payload.values);  // copies: the values are const references
  deliver(std::move(args.at(0)), context, std::move(done));
}

Json Outcome::value() && {
  if (error) raise_error(std::move(*error));
  return std::move(result);
}

RpcFuture RpcFuture::ready(Outcome outcome) {
  std::promise<Outcome> promise;
  promise.set_value(std::move(outcome));
  return RpcFuture(promise.get_future().share());
}

Json RpcFuture::get() const {
  Outcome copy = future_.get();
  return std::move(copy).value();
}

Json RpcFuture::get(std::chrono::milliseconds timeout) const {
  if (future_.wait_for(timeout) != std::future_status::ready) {
    throw RpcTimeout("no reply within " + std::to_string(timeout.count()) + " ms");
  }
  return get();
}

bool RpcFuture::wait_for(std::chrono::milliseconds timeout) const {
  return future_.wait_for(timeout) == std::future_status::ready;
}

}  // namespace hypha
