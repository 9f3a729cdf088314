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

// A --set value is one line of YAML read on its own: it cannot add keys.
TEST(Cli, SetReadsTheValueAsYamlAndNothingElse) {
  auto r = run_cli({"show-config", "--set", "N=[1, 2]", "--set", "S='a: b'"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("N:\n  - 1\n  - 2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("S: \"a: b\""), std::string::npos) << r.out;
  r = run_cli({"show-config", "--set", "A=1\nB: 2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--set A: the value must be a single line"), std::string::npos) << r.err;
  r = run_cli({"show-config", "--set", "B: 2\nA=1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("a key is letters, digits"), std::string::npos) << r.err;
}

TEST(Cli, UsageErrorsExitTwoAndHelpZero) {
  EXPECT_EQ(run_cli({"no-such-command"}).code, 2);
  EXPECT_EQ(run_cli({"run"}).code, 2);  // no service named
  EXPECT_EQ(run_cli({"show-config", "--config", "/nonexistent/hypha.yaml"}).code, 2);
  auto help = run_cli({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("show-config"), std::string::npos) << help.out;
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
