// hypha-microblog: the whole microblog in one process (embedded mode): every
// service in its own container on the in-process transport, each with its own
// SQLite file in the data directory, the REST API on http://HOST:PORT.
#include <CLI/CLI.hpp>

#include <iostream>

#include "hypha/core/logging.hpp"
#include "hypha/http/http_server.hpp"
#include "hypha/transport/amqp.hpp"
#include "microblog_services.hpp"

int main(int argc, char** argv) {
  hypha::ServiceRunner::block_stop_signals();
  hypha::enable_amqp_transport();  // a config with AMQP_URI runs over RabbitMQ
  CLI::App app{"hypha-microblog: the microblog, every service in one process"};
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string data_dir = "var/microblog";
  std::string config_file;
  app.add_option("--host", host, "address to listen on")->capture_default_str();
  app.add_option("--port", port, "port to listen on (0 picks a free one)")->capture_default_str()->check(CLI::Range(0, 65535));
  app.add_option("--data-dir", data_dir, "directory of the services' SQLite files")->capture_default_str();
  app.add_option("--config", config_file, "YAML config file (flags override it)")->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);
  try {
    hypha::Config config = config_file.empty() ? hypha::Config() : hypha::Config::load_file(config_file);
    if (!config.has("WEB_SERVER_ADDRESS") || app.count("--host") || app.count("--port")) {
      config.set("WEB_SERVER_ADDRESS", host + ":" + std::to_string(port));
    }
    if (!config.has("DATA_DIR") || app.count("--data-dir")) config.set("DATA_DIR", data_dir);
    // Every service of this process owns its file alone: lock each file once
    // for the process instead of on every read (sqlite.hpp, SQLITE_EXCLUSIVE).
    if (!config.has("SQLITE_EXCLUSIVE")) config.set("SQLITE_EXCLUSIVE", true);
    hypha::log::configure(config.get_string("LOG_LEVEL", "info"), config.get_string("LOG_FILE", ""));
    hypha::ServiceRunner runner(config);
    microblog::add_all_services(runner);
    runner.start_interruptibly();
    hypha::log::info("microblog serving http://{}:{} with data in {}", host, runner.runtime().http_server().port(),
                     config.get_string("DATA_DIR", data_dir));
    return runner.wait_for_signal();
  } catch (const std::exception& e) {
    std::cerr << "Error: " << e.what() << "\n";
    return 1;
  }
}
