#include "hypha/core/runner.hpp"

#include <csignal>
#include <pthread.h>
#include <thread>

#include "hypha/core/logging.hpp"
#include "hypha/http/http_server.hpp"

namespace hypha {

ServiceRunner::ServiceRunner(Config config, std::shared_ptr<Transport> transport)
    : runtime_(std::move(config), std::move(transport)) {}

ServiceRunner::~ServiceRunner() {
  if (started_) kill();
}

void ServiceRunner::add_definition(std::shared_ptr<const ServiceDefinition> definition, std::size_t instances) {
  for (std::size_t i = 0; i < instances; ++i) {
    containers_.push_back(std::make_unique<ServiceContainer>(definition, runtime_));
  }
}

void ServiceRunner::start() {
  runtime_.transport().start();
  for (auto& c : containers_) c->start();
  for (auto& c : containers_) c->peers_started();
  if (runtime_.has_http_server()) {
    auto& http = runtime_.http_server();
    http.start();
    log::info("listening on http://{}:{}", http.host(), http.port());
  }
  started_ = true;
}

void ServiceRunner::stop() {
  if (!started_) return;
  if (runtime_.has_http_server()) runtime_.http_server().stop();
  // Stop in reverse order of start, all gracefully.
  for (auto it = containers_.rbegin(); it != containers_.rend(); ++it) (*it)->stop();
  runtime_.transport().stop();
  started_ = false;
}

void ServiceRunner::kill() noexcept {
  for (auto& c : containers_) c->kill();
  started_ = false;
}

ServiceContainer* ServiceRunner::container(std::string_view service, std::size_t index) const {
  for (const auto& c : containers_) {
    if (c->service_name() == service) {
      if (index == 0) return c.get();
      --index;
    }
  }
  return nullptr;
}

namespace {
sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR2);  // internal: wakes the watchdog after a clean stop
  return signals;
}
}  // namespace

void ServiceRunner::block_stop_signals() {
  sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

namespace {

// KillOnSignal: while it lives, a thread ends the process (exit code 130)
// on the next stop signal, saying `what` happened; its destructor ends that
// thread quietly (SIGUSR2).
class KillOnSignal {
 public:
  explicit KillOnSignal(const char* what)
      : watch_([what, signals = stop_signals()]() mutable {
          int signal = 0;
          if (sigwait(&signals, &signal) == 0 && signal != SIGUSR2) {
            log::warn("signal {} {}", signal, what);
            std::_Exit(130);
          }
        }) {}
  ~KillOnSignal() {
    pthread_kill(watch_.native_handle(), SIGUSR2);
    watch_.join();
  }
  KillOnSignal(const KillOnSignal&) = delete;
  KillOnSignal& operator=(const KillOnSignal&) = delete;

 private:
  std::thread watch_;
};

}  // namespace

void ServiceRunner::start_interruptibly() {
  KillOnSignal interrupt("during start-up: exiting");  // also ended when start() throws
  start();
}

int ServiceRunner::wait_for_signal() {
  block_stop_signals();
  sigset_t signals = stop_signals();
  int signal = 0;
  do {
    sigwait(&signals, &signal);
  } while (signal == SIGUSR2);
  log::info("received signal {}, stopping gracefully (send it again to kill)", signal);
  {
    KillOnSignal second("again during the graceful stop: killing");
    stop();
  }
  log::info("stopped");
  return 0;
}

}  // namespace hypha
