#include "hypha/http/http_router.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "hypha/http/http_server.hpp"

namespace {

using hypha::HttpRequest;
using hypha::HttpResponse;
using hypha::HttpRouter;
using hypha::Json;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// named returns a handler answering with its name and params, to tell routes apart.
hypha::HttpHandler named(std::string name) {
  return [name](const HttpRequest&, Json params) {
    return HttpResponse::json(200, Json{{"route", name}, {"params", params}});
  };
}

Json answer(const HttpRouter::Match& match) {
  EXPECT_TRUE(match.handler);
  if (!match.handler) return nullptr;
  return Json::parse(match.handler(HttpRequest{}, match.params).body);
}

class HttpRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/", named("root"));
    router_.add("GET", "/users/<name>", named("user"));
    router_.add("GET, post", "/posts/<int:id>", named("post"));
    router_.add("GET", "/posts/<int:id>/likes", named("likes"));
    router_.add("GET", "/files/<path:rest>", named("file"));
    router_.add("PUT", "/users/<name>/avatar", named("avatar"));
  }
  HttpRouter router_;
};

TEST_F(HttpRouterTest, LiteralAndStringSegments) {
  EXPECT_EQ(answer(router_.match("GET", "/")), (Json{{"route", "root"}, {"params", Json::array()}}));
  EXPECT_EQ(answer(router_.match("GET", "/users/ann")), (Json{{"route", "user"}, {"params", {"ann"}}}));
}

TEST_F(HttpRouterTest, IntSegmentsAreConvertedToIntegers) {
  auto match = router_.match("GET", "/posts/42");
  ASSERT_TRUE(match.handler);
  ASSERT_EQ(match.params.size(), 1u);
  EXPECT_TRUE(match.params[0].is_number_integer());
  EXPECT_EQ(match.params[0], 42);
  EXPECT_EQ(router_.match("GET", "/posts/-7").params, Json::array({-7}));
  EXPECT_EQ(router_.match("GET", "/posts/9223372036854775807").params, Json::array({9223372036854775807LL}));
  EXPECT_EQ(answer(router_.match("GET", "/posts/3/likes")), (Json{{"route", "likes"}, {"params", {3}}}));
}

TEST_F(HttpRouterTest, IntSegmentsRejectNonIntegers) {
  for (const char* path : {"/posts/abc", "/posts/4x", "/posts/", "/posts/1.5", "/posts/99999999999999999999"}) {
    auto match = router_.match("GET", path);
    EXPECT_FALSE(match.handler) << path;
    EXPECT_TRUE(match.allowed.empty()) << path;
  }
}

TEST_F(HttpRouterTest, PathSegmentTakesTheRest) {
  EXPECT_EQ(router_.match("GET", "/files/a/b/c.txt").params, Json::array({"a/b/c.txt"}));
  EXPECT_EQ(router_.match("GET", "/files/one").params, Json::array({"one"}));
  EXPECT_FALSE(router_.match("GET", "/files/").handler);
  EXPECT_FALSE(router_.match("GET", "/files").handler);
}

TEST_F(HttpRouterTest, UnknownPathIsNotFound) {
  for (const char* path : {"/nope", "/users", "/users/", "/users/ann/extra", "/posts/1/", "", "users/ann"}) {
    auto match = router_.match("GET", path);
    EXPECT_FALSE(match.handler) << path;
    EXPECT_TRUE(match.allowed.empty()) << path;
  }
}

TEST_F(HttpRouterTest, OtherMethodIsNotAllowedWithTheAllowedList) {
  auto match = router_.match("DELETE", "/posts/1");
  EXPECT_FALSE(match.handler);
  EXPECT_THAT(match.allowed, UnorderedElementsAre("GET", "HEAD", "POST"));

  auto user = router_.match("POST", "/users/ann");
  EXPECT_FALSE(user.handler);
  EXPECT_THAT(user.allowed, UnorderedElementsAre("GET", "HEAD"));

  auto avatar = router_.match("GET", "/users/ann/avatar");
  EXPECT_FALSE(avatar.handler);
  EXPECT_THAT(avatar.allowed, ElementsAre("PUT"));
}

TEST_F(HttpRouterTest, HeadIsServedByGetRoutes) {
  EXPECT_EQ(answer(router_.match("HEAD", "/users/ann"))["route"], "user");
  EXPECT_FALSE(router_.match("HEAD", "/users/ann/avatar").handler);
}

TEST_F(HttpRouterTest, MethodListIsCaseInsensitive) {
  EXPECT_EQ(answer(router_.match("POST", "/posts/5"))["route"], "post");
}

TEST_F(HttpRouterTest, RemovedRouteNoLongerMatches) {
  HttpRouter router;
  auto id = router.add("GET", "/a", named("a"));
  router.add("GET", "/b", named("b"));
  EXPECT_TRUE(router.match("GET", "/a").handler);
  router.remove(id);
  EXPECT_FALSE(router.match("GET", "/a").handler);
  EXPECT_TRUE(router.match("GET", "/b").handler);
  EXPECT_FALSE(router.empty());
}

TEST(HttpRouter, MalformedPatternsThrow) {
  HttpRouter router;
  EXPECT_THROW(router.add("GET", "users", named("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "", named("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/x/<int:id", named("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/x/<float:f>", named("x")), std::invalid_argument);
  EXPECT_THROW(router.add("", "/x", named("x")), std::invalid_argument);
  EXPECT_TRUE(router.empty());
}

TEST(HttpServerHandle, RoutingFailuresAreJsonErrors) {
  hypha::HttpServer server(hypha::Config{});
  server.router().add("GET", "/things/<int:id>", named("thing"));

  HttpRequest missing;
  missing.method = "GET";
  missing.path = "/nope";
  HttpResponse not_found = server.handle(missing);
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(Json::parse(not_found.body)["error"]["code"], "not_found");
  EXPECT_EQ(not_found.headers["Content-Type"], hypha::kJsonContentType);

  HttpRequest wrong_method;
  wrong_method.method = "DELETE";
  wrong_method.path = "/things/1";
  HttpResponse not_allowed = server.handle(wrong_method);
  EXPECT_EQ(not_allowed.status, 405);
  EXPECT_EQ(Json::parse(not_allowed.body)["error"]["code"], "method_not_allowed");
  EXPECT_EQ(not_allowed.headers["Allow"], "GET, HEAD, OPTIONS");
}

TEST(HttpServerHandle, ThrowingHandlerIsA500WithoutTheMessage) {
  hypha::HttpServer server(hypha::Config{});
  server.router().add("GET", "/boom", [](const HttpRequest&, Json) -> HttpResponse {
    throw std::runtime_error("secret detail");
  });
  HttpRequest request;
  request.method = "GET";
  request.path = "/boom";
  HttpResponse response = server.handle(request);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("secret"), std::string::npos);
}

}  // namespace
