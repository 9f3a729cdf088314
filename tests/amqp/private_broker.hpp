// PrivateBroker is a RabbitMQ of one test's own (scripts/rabbitmq-test-broker.sh
// in a directory of its own), for tests that stop and start the broker and must
// not disturb the shared one.
#pragma once

#include <string>

namespace hypha::amqp_test {

class PrivateBroker {
 public:
  /// Starts the broker (about 10 s); the same ports are kept across restarts.
  /// With `tls`, it also listens for amqps:// with a throw-away CA (tls_uri, ca_file).
  explicit PrivateBroker(const std::string& name, bool tls = false);
  /// Stops it, by the pid in its pid file.
  ~PrivateBroker();
  PrivateBroker(const PrivateBroker&) = delete;
  PrivateBroker& operator=(const PrivateBroker&) = delete;

  const std::string& uri() const noexcept { return uri_; }
  const std::string& tls_uri() const noexcept { return tls_uri_; }
  std::string ca_file() const { return dir_ + "/tls/ca.pem"; }
  void stop();
  void start();
  /// signal sends `signo` to the broker's VM (SIGSTOP freezes it: no RST, no heartbeats).
  void signal(int signo);

 private:
  std::string dir_;
  bool tls_;
  std::string uri_;
  std::string tls_uri_;
};

}  // namespace hypha::amqp_test
