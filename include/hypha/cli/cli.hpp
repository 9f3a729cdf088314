// File: cli/cli.hpp
//
// The `hypha` command line (CLI11), reusable by any program that registers its
// services by name:
//
//   int main(int argc, char** argv) {
//     hypha::cli::ServiceRegistry registry;
//     registry.add<Greeter>();
//     return hypha::cli::main(argc, argv, registry);
//   }
//
// Commands:
//   hypha run [--config FILE] [--set KEY=VALUE]... SERVICE[=N]...   run services (N instances)
//   hypha show-config [--config FILE] [--set KEY=VALUE]...          print the resolved config (passwords masked)
//   hypha call SERVICE.METHOD '{"args": [...], "kwargs": {...}}'   call over the network transport
//   hypha dispatch SERVICE EVENT_TYPE '{...}'                      publish an event as SERVICE
//   hypha list                                                     registered services
// SIGINT/SIGTERM stop `run` gracefully; a second signal kills.
//
// Exit codes: 0 done (or `run` stopped by a signal); 1 the work failed (a
// config error, an error reply to `call`, no broker); 2 a usage error (bad
// arguments, an unknown service, a payload that is not JSON, `call` or
// `dispatch` without AMQP_URI); 130 killed by a second signal, or a signal
// during start-up.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "hypha/core/service_definition.hpp"

namespace hypha::cli {

class ServiceRegistry {
 public:
  template <class S>
  void add() {
    auto def = define_service<S>();
    services_[def->name] = def;
  }
  const std::map<std::string, std::shared_ptr<const ServiceDefinition>>& services() const noexcept { return services_; }

 private:
  std::map<std::string, std::shared_ptr<const ServiceDefinition>> services_;
};

/// main runs the command line; returns the process exit code.
int main(int argc, char** argv, const ServiceRegistry& registry);

}  // namespace hypha::cli
