#include "hypha/transport/transport.hpp"

#include "hypha/core/submitted_worker.hpp"

namespace hypha {

void EventEndpoint::deliver_work(std::unique_ptr<SubmittedWorker> work) {
  work->starting();  // parent complete
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

}  // namespace hypha
