// The `hypha` program: the CLI with every service this repository ships
// registered by name (the examples and the microblog's services).
#include "greeter.hpp"
#include "hypha/cli/cli.hpp"
#include "microblog_services.hpp"

int main(int argc, char** argv) {
  hypha::cli::ServiceRegistry registry;
  registry.add<examples::Greeter>();
  microblog::register_services(registry);
  return hypha::cli::main(argc, argv, registry);
}
