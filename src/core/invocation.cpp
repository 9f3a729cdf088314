#include "hypha/core/invocation.hpp"

#include "hypha/core/errors.hpp"

namespace hypha {

Invocation Invocation::from_payload(Json payload) {
  if (!payload.is_object()) throw MalformedRequest("Message is not an object with `args` and `kwargs`");
  auto args = payload.find("args");
  auto kwargs = payload.find("kwargs");
  if (args == payload.end() || kwargs == payload.end()) throw MalformedRequest("Message missing `args` or `kwargs`");
  if (!args->is_array() && !args->is_null()) throw MalformedRequest("`args` must be an array");
  if (!kwargs->is_object() && !kwargs->is_null()) throw MalformedRequest("`kwargs` must be an object");
  Invocation inv;
  inv.args = std::move(*args);
  inv.kwargs = std::move(*kwargs);
  return inv;
}

void Invocation::to_json_args() {
  if (typed_args == nullptr) return;
  args = typed_args->to_json(typed_args->values);
  typed_args = nullptr;
}

}  // namespace hypha
