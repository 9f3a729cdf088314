// File: runner.hpp
//
// ServiceRunner runs several services in one process: one container per
// service instance, one shared Runtime (transport, executor, HTTP server).
//
//   hypha::ServiceRunner runner(config);
//   runner.add_service<Identity>();
//   runner.add_service<Posts>(2);  // two instances
//   runner.start();
//   runner.wait_for_signal();      // SIGINT/SIGTERM: graceful stop; again: kill
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "hypha/core/container.hpp"
#include "hypha/core/runtime.hpp"

namespace hypha {

class ServiceRunner {
 public:
  explicit ServiceRunner(Config config, std::shared_ptr<Transport> transport = nullptr);
  ~ServiceRunner();

  /// add_service adds `instances` containers of service class S.
  template <class S>
  void add_service(std::size_t instances = 1) {
    add_definition(define_service<S>(), instances);
  }
  void add_definition(std::shared_ptr<const ServiceDefinition> definition, std::size_t instances = 1);

  /// start starts every container, then the HTTP server if any route exists.
  void start();
  /// stop stops the HTTP server, then every container gracefully.
  void stop();
  /// kill stops everything at once.
  void kill() noexcept;

  /// wait_for_signal blocks until SIGINT or SIGTERM, then stops gracefully;
  /// a second signal during the stop kills. Returns the exit code.
  int wait_for_signal();
  /// block_stop_signals blocks SIGINT/SIGTERM in the calling thread and every
  /// thread it starts later; call it first thing in main() so that only
  /// wait_for_signal receives them.
  static void block_stop_signals();
  /// start_interruptibly is start() for a program that blocked the stop
  /// signals: SIGINT or SIGTERM during it end the process at once (exit code
  /// 130), so that a start-up waiting for a broker can be interrupted.
  void start_interruptibly();

  Runtime& runtime() noexcept { return runtime_; }
  const std::vector<std::unique_ptr<ServiceContainer>>& containers() const noexcept { return containers_; }
  /// container returns the n-th instance of a service, or nullptr.
  ServiceContainer* container(std::string_view service, std::size_t index = 0) const;

 private:
  Runtime runtime_;
  std::vector<std::unique_ptr<ServiceContainer>> containers_;
  bool started_ = false;
};

}  // namespace hypha
