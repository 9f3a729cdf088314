#include "private_broker.hpp"

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <filesystem>
#include <stdexcept>

#include "child_process.hpp"

namespace hypha::amqp_test {
namespace {

std::string script(const std::string& command, const std::string& dir, bool tls = false) {
  CommandResult result = run_command({"/usr/bin/env", std::string("HYPHA_BROKER_TLS=") + (tls ? "1" : "0"), "/bin/bash",
                                      HYPHA_AMQP_BROKER_SCRIPT, command, dir},
                                     std::chrono::seconds(90));
  if (result.status != 0) throw std::runtime_error("rabbitmq-test-broker.sh " + command + " failed:\n" + result.output);
  return result.output;
}

std::string last_line(std::string out) {
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  auto newline = out.rfind('\n');
  return newline == std::string::npos ? out : out.substr(newline + 1);
}

}  // namespace

PrivateBroker::PrivateBroker(const std::string& name, bool tls) : dir_(temp_dir(name)), tls_(tls) {
  script("stop", dir_);  // a broker left over by a crashed run
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  start();
}

PrivateBroker::~PrivateBroker() {
  try {
    stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
  }
}

void PrivateBroker::start() {
  uri_ = last_line(script("start", dir_, tls_));
  if (tls_) tls_uri_ = last_line(script("tls-uri", dir_));
}

void PrivateBroker::stop() { script("stop", dir_); }

void PrivateBroker::signal(int signo) {
  std::ifstream in(dir_ + "/rabbitmq.pid");
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) throw std::runtime_error("no pid file in " + dir_);
  ::kill(pid, signo);
}

}  // namespace hypha::amqp_test
