// Private: the container builds its entrypoint extensions through these.
#pragma once

#include <memory>

#include "hypha/core/container.hpp"

namespace hypha::detail {

/// make_rpc_entrypoints serves every rpc entrypoint of the container (or null).
std::unique_ptr<Extension> make_rpc_entrypoints(ServiceContainer& container);
std::unique_ptr<Extension> make_event_handler(ServiceContainer& container, const EntrypointSpec& spec);
std::unique_ptr<Extension> make_timer(ServiceContainer& container, const EntrypointSpec& spec);
std::unique_ptr<Extension> make_http_entrypoint(ServiceContainer& container, const EntrypointSpec& spec);

}  // namespace hypha::detail
