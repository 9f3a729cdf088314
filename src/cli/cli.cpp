#include "hypha/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iostream>

#include "hypha/core/logging.hpp"
#include "hypha/core/runner.hpp"

namespace hypha::cli {
namespace {

// without_password hides the password of a URI ("amqp://guest:****@host/"):
// show-config output ends up in terminals, logs and bug reports.
std::string without_password(std::string text) {
  const auto scheme = text.find("://");
  if (scheme == std::string::npos) return text;
  const auto at = text.find('@', scheme + 3);
  const auto colon = text.find(':', scheme + 3);
  const auto slash = text.find('/', scheme + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at || (slash != std::string::npos && slash < at)) {
    return text;
  }
  return text.replace(colon + 1, at - colon - 1, "****");
}

void emit_yaml(YAML::Emitter& out, const Json& value) {
  if (value.is_object()) {
    out << YAML::BeginMap;
    for (auto it = value.begin(); it != value.end(); ++it) {
      out << YAML::Key << it.key() << YAML::Value;
      emit_yaml(out, *it);
    }
    out << YAML::EndMap;
  } else if (value.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& item : value) emit_yaml(out, item);
    out << YAML::EndSeq;
  } else if (value.is_string()) {
    out << YAML::DoubleQuoted << without_password(value.get<std::string>());
  } else if (value.is_null()) {
    out << YAML::Null;
  } else {
    out << value.dump();
  }
}

Config load_config(const std::string& file, const std::vector<std::string>& overrides) {
  Config config = file.empty() ? Config() : Config::load_file(file);
  for (const auto& item : overrides) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw ConfigurationError("--set expects KEY=VALUE, got '" + item + "'");
    const std::string key = item.substr(0, eq);
    const std::string value = item.substr(eq + 1);
    auto plain = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; };
    if (!std::all_of(key.begin(), key.end(), plain)) {
      throw ConfigurationError("--set " + key + ": a key is letters, digits, '_', '.' and '-'");
    }
    // The value is one line of YAML ("8", "[a, b]", "'text'"), read on its own:
    // a newline in it could otherwise smuggle in other keys.
    if (value.find_first_of("\r\n") != std::string::npos) {
      throw ConfigurationError("--set " + key + ": the value must be a single line");
    }
    config.set(key, Config::load_string("value: " + value, "--set " + key).get("value"), "--set");
  }
  return config;
}

// kMaxInstances bounds SERVICE=N: each instance is a container with its own workers.
constexpr std::size_t kMaxInstances = 64;

int run_services(const Config& config, const std::vector<std::string>& names, const ServiceRegistry& registry) {
  ServiceRunner::block_stop_signals();
  log::configure(config.get_string("LOG_LEVEL", "info"), config.get_string("LOG_FILE", ""));
  ServiceRunner runner(config);
  for (const auto& item : names) {
    auto eq = item.find('=');
    std::string name = item.substr(0, eq);
    std::size_t instances = 1;
    if (eq != std::string::npos) {
      const std::string count = item.substr(eq + 1);
      auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), instances);
      if (ec != std::errc() || end != count.data() + count.size() || instances < 1 || instances > kMaxInstances) {
        std::cerr << "Error: '" << item << "': the number of instances must be a whole number from 1 to "
                  << kMaxInstances << "\n";
        return 2;
      }
    }
    auto it = registry.services().find(name);
    if (it == registry.services().end()) {
      std::string known;
      for (const auto& [n, d] : registry.services()) known += (known.empty() ? "" : ", ") + n;
      std::cerr << "Error: unknown service '" << name << "' (known: " << known << ")\n";
      return 2;
    }
    runner.add_definition(it->second, instances);
  }
  runner.start_interruptibly();
  log::info("running {}", [&] {
    std::string all;
    for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
    return all;
  }());
  return runner.wait_for_signal();
}

