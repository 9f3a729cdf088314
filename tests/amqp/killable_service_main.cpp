// hypha_amqp_killable_service: one instance of the "killable" service over
// AMQP, for the kill -9 fault test (killable_amqptest.cpp).
//
//   hypha_amqp_killable_service AMQP_URI DIR
//
// work(tag) (RPC) and on_job (event "emitter.job", service pool) log
// "<pid> start <tag>" to DIR/log, hold their worker until DIR/release exists,
// log "<pid> done <tag>" and return the pid. SIGTERM stops it gracefully.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "hypha/core/runner.hpp"
#include "hypha/core/service_definition.hpp"
#include "hypha/dependencies/config.hpp"
#include "hypha/transport/amqp.hpp"

namespace {

class Killable {
 public:
  static constexpr std::string_view name = "killable";
  static void define(hypha::ServiceSpec<Killable>& s) {
    s.rpc("work", &Killable::work, {.params = {"tag"}});
    s.event_handler("on_job", &Killable::on_job, {.source = "emitter", .event_type = "job"});
    s.dependency("config", &Killable::config_, hypha::config_view());
  }
  int work(const std::string& tag) { return hold(tag); }
  void on_job(const hypha::Json& job) { hold(job.value("id", "?")); }

 private:
  int hold(const std::string& tag) {
    const std::filesystem::path dir = config_->get_string("TEST_DIR", ".");
    log(dir, "start " + tag);
    // Polling a file: the test releases workers of whichever process holds them.
    while (!std::filesystem::exists(dir / "release")) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log(dir, "done " + tag);
    return static_cast<int>(::getpid());
  }
  static void log(const std::filesystem::path& dir, const std::string& line) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::ofstream(dir / "log", std::ios::app) << ::getpid() << " " << line << std::endl;
  }
  hypha::ConfigView config_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " AMQP_URI DIR\n";
    return 2;
  }
  hypha::ServiceRunner::block_stop_signals();
  hypha::enable_amqp_transport();
  hypha::Config config(hypha::Json{{"AMQP_URI", argv[1]}, {"TEST_DIR", argv[2]}, {"max_workers", 2}}, "<killable>");
  hypha::ServiceRunner runner(config);
  runner.add_service<Killable>();
  runner.start();
  return runner.wait_for_signal();
}
