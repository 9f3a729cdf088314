// Malformed messages published straight to the broker: each gets Nameko's
// error reply where a reply is possible, or is dropped (never requeued in a
// loop), and the service keeps answering valid calls.
#include <gtest/gtest.h>

#include "amqp_test_services.hpp"
#include "amqp_test_support.hpp"
#include "amqp_vhost_test.hpp"
#include "hypha/core/runner.hpp"
#include "hypha/transport/amqp.hpp"
#include "json_codec.hpp"

namespace {

using namespace hypha;
using namespace hypha::amqp_test;

class AmqpMalformed : public AmqpVhostTest {
 protected:
  void SetUp() override {
    AmqpVhostTest::SetUp();
    service_ = std::make_unique<ServiceRunner>(config_for(uri_));
    service_->add_service<Echo>();
    service_->start();
    caller_ = std::make_unique<NamekoCaller>(uri_);
  }
  void TearDown() override { service_->stop(); }

  // error_of sends `message` to echo.<method> and returns the reply's error object.
  Json error_of(const std::string& method, amqp::Message message) {
    const std::string id = new_uuid4();
    message.correlation_id = id;
    caller_->send("echo." + method, message);
    auto reply = caller_->reply();
    if (!reply) return "no reply";
    EXPECT_EQ(reply->message.correlation_id, id);
    Json body = amqp::decode_json(reply->message.body);
    EXPECT_TRUE(body.contains("result"));
    EXPECT_TRUE(body["result"].is_null());
    return body["error"];
  }

  void expect_still_answers() {
    auto reply = answer_of(R"({"args": ["Ann"], "kwargs": {}})");
    EXPECT_EQ(reply, R"({"result": "hello Ann", "error": null})");
  }

  std::string answer_of(const std::string& body) {
    const std::string id = new_uuid4();
    caller_->send("echo.hello", caller_->request(body, id));
    auto reply = caller_->reply();
    return reply ? reply->message.body : "no reply";
  }

  std::unique_ptr<ServiceRunner> service_;
  std::unique_ptr<NamekoCaller> caller_;
};

TEST_F(AmqpMalformed, BadJsonGetsMalformedRequest) {
  Json error = error_of("hello", caller_->request("{\"args\": [", ""));
  EXPECT_EQ(error["exc_type"], "MalformedRequest");
  EXPECT_EQ(error["exc_path"], "nameko.exceptions.MalformedRequest");
  error = error_of("hello", caller_->request(std::string("{\"args\": [\"\xff\"], \"kwargs\": {}}"), ""));
  EXPECT_EQ(error["exc_path"], "nameko.exceptions.MalformedRequest");
  expect_still_answers();
}

TEST_F(AmqpMalformed, BodyWithoutArgsOrKwargsGetsMalformedRequest) {
  Json error = error_of("hello", caller_->request(R"({"args": ["Ann"]})", ""));
  EXPECT_EQ(error["exc_path"], "nameko.exceptions.MalformedRequest");
  EXPECT_EQ(error["value"], "Message missing `args` or `kwargs`");
  error = error_of("hello", caller_->request(R"(["Ann"])", ""));
  EXPECT_EQ(error["exc_path"], "nameko.exceptions.MalformedRequest");
  expect_still_answers();
}

TEST_F(AmqpMalformed, UnknownContentTypeGetsMalformedRequest) {
  auto pickled = caller_->request(R"({"args": ["Ann"], "kwargs": {}})", "");
  pickled.content_type = "application/x-python-serialize";
  Json error = error_of("hello", pickled);
  EXPECT_EQ(error["exc_path"], "nameko.exceptions.MalformedRequest");
  auto untyped = caller_->request(R"({"args": ["Ann"], "kwargs": {}})", "");
  untyped.content_type.clear();  // kombu would hand Nameko a raw string here
  error = error_of("hello", untyped);
  EXPECT_EQ(error["exc_path"], "nameko.exceptions.MalformedRequest");
  expect_still_answers();
}

TEST_F(AmqpMalformed, WrongArgumentsGetIncorrectSignature) {
  Json error = error_of("hello", caller_->request(R"({"args": [42], "kwargs": {}})", ""));
  EXPECT_EQ(error["exc_path"], "nameko.exceptions.IncorrectSignature");
  error = error_of("hello", caller_->request(R"({"args": [], "kwargs": {}})", ""));
  EXPECT_EQ(error["exc_path"], "nameko.exceptions.IncorrectSignature");
  error = error_of("add", caller_->request(R"({"args": [1, 2, 3], "kwargs": {}})", ""));
  EXPECT_EQ(error["exc_path"], "nameko.exceptions.IncorrectSignature");
  error = error_of("hello", caller_->request(R"({"args": [], "kwargs": {"nobody": 1}})", ""));
  EXPECT_EQ(error["exc_path"], "nameko.exceptions.IncorrectSignature");
  expect_still_answers();
}

TEST_F(AmqpMalformed, UnknownMethodGetsMethodNotFound) {
  Json error = error_of("nope", caller_->request(R"({"args": [], "kwargs": {}})", ""));
  EXPECT_EQ(error.dump(), Json({{"exc_args", {"nope"}},
                                {"exc_path", "nameko.exceptions.MethodNotFound"},
                                {"exc_type", "MethodNotFound"},
                                {"value", "nope"}})
                              .dump());
  // The method is looked up before the body is read, as Nameko does.
  error = error_of("nope", caller_->request("{\"args\": [", ""));
  EXPECT_EQ(error["exc_path"], "nameko.exceptions.MethodNotFound");
  expect_still_answers();
}

TEST_F(AmqpMalformed, RequestWithoutReplyToIsDroppedNotRequeued) {
  auto orphan = caller_->request(R"({"args": ["Ann"], "kwargs": {}})", new_uuid4());
  orphan.reply_to.reset();
  caller_->send("echo.hello", orphan);
  auto garbage = caller_->request("not json at all", new_uuid4());
  garbage.reply_to.reset();
  caller_->send("echo.hello", garbage);
  expect_still_answers();
  // Nothing left behind: the broker would redeliver a requeued message forever.
  RawClient raw(uri_);
  EXPECT_TRUE(wait_until([&] { return raw.message_count("rpc-echo") == 0u; }));
  EXPECT_FALSE(caller_->reply(200ms).has_value());  // and no stray reply came
  EXPECT_EQ(Journal::instance().entries().size(), 0u);
}

TEST_F(AmqpMalformed, MalformedEventsAreDroppedAndTheHandlerGoesOn) {
  ServiceRunner listener(config_for(uri_, Json{{"INSTANCE", "a"}}));
  listener.add_service<Auditor>();
  listener.start();
  RawClient raw(uri_);
  amqp::Message bad;
  bad.body = "{not json";
  bad.content_type = "application/json";
  bad.content_encoding = "utf-8";
  bad.delivery_mode = 2;
  raw.publish("emitter.events", "ping", bad);
  amqp::Message foreign = bad;
  foreign.body = R"({"id": "pickled"})";
  foreign.content_type = "application/x-python-serialize";
  raw.publish("emitter.events", "ping", foreign);
  amqp::Message good = bad;
  good.body = R"({"id": "e1"})";
  raw.publish("emitter.events", "ping", good);
  ASSERT_TRUE(wait_until([] { return Journal::instance().count("auditor.on_pool a e1") == 1; }));
  EXPECT_TRUE(wait_until([&] { return raw.message_count("evt-emitter-ping--auditor.on_pool") == 0u; }));
  listener.stop();
  EXPECT_EQ(Journal::instance().count("auditor.on_pool a pickled"), 0u);
  expect_still_answers();
}

}  // namespace