int call_service(const Config& config, const std::string& target, const std::string& payload) {
  auto dot = target.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == target.size()) {
    std::cerr << "Error: expected SERVICE.METHOD, got '" << target << "'\n";
    return 2;
  }
  if (!config.has("AMQP_URI")) {
    std::cerr << "Error: `call` needs a network transport: set AMQP_URI in the config (in-process services can only be "
                 "reached from inside their own process)\n";
    return 2;
  }
  Json body = payload.empty() ? Json::object() : Json::parse(payload);
  if (body.is_object()) {  // '{"args": ["Ann"]}' is enough on the command line
    if (!body.contains("args")) body["args"] = Json::array();
    if (!body.contains("kwargs")) body["kwargs"] = Json::object();
  }
  Invocation invocation = Invocation::from_payload(body);  // a bad payload fails before connecting
  Runtime runtime(config);
  runtime.transport().start();
  ContextData context;
  push_call_id(context.call_id_stack, new_call_id("standalone_rpc_proxy", "call"), 1);
  Outcome outcome = runtime.transport().call(target.substr(0, dot), target.substr(dot + 1), std::move(invocation),
                                             context, CallOptions{});
  runtime.transport().stop();
  if (outcome.error) {
    std::cerr << "Error: " << outcome.error->exc_type << ": " << outcome.error->value << "\n";
    return 1;
  }
  std::cout << outcome.result.dump(2) << "\n";
  return 0;
}

int dispatch_event(const Config& config, const std::string& service, const std::string& event_type,
                   const std::string& payload) {
  if (!config.has("AMQP_URI")) {
    std::cerr << "Error: `dispatch` needs a network transport: set AMQP_URI in the config\n";
    return 2;
  }
  const Json body = payload.empty() ? Json::object() : Json::parse(payload);
  Runtime runtime(config);
  runtime.transport().start();
  runtime.transport().dispatch(service, event_type, body, ContextData{});
  runtime.transport().stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv, const ServiceRegistry& registry) {
  CLI::App app{"hypha: run and talk to Hypha services"};
  app.require_subcommand(1);
  std::string config_file;
  std::vector<std::string> overrides;

  auto* run = app.add_subcommand("run", "run services in this process");
  std::vector<std::string> services;
  run->add_option("--config", config_file, "YAML config file")->check(CLI::ExistingFile);
  run->add_option("--set", overrides, "override a config key: KEY=VALUE (repeatable)")->allow_extra_args(false);
  run->add_option("services", services, "services to run, SERVICE or SERVICE=INSTANCES")->required();

  auto* show = app.add_subcommand("show-config", "print the config after ${ENV} substitution");
  show->add_option("--config", config_file, "YAML config file")->check(CLI::ExistingFile);
  show->add_option("--set", overrides, "override a config key: KEY=VALUE (repeatable)")->allow_extra_args(false);

  auto* call = app.add_subcommand("call", "call SERVICE.METHOD over the network transport");
  std::string target, payload;
  call->add_option("--config", config_file, "YAML config file")->check(CLI::ExistingFile);
  call->add_option("--set", overrides, "override a config key: KEY=VALUE (repeatable)")->allow_extra_args(false);
  call->add_option("target", target, "SERVICE.METHOD")->required();
  call->add_option("payload", payload, R"(JSON {"args": [...], "kwargs": {...}})");

  auto* dispatch = app.add_subcommand("dispatch", "publish an event as SERVICE");
  std::string source, event_type;
  dispatch->add_option("--config", config_file, "YAML config file")->check(CLI::ExistingFile);
  dispatch->add_option("--set", overrides, "override a config key: KEY=VALUE (repeatable)")->allow_extra_args(false);
  dispatch->add_option("service", source, "the service the event claims to come from")->required();
  dispatch->add_option("event_type", event_type, "event type")->required();
  dispatch->add_option("payload", payload, "JSON payload");

  auto* list = app.add_subcommand("list", "list the services this program can run");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message (or the help); a usage error exits 2, as
    // every other usage error here does, instead of CLI11's own codes.
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    Config config = load_config(config_file, overrides);
    if (*run) return run_services(config, services, registry);
    if (*show) {
      YAML::Emitter out;
      emit_yaml(out, config.values());
      std::cout << out.c_str() << "\n";
      return 0;
    }
    if (*call) return call_service(config, target, payload);
    if (*dispatch) return dispatch_event(config, source, event_type, payload);
    if (*list) {
      for (const auto& [name, def] : registry.services()) std::cout << name << "\n";
      return 0;
    }
  } catch (const Json::parse_error& e) {
    std::cerr << "Error: payload is not valid JSON: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "Error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace hypha::cli
