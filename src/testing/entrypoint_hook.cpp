#include "hypha/testing/entrypoint_hook.hpp"

#include <stdexcept>

namespace hypha::testing {

Json EntrypointHook::operator()(Json args, Json kwargs) const {
  Invocation inv;
  inv.args = std::move(args);
  inv.kwargs = std::move(kwargs);
  return container_.run_worker(entrypoint_, inv, &context_).value();
}

EntrypointHook entrypoint_hook(ServiceContainer& container, std::string_view entrypoint, ContextData context) {
  const EntrypointSpec* spec = container.definition().find_entrypoint(entrypoint);
  if (spec == nullptr) {
    throw std::invalid_argument("service '" + container.service_name() + "' has no entrypoint '" +
                                std::string(entrypoint) + "'");
  }
  return EntrypointHook(container, *spec, std::move(context));
}

}  // namespace hypha::testing
