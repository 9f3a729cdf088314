#include "settings.hpp"

#include <cmath>
#include <fstream>
#include <utility>

#include "hypha/core/errors.hpp"

namespace hypha::amqp {
namespace {

std::chrono::milliseconds seconds_key(const Config& config, std::string_view key, double fallback) {
  const double seconds = config.get_number(key, fallback);
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 86400.0 * 365) {
    throw ConfigurationError(config.location(key) + ": key '" + std::string(key) +
                             "': must be a number of seconds >= 0");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000)));
}

}  // namespace

Settings Settings::from_config(const Config& config) {
  Settings s;
  if (!config.has("AMQP_URI")) throw ConfigurationError(config.location("AMQP_URI") + ": key 'AMQP_URI' is required");
  try {
    s.params = ConnectionParams::parse(config.get_string("AMQP_URI", ""), config.get("AMQP_SSL"));
  } catch (const ConfigurationError& e) {
    throw ConfigurationError(config.location("AMQP_URI") + ": " + e.what());
  }
  // A TLS file that cannot be read is a mistake in the config, not a broker
  // outage: say so now instead of retrying the connection forever.
  for (const auto& [key, path] : {std::pair{"ca_certs", s.params.ca_cert}, std::pair{"certfile", s.params.cert_file},
                                  std::pair{"keyfile", s.params.key_file}}) {
    if (!path.empty() && !std::ifstream(path).good()) {
      throw ConfigurationError(config.location("AMQP_SSL") + ": key 'AMQP_SSL." + key + "': cannot read '" + path +
                               "'");
    }
  }
  const std::string serializer = config.get_string("serializer", "json");
  if (serializer != "json") {
    throw ConfigurationError(config.location("serializer") + ": key 'serializer': '" + serializer +
                             "' is not supported; the AMQP transport speaks json only");
  }
  s.heartbeat = static_cast<int>(config.get_int("HEARTBEAT", 60, 0, 65535));
  s.prefetch = static_cast<std::uint16_t>(config.get_int("max_workers", 10, 1, 65535));
  s.rpc_exchange = config.get_string("rpc_exchange", kDefaultRpcExchange);
  if (s.rpc_exchange.empty()) {
    throw ConfigurationError(config.location("rpc_exchange") + ": key 'rpc_exchange': must not be empty");
  }
  s.rpc_timeout = seconds_key(config, "RPC_TIMEOUT", 30);
  s.expire_requests = config.get_bool("RPC_EXPIRE_REQUESTS", false);
  s.auto_delete_event_exchanges = config.get_bool("AUTO_DELETE_EVENT_EXCHANGES", false);
  s.declare_event_exchanges = config.get_bool("DECLARE_EVENT_EXCHANGES", true);
  s.event_retry_delay = std::chrono::milliseconds(config.get_int("EVENT_RETRY_DELAY_MS", 100, 0, 3'600'000));
  s.connect_timeout = seconds_key(config, "AMQP_CONNECT_TIMEOUT", 10);
  if (s.connect_timeout.count() == 0) s.connect_timeout = std::chrono::milliseconds(1);
  s.service_check_ttl = std::chrono::milliseconds(config.get_int("AMQP_SERVICE_CHECK_TTL_MS", 1000, 0, 3'600'000));
  s.publisher_connections = static_cast<std::size_t>(config.get_int("AMQP_PUBLISHER_CONNECTIONS", 2, 1, 64));
  s.caller_connections = static_cast<std::size_t>(config.get_int("AMQP_CALLER_CONNECTIONS", 8, 0, 1024));
  return s;
}

}  // namespace hypha::amqp
