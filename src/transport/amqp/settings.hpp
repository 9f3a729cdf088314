// Private to the AMQP transport: its config keys, read and checked once (the
// table is in include/hypha/transport/amqp.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "connection.hpp"
#include "hypha/core/config.hpp"

namespace hypha::amqp {

struct Settings {
  ConnectionParams params;
  int heartbeat = 60;
  std::uint16_t prefetch = 10;
  std::string rpc_exchange = std::string(kDefaultRpcExchange);
  std::chrono::milliseconds rpc_timeout{30000};  ///< 0: no deadline
  bool expire_requests = false;
  bool auto_delete_event_exchanges = false;
  bool declare_event_exchanges = true;
  std::chrono::milliseconds event_retry_delay{100};
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds service_check_ttl{1000};
  std::size_t publisher_connections = 2;
  std::size_t caller_connections = 8;  ///< DirectCallers lent at once for blocking calls (0: none)

  /// from_config reads the keys; throws ConfigurationError naming the key.
  static Settings from_config(const Config& config);
};

}  // namespace hypha::amqp
