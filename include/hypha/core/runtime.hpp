// File: runtime.hpp
//
// Runtime is what the containers of one process share: the config, the
// transport, the executor threads and the HTTP server. ServiceRunner owns one;
// tests may build one directly.
#pragma once

#include <memory>
#include <mutex>

#include "hypha/core/config.hpp"
#include "hypha/core/executor.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha {

class HttpServer;

class Runtime {
 public:
  /// Builds the runtime; the transport is in-process unless AMQP_URI is set
  /// (and the AMQP transport is linked) or one is given.
  explicit Runtime(Config config, std::shared_ptr<Transport> transport = nullptr);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Config& config() const noexcept { return config_; }
  Transport& transport() noexcept { return *transport_; }
  std::shared_ptr<Transport> transport_ptr() const { return transport_; }
  Executor& executor() noexcept { return executor_; }

  /// http_server returns the process's HTTP server, creating it (not yet
  /// listening) on first use.
  HttpServer& http_server();
  /// has_http_server reports whether any container asked for one.
  bool has_http_server() const;

 private:
  Config config_;
  std::shared_ptr<Transport> transport_;
  Executor executor_;
  mutable std::mutex http_mutex_;
  std::unique_ptr<HttpServer> http_;
};

/// TransportFactory builds a transport from config; the AMQP library registers
/// one so that setting AMQP_URI switches transports without code changes.
using TransportFactory = std::function<std::shared_ptr<Transport>(const Config&)>;
void register_amqp_transport_factory(TransportFactory factory);

}  // namespace hypha
