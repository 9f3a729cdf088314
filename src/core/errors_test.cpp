#include "hypha/core/errors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <ios>
#include <limits>
#include <stdexcept>
#include <string>

namespace {

using hypha::ErrorInfo;
using hypha::Json;

template <class E>
ErrorInfo serialize(const E& e) {
  return hypha::serialize_exception(std::make_exception_ptr(e));
}

// QuotaExceeded is an application error type, as a service would define one.
class QuotaExceeded : public hypha::Error {
 public:
  explicit QuotaExceeded(std::string message)
      : hypha::Error("QuotaExceeded", "errors_test.QuotaExceeded", std::move(message)) {}
};

TEST(SerializeException, StandardExceptionGetsItsTypeAndNamespace) {
  ErrorInfo info = serialize(std::invalid_argument("bad input"));
  EXPECT_EQ(info.exc_type, "invalid_argument");
  EXPECT_EQ(info.exc_path, "std.invalid_argument");
  EXPECT_EQ(info.exc_args, Json::array({"bad input"}));
  EXPECT_EQ(info.value, "bad input");
}

template <class T>
struct Boxed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Inline ABI namespaces and tags are the compiler's: the path is the same
// whichever library version threw. Template arguments stay in the type.
TEST(SerializeException, PathsLeaveOutAbiNamespacesAndTags) {
  try {
    (void)Json(1).get<std::string>();
    FAIL() << "expected nlohmann's type_error";
  } catch (...) {
    ErrorInfo info = hypha::serialize_exception(std::current_exception());
    EXPECT_EQ(info.exc_type, "type_error");
    EXPECT_EQ(info.exc_path, "nlohmann.detail.type_error");
  }
  ErrorInfo failure = serialize(std::ios_base::failure("disk"));
  EXPECT_EQ(failure.exc_type, "failure");
  EXPECT_EQ(failure.exc_path, "std.ios_base.failure");
  ErrorInfo boxed = serialize(Boxed<std::string>("x"));
  EXPECT_EQ(boxed.exc_path.rfind("(anonymous namespace).Boxed<std::", 0), 0u) << boxed.exc_path;
  EXPECT_EQ(boxed.exc_type.rfind("Boxed<std::", 0), 0u) << boxed.exc_type;
}

TEST(SerializeException, RuntimeError) {
  ErrorInfo info = serialize(std::runtime_error("boom"));
  EXPECT_EQ(info.exc_type, "runtime_error");
  EXPECT_EQ(info.exc_path, "std.runtime_error");
  EXPECT_EQ(info.exc_args, Json::array({"boom"}));
  EXPECT_EQ(info.value, "boom");
}

TEST(SerializeException, NonStandardExceptionIsStillSerialized) {
  ErrorInfo info = hypha::serialize_exception(std::make_exception_ptr(42));
  EXPECT_FALSE(info.exc_type.empty());
  EXPECT_FALSE(info.exc_path.empty());
  EXPECT_TRUE(info.exc_args.is_array());
}

TEST(SerializeException, HyphaErrorsKeepTheirNamekoNames) {
  ErrorInfo not_found = serialize(hypha::MethodNotFound("nope"));
  EXPECT_EQ(not_found.to_json(), (Json{{"exc_type", "MethodNotFound"},
                                       {"exc_path", "nameko.exceptions.MethodNotFound"},
                                       {"exc_args", {"nope"}},
                                       {"value", "nope"}}));

  ErrorInfo signature = serialize(hypha::IncorrectSignature("hello() missing 1 required positional argument: 'name'"));
  EXPECT_EQ(signature.exc_type, "IncorrectSignature");
  EXPECT_EQ(signature.exc_path, "nameko.exceptions.IncorrectSignature");
  EXPECT_EQ(signature.exc_args, Json::array({"hello() missing 1 required positional argument: 'name'"}));
  EXPECT_EQ(signature.value, "hello() missing 1 required positional argument: 'name'");

  ErrorInfo unknown = serialize(hypha::UnknownService("posts"));
  EXPECT_EQ(unknown.exc_type, "UnknownService");
  EXPECT_EQ(unknown.exc_path, "nameko.exceptions.UnknownService");
  EXPECT_EQ(unknown.exc_args, Json::array({"posts"}));
  EXPECT_EQ(unknown.value, "Unknown service `posts`");

  ErrorInfo custom = serialize(QuotaExceeded("too many"));
  EXPECT_EQ(custom.exc_type, "QuotaExceeded");
  EXPECT_EQ(custom.exc_path, "errors_test.QuotaExceeded");
  EXPECT_EQ(custom.exc_args, Json::array({"too many"}));
  EXPECT_EQ(custom.value, "too many");
}

TEST(SerializeException, HyphaErrorArgumentsAreMadeSafe) {
  ErrorInfo raw{"ValueError", "builtins.ValueError", Json::array({"bad", 42, {{"k", 1}}}),
                "('bad', 42, {'k': 1})"};
  ErrorInfo info = serialize(hypha::Error(raw));
  EXPECT_EQ(info.exc_args, Json::parse(R"(["bad", "42", {"k": "1"}])"));
  EXPECT_EQ(info.value, "('bad', 42, {'k': 1})");
}

TEST(RaiseError, BuiltInTypesAreRaisedTyped) {
  EXPECT_THROW(hypha::raise_error(serialize(hypha::MethodNotFound("nope"))), hypha::MethodNotFound);
  EXPECT_THROW(hypha::raise_error(serialize(hypha::IncorrectSignature("x"))), hypha::IncorrectSignature);
  EXPECT_THROW(hypha::raise_error(serialize(hypha::MalformedRequest("x"))), hypha::MalformedRequest);
  EXPECT_THROW(hypha::raise_error(serialize(hypha::UnknownService("posts"))), hypha::UnknownService);
  EXPECT_THROW(hypha::raise_error(serialize(hypha::RpcTimeout("late"))), hypha::RpcTimeout);
  EXPECT_THROW(hypha::raise_error(serialize(hypha::ServiceStopping("posts"))), hypha::ServiceStopping);
}

// Relayed by a service that lets it through, a typed error keeps its fields;
// a RemoteError is wrapped once more, as Nameko wraps it.
TEST(SerializeException, RelayedErrorsAsNamekoRelaysThem) {
  const ErrorInfo stopping = serialize(hypha::ServiceStopping("posts"));
  try {
    hypha::raise_error(stopping);
  } catch (...) {
    EXPECT_EQ(hypha::serialize_exception(std::current_exception()).to_json(), stopping.to_json());
  }
  try {
    hypha::raise_error(serialize(std::runtime_error("boom")));
  } catch (...) {
    EXPECT_EQ(hypha::serialize_exception(std::current_exception()).to_json(),
              (Json{{"exc_type", "RemoteError"},
                    {"exc_path", "nameko.exceptions.RemoteError"},
                    {"exc_args", {"runtime_error boom"}},
                    {"value", "runtime_error boom"}}));
  }
}

TEST(RaiseError, TypedErrorsKeepTheirArgumentsAndText) {
  try {
    hypha::raise_error(serialize(hypha::MethodNotFound("nope")));
    FAIL();
  } catch (const hypha::MethodNotFound& e) {
    EXPECT_STREQ(e.what(), "nope");
    EXPECT_EQ(e.info().exc_args, Json::array({"nope"}));
  }
  try {
    hypha::raise_error(serialize(hypha::UnknownService("posts")));
    FAIL();
  } catch (const hypha::UnknownService& e) {
    EXPECT_EQ(e.info().value, "Unknown service `posts`");
    EXPECT_EQ(e.info().exc_args, Json::array({"posts"}));
  }
}

TEST(RaiseError, UnknownTypesBecomeRemoteError) {
  ErrorInfo info = serialize(std::runtime_error("boom"));
  try {
    hypha::raise_error(info);
    FAIL();
  } catch (const hypha::RemoteError& e) {
    EXPECT_STREQ(e.what(), "runtime_error boom");
    EXPECT_EQ(e.info().exc_type, "runtime_error");
    EXPECT_EQ(e.info().exc_path, "std.runtime_error");
    EXPECT_EQ(e.info().exc_args, Json::array({"boom"}));
    EXPECT_EQ(e.info().value, "boom");
  }
}

TEST(RaiseError, RegisteredTypeIsRaisedTyped) {
  ErrorInfo info = serialize(QuotaExceeded("too many"));
  // (The registry is process-wide and has no unregister, so the unregistered
  // case is covered by UnknownTypesBecomeRemoteError instead.)
  hypha::register_error_type("errors_test.QuotaExceeded",
                             [](ErrorInfo i) { throw QuotaExceeded(i.exc_args.at(0).get<std::string>()); });
  try {
    hypha::raise_error(info);
    FAIL();
  } catch (const QuotaExceeded& e) {
    EXPECT_STREQ(e.what(), "too many");
  }
}

TEST(SafeErrorArgs, StringifiesNonStringsLikeNameko) {
  EXPECT_EQ(hypha::safe_error_args(Json(42)), Json("42"));
  EXPECT_EQ(hypha::safe_error_args(Json("s")), Json("s"));
  EXPECT_EQ(hypha::safe_error_args(Json::parse(R"(["bad", 42, {"k": 1}])")),
            Json::parse(R"(["bad", "42", {"k": "1"}])"));
  EXPECT_EQ(hypha::safe_error_args(Json::parse(R"([[1, [2.5]], {"a": {"b": 3}}])")),
            Json::parse(R"([["1", ["2.5"]], {"a": {"b": "3"}}])"));
}

TEST(SafeErrorArgs, BooleansAndNullReadAsPythonStr) {
  // Nameko stringifies with str(): True, False, None.
  EXPECT_EQ(hypha::safe_error_args(Json::parse("[true, false, null]")), Json::parse(R"(["True", "False", "None"])"));
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(hypha::safe_error_args(Json::array({std::nan(""), inf, -inf})), Json::parse(R"(["nan", "inf", "-inf"])"));
}

TEST(ErrorInfo, JsonRoundTrip) {
  ErrorInfo info{"ValueError", "builtins.ValueError", Json::array({"bad", "42", {{"k", "1"}}}), "('bad', 42, {'k': 1})"};
  Json j = info.to_json();
  EXPECT_EQ(j.size(), 4u);
  ErrorInfo back = ErrorInfo::from_json(j);
  EXPECT_EQ(back.exc_type, info.exc_type);
  EXPECT_EQ(back.exc_path, info.exc_path);
  EXPECT_EQ(back.exc_args, info.exc_args);
  EXPECT_EQ(back.value, info.value);
  EXPECT_EQ(back.to_json(), j);
}

TEST(ErrorInfo, FromJsonToleratesMissingKeys) {
  ErrorInfo info = ErrorInfo::from_json(Json{{"exc_type", "X"}});
  EXPECT_EQ(info.exc_type, "X");
  EXPECT_EQ(info.exc_path, "");
  EXPECT_EQ(info.exc_args, Json::array());
  EXPECT_EQ(info.value, "");
  Json j = info.to_json();
  EXPECT_TRUE(j.contains("exc_path"));
  EXPECT_TRUE(j.contains("exc_args"));
  EXPECT_TRUE(j.contains("value"));
}

// The errors a gateway answers 503 for: nobody could answer the call.
TEST(IsUnavailable, NamesTheCallsNoServiceCouldAnswer) {
  EXPECT_TRUE(hypha::is_unavailable(hypha::UnknownService("posts").info()));
  EXPECT_TRUE(hypha::is_unavailable(hypha::RpcTimeout("no reply").info()));
  EXPECT_TRUE(hypha::is_unavailable(hypha::ServiceStopping("posts").info()));
  EXPECT_TRUE(hypha::is_unavailable(ErrorInfo{"AmqpConnectionError", "hypha.transport.amqp.AmqpConnectionError",
                                              Json::array({"broker down"}), "broker down"}));
  // A callee's UnknownService let through by a service in between (Nameko's RemoteError keeps exc_type).
  EXPECT_TRUE(hypha::is_unavailable(ErrorInfo{"UnknownService", "nameko.exceptions.RemoteError", Json::array(), ""}));
  EXPECT_FALSE(hypha::is_unavailable(hypha::MethodNotFound("nope").info()));
  EXPECT_FALSE(hypha::is_unavailable(ErrorInfo{"ValueError", "builtins.ValueError", Json::array(), "bad"}));
  EXPECT_FALSE(hypha::is_unavailable(ErrorInfo{"Transport", "myapp.transport.Transport", Json::array(), ""}));
}

}  // namespace
