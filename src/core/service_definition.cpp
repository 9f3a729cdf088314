#include "hypha/core/service_definition.hpp"

namespace hypha {

const char* handler_type_name(HandlerType type) noexcept {
  switch (type) {
    case HandlerType::kServicePool: return "service_pool";
    case HandlerType::kSingleton: return "singleton";
    case HandlerType::kBroadcast: return "broadcast";
  }
  return "service_pool";
}

const EntrypointSpec* ServiceDefinition::find_entrypoint(std::string_view entrypoint) const {
  for (const auto& ep : entrypoints) {
    if (ep.name == entrypoint) return &ep;
  }
  return nullptr;
}

namespace detail {

std::vector<std::string> path_param_names(std::string_view pattern) {
  std::vector<std::string> names;
  std::size_t pos = 0;
  while ((pos = pattern.find('<', pos)) != std::string_view::npos) {
    auto end = pattern.find('>', pos);
    if (end == std::string_view::npos) break;
    auto inside = pattern.substr(pos + 1, end - pos - 1);
    auto colon = inside.find(':');
    names.emplace_back(colon == std::string_view::npos ? inside : inside.substr(colon + 1));
    pos = end + 1;
  }
  return names;
}

}  // namespace detail
}  // namespace hypha
