// Two processes over RabbitMQ: `hypha run --config x.yaml greeter` serves,
// `hypha call` and `hypha dispatch` (each its own process) talk to it.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "amqp_test_support.hpp"
#include "child_process.hpp"
#include "hypha/core/context_data.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp_test;

class AmqpCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(HYPHA_CLI_BINARY)) GTEST_SKIP() << "no " << HYPHA_CLI_BINARY;
    uri_ = fresh_vhost_uri();
    dir_ = temp_dir("cli-" + new_uuid4());
    config_ = dir_ + "/cluster.yaml";
    std::ofstream(config_) << "AMQP_URI: " << uri_ << "\n"
                           << "WEB_SERVER_ADDRESS: 127.0.0.1:0\n"
                           << "RPC_TIMEOUT: 10\n"
                           << "AMQP_SERVICE_CHECK_TTL_MS: 200\n";
  }

  CommandResult hypha(const std::vector<std::string>& args) {
    std::vector<std::string> argv{std::string(HYPHA_CLI_BINARY)};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, std::chrono::seconds(20));
  }

  std::string uri_, dir_, config_;
};

TEST_F(AmqpCli, CallAndDispatchReachAServiceInAnotherProcess) {
  ChildProcess server({HYPHA_CLI_BINARY, "run", "--config", config_, "greeter"}, dir_ + "/server.log");
  RawClient raw(uri_);
  ASSERT_TRUE(wait_until([&] { return raw.consumer_count("rpc-greeter") == 1u; }, 30s)) << server.output();

  CommandResult hello = hypha({"call", "--config", config_, "greeter.hello", R"({"args": ["Ann"]})"});
  EXPECT_EQ(hello.status, 0) << hello.output;
  EXPECT_NE(hello.output.find("\"Hello, Ann!\""), std::string::npos) << hello.output;

  CommandResult by_name = hypha({"call", "--config", config_, "greeter.hello", R"({"kwargs": {"name": "Bob"}, "args": []})"});
  EXPECT_EQ(by_name.status, 0) << by_name.output;
  EXPECT_NE(by_name.output.find("\"Hello, Bob!\""), std::string::npos) << by_name.output;

  CommandResult wrong = hypha({"call", "--config", config_, "greeter.nope"});
  EXPECT_EQ(wrong.status, 1);
  EXPECT_NE(wrong.output.find("MethodNotFound"), std::string::npos) << wrong.output;

  CommandResult dispatched = hypha({"dispatch", "--config", config_, "greeter", "greeted", R"({"name": "Cleo"})"});
  EXPECT_EQ(dispatched.status, 0) << dispatched.output;
  EXPECT_TRUE(wait_until([&] { return server.output().find("greeted Cleo") != std::string::npos; }))
      << server.output();

  server.signal(SIGTERM);
  auto status = server.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status) << "the server did not stop";
  EXPECT_EQ(*status, 0) << server.output();

  CommandResult gone = hypha({"call", "--config", config_, "greeter.hello", R"({"args": ["Ann"]})"});
  EXPECT_EQ(gone.status, 1);
  EXPECT_NE(gone.output.find("UnknownService"), std::string::npos) << gone.output;
}

// A start-up that waits for a broker (here one that never answers) can be
// interrupted: the stop signals were blocked until the services had started.
TEST_F(AmqpCli, ASignalDuringStartUpEndsTheProcess) {
  ChildProcess server({HYPHA_CLI_BINARY, "run", "--set", "AMQP_URI=amqp://guest:guest@127.0.0.1:1/", "--set",
                       "WEB_SERVER_ADDRESS=127.0.0.1:0", "greeter"},
                      dir_ + "/unreachable.log");
  ASSERT_TRUE(wait_until([&] { return server.output().find("cannot connect") != std::string::npos; }))
      << server.output();
  server.signal(SIGINT);
  auto status = server.wait(std::chrono::seconds(5));  // the connect timeout is 10 s
  ASSERT_TRUE(status) << "the start-up went on after SIGINT: " << server.output();
  EXPECT_EQ(*status, 130) << server.output();
}

}  // namespace
