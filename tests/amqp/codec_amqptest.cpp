// Codec unit tests (no broker): kombu JSON, field tables and context headers,
// Nameko error objects and bodies, names and flags, settings.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "field_table.hpp"
#include "hypha/core/errors.hpp"
#include "json_codec.hpp"
#include "settings.hpp"
#include "wire.hpp"

namespace {

using hypha::Json;
using namespace hypha::amqp;

TEST(AmqpCodec, WritesLikePythonJsonDumps) {
  EXPECT_EQ(encode_json(Json{{"args", Json::array({"w\u00f6rld"})}, {"kwargs", Json::object()}}),
            R"({"args": ["w\u00f6rld"], "kwargs": {}})");
  EXPECT_EQ(encode_json(Json::array({1, 2.5, true, false, nullptr, "x"})), R"([1, 2.5, true, false, null, "x"])");
  EXPECT_EQ(encode_json(Json::object()), "{}");
  EXPECT_EQ(encode_json(Json::array()), "[]");
  EXPECT_EQ(encode_json(Json{{"a", Json{{"b", 1}}}}), R"({"a": {"b": 1}})");
}

TEST(AmqpCodec, EscapesEverythingOutsidePrintableAscii) {
  EXPECT_EQ(encode_json("\"\\/\n\r\t\b\f"), R"("\"\\/\n\r\t\b\f")");
  EXPECT_EQ(encode_json(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(encode_json("\u00e9\u20ac"), R"("\u00e9\u20ac")");
  EXPECT_EQ(encode_json("\U0001F600"), R"("\ud83d\ude00")");  // surrogate pair, lower-case hex
  EXPECT_THROW(encode_json(std::string("\xff")), JsonEncodeError);
}

TEST(AmqpCodec, WritesFloatsAsPythonRepr) {
  EXPECT_EQ(encode_json(1.0), "1.0");
  EXPECT_EQ(encode_json(0.1), "0.1");
  EXPECT_EQ(encode_json(-2.5), "-2.5");
  EXPECT_EQ(encode_json(1e15), "1000000000000000.0");
  EXPECT_EQ(encode_json(1e16), "1e+16");
  EXPECT_EQ(encode_json(1.5e-7), "1.5e-07");
  EXPECT_EQ(encode_json(0.0001), "0.0001");
  EXPECT_EQ(encode_json(0.00001), "1e-05");
  EXPECT_EQ(encode_json(123456.789), "123456.789");
  EXPECT_EQ(encode_json(1e100), "1e+100");
  EXPECT_EQ(encode_json(-0.0), "-0.0");
  EXPECT_EQ(encode_json(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(encode_json(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(encode_json(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(AmqpCodec, ReadsBareNanAndInfinityTokens) {
  Json v = decode_json(R"({"a": NaN, "b": Infinity, "c": -Infinity, "d": [NaN], "s": "NaN Infinity"})");
  EXPECT_TRUE(std::isnan(v["a"].get<double>()));
  EXPECT_EQ(v["b"].get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(v["c"].get<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(v["d"][0].get<double>()));
  EXPECT_EQ(v["s"], "NaN Infinity");  // tokens inside strings are text
  EXPECT_THROW(decode_json("nan"), JsonDecodeError);
  EXPECT_THROW(decode_json("-NaN"), JsonDecodeError);
}

TEST(AmqpCodec, ReadsEscapesAndNumbers) {
  Json v = decode_json(R"(["w\u00f6rld", "\ud83d\ude00", "\ud800x", "a\/b", 12, -3, 1.5, 1e3, 18446744073709551615, 1e400])");
  EXPECT_EQ(v[0], "w\u00f6rld");
  EXPECT_EQ(v[1], "\U0001F600");
  EXPECT_EQ(v[2], "\uFFFDx");  // a lone surrogate cannot be UTF-8
  EXPECT_EQ(v[3], "a/b");
  EXPECT_TRUE(v[4].is_number_integer());
  EXPECT_EQ(v[5].get<int>(), -3);
  EXPECT_TRUE(v[6].is_number_float());
  EXPECT_TRUE(v[7].is_number_float());
  EXPECT_EQ(v[8].get<std::uint64_t>(), 18446744073709551615ULL);
  EXPECT_EQ(v[9].get<double>(), std::numeric_limits<double>::infinity());
}

TEST(AmqpCodec, RejectsWhatPythonRejects) {
  EXPECT_THROW(decode_json(""), JsonDecodeError);
  EXPECT_THROW(decode_json("{"), JsonDecodeError);
  EXPECT_THROW(decode_json("{\"a\" 1}"), JsonDecodeError);
  EXPECT_THROW(decode_json("[1,]"), JsonDecodeError);
  EXPECT_THROW(decode_json("{} x"), JsonDecodeError);
  EXPECT_THROW(decode_json("\"abc"), JsonDecodeError);
  EXPECT_THROW(decode_json("\"\\x\""), JsonDecodeError);
  EXPECT_THROW(decode_json("01"), JsonDecodeError);
  EXPECT_THROW(decode_json(std::string("\"\xc3\x28\"")), JsonDecodeError);  // not UTF-8
  EXPECT_THROW(decode_json(std::string(2000, '[')), JsonDecodeError);       // too deep, no stack overflow
}

TEST(AmqpCodec, UnwrapsKombuTypeEnvelopes) {
  Json v = decode_json(R"({"when": {"__type__": "datetime", "__value__": "2024-01-02T03:04:05"},
    "day": {"__type__": "date", "__value__": "2024-01-02"},
    "at": {"__type__": "time", "__value__": "03:04:05"},
    "price": {"__type__": "decimal", "__value__": "1.10"},
    "id": {"__type__": "uuid", "__value__": "6f1c1b4e-0000-4000-8000-000000000000"},
    "raw": {"__type__": "bytes", "__value__": "hello"},
    "b64": {"__type__": "base64", "__value__": "/w=="},
    "nested": [{"__type__": "uuid", "__value__": "u"}],
    "other": {"__type__": "AnyUrl", "__value__": "http://x"},
    "three": {"__type__": "date", "__value__": "d", "x": 1}})");
  EXPECT_EQ(v["when"], "2024-01-02T03:04:05");
  EXPECT_EQ(v["day"], "2024-01-02");
  EXPECT_EQ(v["at"], "03:04:05");
  EXPECT_EQ(v["price"], "1.10");
  EXPECT_EQ(v["id"], "6f1c1b4e-0000-4000-8000-000000000000");
  EXPECT_EQ(v["raw"], "hello");
  EXPECT_EQ(v["b64"], "/w==");
  EXPECT_EQ(v["nested"][0], "u");
  EXPECT_TRUE(v["other"].is_object());  // unknown types stay objects
  EXPECT_EQ(v["three"].size(), 3u);     // not exactly the two envelope keys
}

// kombu 5.3.0 wrote a UUID as its hex, later versions as {"hex", "version"};
// both arrive as str(uuid) gives it, the form kombu <= 5.2 sent.
TEST(AmqpCodec, KombuUuidEnvelopesOfEveryVersionReadAsTheHyphenatedForm) {
  Json v = decode_json(R"([{"__type__": "uuid", "__value__": "6F1C1B4E00004000800000000000000A"},
    {"__type__": "uuid", "__value__": {"hex": "6f1c1b4e00004000800000000000000a", "version": 4}},
    {"__type__": "uuid", "__value__": {"hex": "6f1c1b4e00004000800000000000000a"}},
    {"__type__": "uuid", "__value__": "6f1c1b4e-0000-4000-8000-00000000000a"},
    {"__type__": "uuid", "__value__": {"int": 5}},
    {"__type__": "uuid", "__value__": "not-a-uuid"}])");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(v[i], "6f1c1b4e-0000-4000-8000-00000000000a") << i;
  EXPECT_EQ(v[4], (Json{{"int", 5}}));  // not a form kombu writes: kept
  EXPECT_EQ(v[5], "not-a-uuid");
}

TEST(AmqpCodec, RoundTripsThroughTheCodec) {
  Json value = {{"text", "h\u00e9llo \U0001F600"}, {"n", -42}, {"f", 0.25}, {"list", {1, "two", nullptr}}};
  EXPECT_EQ(decode_json(encode_json(value)), value);
}

TEST(AmqpCodec, FieldTablesRoundTrip) {
  Json headers = {{"s", "text"}, {"i", 42}, {"big", 1LL << 40}, {"b", true}, {"d", 1.5},
                  {"a", {"x", "y"}}, {"t", {{"k", 1}}}, {"null", nullptr}};
  FieldTable table(headers);
  ASSERT_EQ(table.table().num_entries, 7);  // null dropped
  // Types as py-amqp writes them.
  for (int i = 0; i < table.table().num_entries; ++i) {
    const auto& e = table.table().entries[i];
    const std::string key = to_string(e.key);
    if (key == "s") {
      EXPECT_EQ(e.value.kind, AMQP_FIELD_KIND_UTF8);
    }
    if (key == "i") {
      EXPECT_EQ(e.value.kind, AMQP_FIELD_KIND_I32);
    }
    if (key == "big") {
      EXPECT_EQ(e.value.kind, AMQP_FIELD_KIND_I64);
    }
    if (key == "a") {
      EXPECT_EQ(e.value.kind, AMQP_FIELD_KIND_ARRAY);
    }
  }
  Json back = table_to_json(table.table());
  headers.erase("null");
  EXPECT_EQ(back, headers);
}

TEST(AmqpCodec, FieldValuesOfEveryKindBecomeJson) {
  amqp_field_value_t v{};
  v.kind = AMQP_FIELD_KIND_U8;
  v.value.u8 = 7;
  EXPECT_EQ(field_to_json(v), 7);
  v.kind = AMQP_FIELD_KIND_I16;
  v.value.i16 = -5;
  EXPECT_EQ(field_to_json(v), -5);
  v.kind = AMQP_FIELD_KIND_DECIMAL;
  v.value.decimal = {2, 150};
  EXPECT_DOUBLE_EQ(field_to_json(v).get<double>(), 1.5);
  v.kind = AMQP_FIELD_KIND_TIMESTAMP;
  v.value.u64 = 1700000000;
  EXPECT_EQ(field_to_json(v), 1700000000);
  v.kind = AMQP_FIELD_KIND_VOID;
  EXPECT_TRUE(field_to_json(v).is_null());
  std::string bad = "a\xffz";
  v.kind = AMQP_FIELD_KIND_BYTES;
  v.value.bytes = bytes(bad);
  EXPECT_EQ(field_to_json(v), "a\uFFFDz");
}

TEST(AmqpCodec, ContextBecomesNamekoHeadersAndBack) {
  hypha::ContextData context;
  context.call_id_stack = {"standalone_rpc_proxy.call.1", "greeter.nested.2"};
  context.set("language", "en");
  context.set("user_id", "u1");
  context.set("custom", "x");
  Json headers = context_to_headers(context);
  EXPECT_EQ(headers, (Json{{"nameko.call_id_stack", {"standalone_rpc_proxy.call.1", "greeter.nested.2"}},
                           {"nameko.language", "en"},
                           {"nameko.user_id", "u1"},
                           {"nameko.custom", "x"}}));
  hypha::ContextData back = headers_to_context(headers);
  EXPECT_EQ(back.call_id_stack, context.call_id_stack);
  EXPECT_EQ(back.values(), context.values());
}

TEST(AmqpCodec, HeadersDecodeAsNamekoDoes) {
  Json headers = {{"nameko.user_id", "u1"}, {"x-death", {{{"count", 1}}}}, {"x-hypha-retries", 2}, {"plain", 3}};
  hypha::ContextData context = headers_to_context(headers);
  EXPECT_EQ(context.get("user_id"), "u1");
  EXPECT_EQ(context.get("x-death"), Json::array({{{"count", 1}}}));  // foreign headers kept verbatim
  EXPECT_EQ(context.get("plain"), 3);
  EXPECT_TRUE(context.get("x-hypha-retries").is_null());  // Hypha's own header is not context
  EXPECT_TRUE(context.call_id_stack.empty());
  // Through a real field table, with the call id stack as an AMQP array.
  hypha::ContextData ctx;
  ctx.call_id_stack = {"a.b.c"};
  FieldTable table(context_to_headers(ctx));
  ASSERT_EQ(table.table().num_entries, 1);
  EXPECT_EQ(to_string(table.table().entries[0].key), "nameko.call_id_stack");
  EXPECT_EQ(table.table().entries[0].value.kind, AMQP_FIELD_KIND_ARRAY);
  EXPECT_EQ(headers_to_context(table_to_json(table.table())).call_id_stack, ctx.call_id_stack);
}

TEST(AmqpCodec, ErrorObjectsInNamekosKeyOrder) {
  EXPECT_EQ(encode_error(hypha::MethodNotFound("nope").info()),
            R"({"exc_type": "MethodNotFound", "exc_path": "nameko.exceptions.MethodNotFound", "exc_args": ["nope"], "value": "nope"})");
  hypha::ErrorInfo value_error{"ValueError", "builtins.ValueError", Json::array({"bad", "42", {{"k", "1"}}}),
                               "('bad', 42, {'k': 1})"};
  EXPECT_EQ(encode_error(value_error),
            R"j({"exc_type": "ValueError", "exc_path": "builtins.ValueError", "exc_args": ["bad", "42", {"k": "1"}], "value": "('bad', 42, {'k': 1})"})j");
  EXPECT_EQ(encode_error(hypha::MalformedRequest("Message missing `args` or `kwargs`").info()),
            R"({"exc_type": "MalformedRequest", "exc_path": "nameko.exceptions.MalformedRequest", "exc_args": ["Message missing `args` or `kwargs`"], "value": "Message missing `args` or `kwargs`"})");
}

TEST(AmqpCodec, ReplyBodiesAsNamekoWritesThem) {
  EXPECT_EQ(encode_reply(hypha::Outcome{"hello w\u00f6rld", std::nullopt}), R"({"result": "hello w\u00f6rld", "error": null})");
  EXPECT_EQ(encode_reply(hypha::Outcome{nullptr, std::nullopt}), R"({"result": null, "error": null})");
  EXPECT_EQ(encode_reply(hypha::Outcome{nullptr, hypha::MethodNotFound("x").info()}),
            R"({"result": null, "error": {"exc_type": "MethodNotFound", "exc_path": "nameko.exceptions.MethodNotFound", "exc_args": ["x"], "value": "x"}})");
  // A result that cannot be written: Nameko's UnserializableValueError.
  Json bad = std::string("\xff");
  Json reply = decode_json(encode_reply(hypha::Outcome{bad, std::nullopt}));
  EXPECT_TRUE(reply["result"].is_null());
  EXPECT_EQ(reply["error"]["exc_path"], "nameko.exceptions.UnserializableValueError");
}

TEST(AmqpCodec, RepliesDecodeIntoOutcomes) {
  auto ok = decode_reply(R"({"result": {"a": [1, NaN]}, "error": null})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.result["a"][0], 1);
  auto err = decode_reply(R"({"result": null, "error": {"exc_type": "ValueError", "exc_path": "builtins.ValueError", "exc_args": ["bad"], "value": "bad"}})");
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error->exc_path, "builtins.ValueError");
  EXPECT_EQ(err.error->exc_args, Json::array({"bad"}));
  EXPECT_FALSE(decode_reply("not json").ok());
  EXPECT_FALSE(decode_reply(R"({"error": null})").ok());
}

TEST(AmqpCodec, RequestsEncodeAndDecode) {
  hypha::Invocation inv;
  inv.args = Json::array({"w\u00f6rld"});
  EXPECT_EQ(encode_request(inv), R"({"args": ["w\u00f6rld"], "kwargs": {}})");
  auto good = decode_request("application/json", "utf-8", R"({"args": [1], "kwargs": {"x": 2}})");
  ASSERT_FALSE(good.error);
  EXPECT_EQ(good.invocation.args, Json::array({1}));
  EXPECT_EQ(good.invocation.kwargs, Json({{"x", 2}}));
  auto missing = decode_request("application/json", "utf-8", R"({"args": []})");
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(missing.error->exc_path, "nameko.exceptions.MalformedRequest");
  EXPECT_EQ(missing.error->value, "Message missing `args` or `kwargs`");
  EXPECT_EQ(decode_request("application/json", "utf-8", "{bad").error->exc_type, "MalformedRequest");
  EXPECT_EQ(decode_request("application/x-python-serialize", "binary", "x").error->exc_type, "MalformedRequest");
  EXPECT_EQ(decode_request("", "", "{}").error->exc_type, "MalformedRequest");
  EXPECT_EQ(decode_request("application/json", "latin-1", "{}").error->exc_type, "MalformedRequest");
}

TEST(AmqpCodec, NamesAndFlagsAsNameko) {
  auto q = rpc_queue("greeter");
  EXPECT_EQ(q.name, "rpc-greeter");
  EXPECT_TRUE(q.durable);
  EXPECT_FALSE(q.exclusive);
  EXPECT_FALSE(q.auto_delete);
  EXPECT_EQ(q.x_expires_ms, 0);
  EXPECT_EQ(rpc_binding_key("greeter"), "greeter.*");
  EXPECT_EQ(rpc_routing_key("greeter", "hello"), "greeter.hello");
  auto r = reply_queue("greeter", "u-1");
  EXPECT_EQ(r.name, "rpc.reply-greeter-u-1");
  EXPECT_TRUE(r.durable);
  EXPECT_EQ(r.x_expires_ms, 300000);
  auto x = rpc_exchange();
  EXPECT_EQ(x.name, "nameko-rpc");
  EXPECT_EQ(x.type, "topic");
  EXPECT_TRUE(x.durable);
  EXPECT_FALSE(x.auto_delete);
  EXPECT_EQ(method_of_routing_key("greeter", "greeter.hello"), "hello");
  EXPECT_EQ(method_of_routing_key("greeter", "rpc-greeter"), "rpc-greeter");
  EXPECT_EQ(method_of_routing_key("greeter", "other.svc.m"), "m");

  hypha::EventSubscription s{"src", "created", "svc", "on_created", hypha::HandlerType::kServicePool, true, 5, "i1"};
  auto pool = event_queue(s);
  EXPECT_EQ(pool.name, "evt-src-created--svc.on_created");
  EXPECT_TRUE(pool.durable);
  EXPECT_FALSE(pool.auto_delete);
  s.reliable_delivery = false;
  EXPECT_TRUE(event_queue(s).auto_delete);
  s.handler_type = hypha::HandlerType::kSingleton;
  s.reliable_delivery = true;
  EXPECT_EQ(event_queue(s).name, "evt-src-created");
  s.handler_type = hypha::HandlerType::kBroadcast;
  auto broadcast = event_queue(s);
  EXPECT_EQ(broadcast.name, "evt-src-created--svc.on_created-i1");
  EXPECT_TRUE(broadcast.exclusive);
  EXPECT_TRUE(broadcast.auto_delete);
  EXPECT_EQ(event_exchange("src").name, "src.events");
  EXPECT_FALSE(event_exchange("src").auto_delete);
  EXPECT_TRUE(event_exchange("src", true).auto_delete);
  EXPECT_EQ(dead_letter_queue("evt-src-created").name, "evt-src-created.dlq");
}

TEST(AmqpCodec, SettingsReadTheConfigKeys) {
  auto s = Settings::from_config(hypha::Config(Json{{"AMQP_URI", "amqps://u:p%40ss@broker:1234/my%2Fvhost"},
                                                    {"HEARTBEAT", 15},
                                                    {"max_workers", 7},
                                                    {"rpc_exchange", "other-rpc"},
                                                    {"RPC_TIMEOUT", 2.5},
                                                    {"AUTO_DELETE_EVENT_EXCHANGES", true},
                                                    {"DECLARE_EVENT_EXCHANGES", false},
                                                    {"AMQP_SSL", {{"cert_reqs", 0}}}}));
  EXPECT_TRUE(s.params.ssl);
  EXPECT_EQ(s.params.user, "u");
  EXPECT_EQ(s.params.password, "p@ss");
  EXPECT_EQ(s.params.host, "broker");
  EXPECT_EQ(s.params.port, 1234);
  EXPECT_EQ(s.params.vhost, "my/vhost");
  EXPECT_FALSE(s.params.verify_peer);
  EXPECT_EQ(s.heartbeat, 15);
  EXPECT_EQ(s.prefetch, 7);  // prefetch = max_workers
  // 0 workers could run nothing (Nameko's pool of 0 hangs): refused.
  EXPECT_THROW(Settings::from_config(hypha::Config(Json{{"AMQP_URI", "amqp://broker"}, {"max_workers", 0}})),
               hypha::ConfigurationError);
  EXPECT_EQ(s.rpc_exchange, "other-rpc");
  EXPECT_EQ(s.rpc_timeout, std::chrono::milliseconds(2500));
  EXPECT_TRUE(s.auto_delete_event_exchanges);
  EXPECT_FALSE(s.declare_event_exchanges);

  auto d = Settings::from_config(hypha::Config(Json{{"AMQP_URI", "pyamqp://guest:guest@localhost"}}));
  EXPECT_FALSE(d.params.ssl);
  EXPECT_EQ(d.params.port, 5672);
  EXPECT_EQ(d.params.vhost, "/");
  EXPECT_EQ(d.heartbeat, 60);
  EXPECT_EQ(d.rpc_exchange, "nameko-rpc");
  EXPECT_EQ(d.rpc_timeout, std::chrono::seconds(30));
  EXPECT_EQ(Settings::from_config(hypha::Config(Json{{"AMQP_URI", "amqp://h//"}})).params.vhost, "/");

  EXPECT_THROW(Settings::from_config(hypha::Config(Json{{"AMQP_URI", "amqp://h/"}, {"serializer", "pickle"}})),
               hypha::ConfigurationError);
  EXPECT_THROW(Settings::from_config(hypha::Config(Json{{"AMQP_URI", "http://h/"}})), hypha::ConfigurationError);
  EXPECT_THROW(Settings::from_config(hypha::Config(Json{{"AMQP_URI", "amqp://h:99999/"}})), hypha::ConfigurationError);
  EXPECT_THROW(Settings::from_config(hypha::Config(Json{{"AMQP_URI", "amqp://h/"}, {"RPC_TIMEOUT", -1}})),
               hypha::ConfigurationError);
}

TEST(AmqpCodec, AnUnreadableTlsFileIsAConfigError) {
  // Not a broker outage to retry forever: the message names the key and the file.
  const Json missing_ca{{"AMQP_URI", "amqps://h/"}, {"AMQP_SSL", {{"ca_certs", "/nonexistent/ca.pem"}}}};
  try {
    Settings::from_config(hypha::Config(missing_ca));
    FAIL() << "no ConfigurationError";
  } catch (const hypha::ConfigurationError& e) {
    EXPECT_NE(std::string(e.what()).find("AMQP_SSL.ca_certs"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ca.pem"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Settings::from_config(hypha::Config(
                   Json{{"AMQP_URI", "amqps://h/"}, {"AMQP_SSL", {{"certfile", "/nonexistent/c.pem"}}}})),
               hypha::ConfigurationError);
}

}  // namespace
