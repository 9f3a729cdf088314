// Fault test: kill -9 one of two instances of a service while it holds an RPC
// request and an event delivery; the broker redelivers both (they were never
// acked) to the other instance, and the caller still gets its answer.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "amqp_test_support.hpp"
#include "child_process.hpp"
#include "hypha/core/context_data.hpp"
#include "hypha/transport/amqp.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp_test;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool logged(const std::string& dir, pid_t pid, const std::string& what) {
  return read_file(dir + "/log").find(std::to_string(pid) + " " + what + "\n") != std::string::npos;
}

TEST(AmqpKill, UnackedWorkOfAKilledInstanceGoesToTheOther) {
  enable_amqp_transport();
  const std::string uri = fresh_vhost_uri();
  const std::string dir = temp_dir("kill-" + new_uuid4());
  RawClient raw(uri);
  const std::string job_queue = "evt-emitter-job--killable.on_job";
  auto consumers = [&](std::uint32_t n) {
    return raw.consumer_count("rpc-killable") == n && raw.consumer_count(job_queue) == n;
  };
  ChildProcess first({HYPHA_AMQP_KILLABLE_SERVICE, uri, dir}, dir + "/first.out");
  ASSERT_TRUE(wait_until([&] { return consumers(1); }, 30s)) << first.output();

  AmqpTransport client(config_for(uri, Json{{"RPC_TIMEOUT", 60}}));
  auto reply = client.call_async("killable", "work", Invocation::positional(Json::array({"t1"})), {}, {});
  client.dispatch("emitter", "job", Json{{"id", "j1"}}, {});
  // The first instance holds both: t1 runs, j1 is delivered (nothing ready in its queue, one consumer).
  ASSERT_TRUE(wait_until([&] { return logged(dir, first.pid(), "start t1") && raw.message_count(job_queue) == 0u; }))
      << read_file(dir + "/log");

  ChildProcess second({HYPHA_AMQP_KILLABLE_SERVICE, uri, dir}, dir + "/second.out");
  ASSERT_TRUE(wait_until([&] { return consumers(2); }, 30s)) << second.output();
  first.signal(SIGKILL);
  ASSERT_EQ(first.wait(std::chrono::seconds(10)), 128 + SIGKILL);

  // The broker hands both deliveries to the second instance.
  ASSERT_TRUE(wait_until([&] { return logged(dir, second.pid(), "start t1") || logged(dir, second.pid(), "start j1"); }))
      << read_file(dir + "/log");
  std::ofstream(dir + "/release").put('\n');
  EXPECT_EQ(reply.get(std::chrono::seconds(20)), static_cast<int>(second.pid()));
  EXPECT_TRUE(wait_until([&] { return logged(dir, second.pid(), "done t1") && logged(dir, second.pid(), "done j1"); }))
      << read_file(dir + "/log");
  EXPECT_FALSE(logged(dir, first.pid(), "done t1"));
  EXPECT_FALSE(logged(dir, first.pid(), "done j1"));

  second.signal(SIGTERM);
  EXPECT_EQ(second.wait(std::chrono::seconds(30)), 0) << second.output();
  // Nothing is left unacked or ready after the clean stop.
  EXPECT_EQ(raw.message_count("rpc-killable"), 0u);
  EXPECT_EQ(raw.message_count(job_queue), 0u);
}

}  // namespace
