// PrivateBroker is a RabbitMQ of one test's own (scripts/rabbitmq-test-broker.sh
// in a directory of its own), for tests that stop and start the broker and must
// not disturb the shared one.
#pragma once

#include <string>

namespace hypha::amqp_test {

class PrivateBroker {
 public:
  /// Starts the broker (about 10 s); the same ports are kept across restarts.
  explicit PrivateBroker(const std::string& name);
  /// Stops it, by the pid in its pid file.
  ~PrivateBroker();
  PrivateBroker(const PrivateBroker&) = delete;
  PrivateBroker& operator=(const PrivateBroker&) = delete;

  const std::string& uri() const noexcept { return uri_; }
  void stop();
  void start();
  /// signal sends `signo` to the broker's VM (SIGSTOP freezes it: no RST, no heartbeats).
  void signal(int signo);

 private:
  std::string dir_;
  std::string uri_;
};

}  // namespace hypha::amqp_test
