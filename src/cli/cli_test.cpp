// The command line's parsing and messages, run in process (no services start).
#include "hypha/cli/cli.hpp"
#include "hypha/core/logging.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Result {
  int code;
  std::string out;
  std::string err;
};

// run_cli runs `hypha <args>` with an empty registry, capturing its output.
Result run_cli(std::initializer_list<std::string> args) {
  std::vector<std::string> words{"hypha"};
  words.insert(words.end(), args);
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  std::ostringstream out, err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  hypha::cli::ServiceRegistry registry;
  const int code = hypha::cli::main(static_cast<int>(argv.size()), argv.data(), registry);
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {code, out.str(), err.str()};
}

// `--set` took every word after it, so the documented
// `run --set K=V SERVICE SERVICE` failed on the first service name.
TEST(Cli, SetTakesOneValueAndLeavesTheServicesAfterIt) {
  auto r = run_cli({"run", "--set", "A=1", "--set", "B=2", "first", "second"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown service 'first'"), std::string::npos) << r.err;
}

TEST(Cli, ShowConfigMasksPasswordsInUris) {
  auto r = run_cli({"show-config", "--set", "AMQP_URI=amqp://guest:s3cret@127.0.0.1:5672/", "--set", "N=3"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("amqp://guest:****@127.0.0.1:5672/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("N: 3"), std::string::npos) << r.out;
}

TEST(Cli, AnInstanceCountMustBeAWholeNumberInRange) {
  for (std::string bad : {"svc=abc", "svc=", "svc=-1", "svc=0", "svc=1x", "svc=100000"}) {
    auto r = run_cli({"run", bad});
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_NE(r.err.find("number of instances"), std::string::npos) << bad << ": " << r.err;
  }
}

// spdlog reads an unknown level name as "off": every line was lost.
TEST(Cli, AnUnknownLogLevelIsAnErrorNamingTheKey) {
  auto r = run_cli({"run", "--set", "LOG_LEVEL=verbose", "svc"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("key 'LOG_LEVEL'"), std::string::npos) << r.err;
  EXPECT_EQ(hypha::log::parse_level("WARN"), spdlog::level::warn);
  EXPECT_EQ(hypha::log::parse_level("Debug"), spdlog::level::debug);
}

TEST(Cli, APayloadThatIsNotJsonFailsBeforeConnecting) {
  // The broker named here does not exist: the payload is refused first.
  auto r = run_cli({"call", "--set", "AMQP_URI=amqp://guest:guest@127.0.0.1:1/", "svc.method", "{not json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not valid JSON"), std::string::npos) << r.err;
}

}  // namespace
