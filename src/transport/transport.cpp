#include "hypha/transport/transport.hpp"

#include "hypha/core/submitted_worker.hpp"

namespace hypha {

void EventEndpoint::deliver_work(std::unique_ptr<SubmittedWorker> work) {
  const Invocation& inv = work->invocation;
  Json args = inv.typed_args != nullptr ? inv.typed_args->to_json(inv.typed_args->values)  // copies the values
                                        : inv.args;
  ContextData context = work->parent != nullptr ? *work->parent : ContextData{};
  std::shared_ptr<SubmittedWorker> shared(std::move(work));  // std::function needs a copyable callback
  deliver(std::move(args.at(0)), std::move(context), [shared](Outcome outcome) { shared->finished(std::move(outcome)); });
}

Json Outcome::value() && {
  std::move(*this).raise_if_error();
  return std::move(result);
}

void Outcome::raise_if_error() && {
  if (error) raise_error(std::move(*error));
}

RpcFuture RpcFuture::ready(Outcome outcome) {
  std::promise<Outcome> promise;
  promise.set_value(std::move(outcome));
  return RpcFuture(promise.get_future().share());
}

RpcFuture::RpcFuture(std::shared_future<Outcome> future, std::chrono::milliseconds timeout, std::string call)
    : future_(std::move(future)), deadline_(Clock::now() + timeout), timeout_(timeout), call_(std::move(call)) {}

bool RpcFuture::reply_by(Clock::time_point until) const {
  if (deadline_ && *deadline_ < until) until = *deadline_;
  return future_.wait_until(until) == std::future_status::ready;
}

void RpcFuture::throw_deadline_passed() const {
  throw RpcTimeout("call to " + call_ + " timed out after " + std::to_string(timeout_.count()) + " ms");
}

Json RpcFuture::get() const {
  if (deadline_ && !reply_by(Clock::time_point::max())) throw_deadline_passed();
  Outcome copy = future_.get();
  return std::move(copy).value();
}

Json RpcFuture::get(std::chrono::milliseconds timeout) const {
  const auto until = Clock::now() + timeout;
  if (!reply_by(until)) {
    if (deadline_ && Clock::now() >= *deadline_) throw_deadline_passed();
    throw RpcTimeout("no reply within " + std::to_string(timeout.count()) + " ms");
  }
  return get();
}

bool RpcFuture::wait_for(std::chrono::milliseconds timeout) const {
  return reply_by(Clock::now() + timeout) || (deadline_ && Clock::now() >= *deadline_);
}

}  // namespace hypha
