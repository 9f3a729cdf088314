#include "hypha/testing/entrypoint_hook.hpp"

#include <stdexcept>

namespace hypha::testing {

Json EntrypointHook::operator()(Json args, Json kwargs) const {
  if (entrypoint_.kind == EntrypointKind::kHttp) {
    throw std::invalid_argument("'" + entrypoint_.name + "' is an http entrypoint: call it with .http(request)");
  }
  Invocation inv;
  inv.args = std::move(args);
  inv.kwargs = std::move(kwargs);
  return container_.run_worker(entrypoint_, inv, &context_).value();
}

HttpResponse EntrypointHook::http(HttpRequest request, Json path_params) const {
  if (entrypoint_.kind != EntrypointKind::kHttp) {
    throw std::invalid_argument("'" + entrypoint_.name + "' is not an http entrypoint: call it with arguments");
  }
  HttpResponse response;
  response.status = 0;  // unset until a handler returning HttpResponse writes it
  Invocation inv;
  inv.args = std::move(path_params);
  inv.request = &request;
  inv.response = &response;
  Json result = container_.run_worker(entrypoint_, inv, &context_).value();
  if (response.status != 0) return response;
  return result.is_null() ? HttpResponse::empty(204) : HttpResponse::json(200, result);
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
