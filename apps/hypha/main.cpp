// The `hypha` program: the CLI with every service this repository ships
// registered by name (the examples and the microblog's services). A config
// with AMQP_URI runs them, and `call`/`dispatch` reach them, over RabbitMQ.
#include "greeter.hpp"
#include "hypha/cli/cli.hpp"
#include "hypha/transport/amqp.hpp"
#include "microblog_services.hpp"

int main(int argc, char** argv) {
  hypha::enable_amqp_transport();
  hypha::cli::ServiceRegistry registry;
  registry.add<examples::Greeter>();
  microblog::register_services(registry);
  return hypha::cli::main(argc, argv, registry);
}
