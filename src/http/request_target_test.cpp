#include "request_target.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using hypha::HttpRequest;
using ::testing::ElementsAre;
using ::testing::Pair;

HttpRequest decoded(std::string_view raw) {
  HttpRequest request;
  const auto refused = hypha::decode_request_target(raw, request);
  EXPECT_FALSE(refused) << raw << ": " << refused->message;
  return request;
}

int refusal(std::string_view raw) {
  HttpRequest request;
  const auto refused = hypha::decode_request_target(raw, request);
  return refused ? refused->status : 0;
}

TEST(RequestTarget, DecodesPathAndQuery) {
  const auto r = decoded("/api/users/al%69ce/collection?size=5&text=caf%C3%A9+au+lait&flag");
  EXPECT_EQ(r.path, "/api/users/alice/collection");
  EXPECT_THAT(r.query, ElementsAre(Pair("size", "5"), Pair("text", "caf\xC3\xA9 au lait"), Pair("flag", "")));
}

TEST(RequestTarget, PlusIsASpaceOnlyInTheQuery) {
  const auto r = decoded("/a+b?q=a+b%2Bc");
  EXPECT_EQ(r.path, "/a+b");
  EXPECT_THAT(r.query, ElementsAre(Pair("q", "a b+c")));
}

TEST(RequestTarget, MalformedEscapesStayAsWritten) {
  const auto r = decoded("/x%zz/%4?v=%g1%");
  EXPECT_EQ(r.path, "/x%zz/%4");
  EXPECT_THAT(r.query, ElementsAre(Pair("v", "%g1%")));
}

TEST(RequestTarget, EmptyPairsAndFragmentsAreIgnored) {
  const auto r = decoded("/p?&a=1&&b=2=3#frag");
  EXPECT_THAT(r.query, ElementsAre(Pair("a", "1"), Pair("b", "2=3")));
}

// libmicrohttpd's own decoding cut "/api/users%00junk" at the NUL, so a POST
// there registered a user; an encoded slash acted as a separator.
TEST(RequestTarget, AnEncodedNulOrSlashInThePathNamesNoResource) {
  EXPECT_EQ(refusal("/api/users%00junk"), 404);
  EXPECT_EQ(refusal("/api/users/%00x"), 404);
  EXPECT_EQ(refusal("/api/users/alice%2Fcollection"), 404);
  EXPECT_EQ(refusal("/api/users%2falice"), 404);
}

TEST(RequestTarget, AnEncodedNulInTheQueryIsABadRequest) {
  EXPECT_EQ(refusal("/api/search?size=5%00"), 400);
  EXPECT_EQ(refusal("/api/search?te%00xt=abc"), 400);
  EXPECT_EQ(decoded("/api/search?text=a%2Fb").query.front().second, "a/b");  // a slash is fine in a value
}

TEST(RequestTarget, AbsoluteFormIsServedAsItsPath) {
  EXPECT_EQ(decoded("http://127.0.0.1:8080/api/users/bob?size=2").path, "/api/users/bob");
  EXPECT_EQ(decoded("http://example.com").path, "/");
  const auto r = decoded("http://example.com?x=1");
  EXPECT_EQ(r.path, "/");
  EXPECT_THAT(r.query, ElementsAre(Pair("x", "1")));
}

}  // namespace
