#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <utility>
#include <stdexcept>
#include <string>

#include "hypha/core/runner.hpp"
#include "hypha/core/worker_context.hpp"
#include "hypha/http/http_server.hpp"

namespace {

using hypha::HttpRequest;
using hypha::HttpResponse;
using hypha::Json;
using ::testing::HasSubstr;

// Reply is one parsed HTTP/1.1 response.
struct Reply {
  int status = 0;
  hypha::HttpHeaders headers;
  std::string body;
  Json json() const { return Json::parse(body); }
};

// connect_local opens a connection to 127.0.0.1:port, reads and writes
// timing out after 10 s; the caller closes it.
int connect_local(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("connect() failed");
  }
  return fd;
}

// exchange sends `request` verbatim on connection `fd` and reads one
// response: the status line, the headers, then Content-Length bytes of body
// (or everything until the server closes).
Reply exchange(int fd, const std::string& request) {
  for (std::size_t sent = 0; sent < request.size();) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) and close before taking the whole body
    sent += static_cast<std::size_t>(n);
  }

  std::string data;
  std::size_t header_end = std::string::npos;
  std::size_t content_length = std::string::npos;
  char buffer[4096];
  for (;;) {
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string lower;
        for (std::size_t i = 0; i < header_end; ++i) lower.push_back(static_cast<char>(std::tolower(data[i])));
        auto at = lower.find("\r\ncontent-length:");
        if (at != std::string::npos) content_length = std::stoul(lower.substr(at + 17));
      }
    }
    if (header_end != std::string::npos && content_length != std::string::npos &&
        data.size() >= header_end + 4 + content_length) {
      break;
    }
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  if (header_end == std::string::npos) throw std::runtime_error("incomplete response: '" + data + "'");

  Reply reply;
  std::string head = data.substr(0, header_end);
  auto line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0) throw std::runtime_error("bad status line: " + status_line);
  reply.status = std::stoi(status_line.substr(9, 3));
  for (std::size_t pos = line_end; pos != std::string::npos && pos < head.size();) {
    std::size_t start = pos + 2;
    std::size_t end = head.find("\r\n", start);
    std::string line = head.substr(start, end == std::string::npos ? std::string::npos : end - start);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      reply.headers[line.substr(0, colon)] = value;
    }
    pos = end;
  }
  reply.body = data.substr(header_end + 4);
  if (content_length != std::string::npos && reply.body.size() > content_length) reply.body.resize(content_length);
  return reply;
}

// http_exchange sends `request` on a new connection and reads one response.
Reply http_exchange(std::uint16_t port, const std::string& request) {
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } connection{connect_local(port)};
  return exchange(connection.fd, request);
}

Reply get(std::uint16_t port, const std::string& path, const std::string& method = "GET") {
  return http_exchange(port, method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
}

Reply post(std::uint16_t port, const std::string& path, const std::string& body) {
  return http_exchange(port, "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" +
                                 "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\n\r\n" + body);
}

class Web {
 public:
  static constexpr std::string_view name = "web";
  static void define(hypha::ServiceSpec<Web>& s) {
    s.http("get_item", &Web::get_item, {.method = "GET", .path = "/items/<int:id>"});
    s.http("delete_item", &Web::delete_item, {.method = "DELETE", .path = "/items/<int:id>"});
    s.http("create_item", &Web::create_item, {.method = "POST", .path = "/items"});
    s.http("greet", &Web::greet, {.method = "GET", .path = "/greet/<name>"});
    s.http("get_file", &Web::get_file, {.method = "GET", .path = "/files/<path:rest>"});
    s.http("crash", &Web::crash, {.method = "GET", .path = "/crash"});
    s.http("query", &Web::query, {.method = "GET", .path = "/query"});
    s.http("trace", &Web::trace, {.method = "GET", .path = "/trace"});
  }
  Json get_item(const HttpRequest&, std::int64_t id) { return Json{{"id", id}, {"twice", id * 2}}; }
  void delete_item(const HttpRequest&, std::int64_t) {}
  HttpResponse create_item(const HttpRequest& request) {
    HttpResponse response = HttpResponse::json(201, Json{{"received", Json::parse(request.body)}});
    response.headers["Location"] = "/items/1";
    return response;
  }
  std::string greet(const HttpRequest& request, std::string name) {
    return "hello " + name + " in " + std::string(request.header("Accept-Language"));
  }
  Json get_file(const HttpRequest&, std::string rest) { return rest; }
  Json crash(const HttpRequest&) { throw std::runtime_error("db password is hunter2"); }
  Json query(const HttpRequest& request) { return std::string(request.query_value("q").value_or("none")); }
  Json trace(const HttpRequest&) { return hypha::current_worker()->data.traceparent(); }
};

class HttpEntrypointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runner_.add_service<Web>();
    runner_.start();
    port_ = runner_.runtime().http_server().port();
    ASSERT_NE(port_, 0);
  }
  void TearDown() override { runner_.stop(); }

  hypha::ServiceRunner runner_{hypha::Config(
      Json{{"WEB_SERVER_ADDRESS", "127.0.0.1:0"}, {"HTTP_THREADS", 2}, {"HTTP_MAX_BODY_BYTES", 64}})};
  std::uint16_t port_ = 0;
};

TEST_F(HttpEntrypointTest, TypedPathParamsAndJsonResponse) {
  Reply reply = get(port_, "/items/21");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.headers["Content-Type"], hypha::kJsonContentType);
  EXPECT_EQ(reply.json(), (Json{{"id", 21}, {"twice", 42}}));

  EXPECT_EQ(get(port_, "/files/a/b/c.txt").json(), Json("a/b/c.txt"));
  EXPECT_EQ(get(port_, "/query?q=hypha").json(), Json("hypha"));
}

TEST_F(HttpEntrypointTest, RequestHeadersReachTheHandler) {
  Reply reply = http_exchange(
      port_, "GET /greet/ann HTTP/1.1\r\nHost: localhost\r\nAccept-Language: fr\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json(), Json("hello ann in fr"));
}

TEST_F(HttpEntrypointTest, AnIncomingTraceparentStartsAChildSpanAndAMalformedOneIsIgnored) {
  auto traceparent_for = [&](const std::string& header) {
    return http_exchange(port_, "GET /trace HTTP/1.1\r\nHost: localhost\r\ntraceparent: " + header +
                                    "\r\nConnection: close\r\n\r\n")
        .json()
        .get<std::string>();
  };
  const std::string parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const std::string child = traceparent_for(parent);
  EXPECT_EQ(child.substr(0, 36), parent.substr(0, 36));  // the same trace
  EXPECT_NE(child.substr(36, 16), parent.substr(36, 16));  // a span of its own
  const std::string fresh = traceparent_for("garbage");
  EXPECT_EQ(fresh.size(), 55u) << fresh;
  EXPECT_EQ(fresh.substr(0, 3), "00-");
}

TEST_F(HttpEntrypointTest, HandlerResponsesKeepTheirStatusAndHeaders) {
  Reply created = post(port_, "/items", R"({"name":"x"})");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.headers["Location"], "/items/1");
  EXPECT_EQ(created.json(), (Json{{"received", {{"name", "x"}}}}));

  Reply deleted = get(port_, "/items/3", "DELETE");
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.body, "");
}

TEST_F(HttpEntrypointTest, HeadIsAnsweredWithoutABody) {
  Reply reply = get(port_, "/items/1", "HEAD");
  EXPECT_EQ(reply.status, 200);
}

TEST_F(HttpEntrypointTest, UnknownPathIsA404JsonError) {
  Reply reply = get(port_, "/nothing/here");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.headers["Content-Type"], hypha::kJsonContentType);
  EXPECT_EQ(reply.json()["error"]["code"], "not_found");
  // A path param that does not convert is no match either.
  EXPECT_EQ(get(port_, "/items/abc").status, 404);
}

TEST_F(HttpEntrypointTest, WrongMethodIsA405WithAllow) {
  Reply reply = get(port_, "/greet/ann", "PUT");
  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.headers["Allow"], "GET, HEAD, OPTIONS");
  EXPECT_EQ(reply.json()["error"]["code"], "method_not_allowed");

  Reply items = get(port_, "/items/1", "PATCH");
  EXPECT_EQ(items.status, 405);
  EXPECT_THAT(items.headers["Allow"], HasSubstr("DELETE"));
  EXPECT_THAT(items.headers["Allow"], HasSubstr("GET"));
  EXPECT_THAT(items.headers["Allow"], HasSubstr("HEAD"));
}

// OPTIONS asks which methods a resource takes: 204 with Allow, no body.
TEST_F(HttpEntrypointTest, OptionsListsTheMethods) {
  Reply reply = get(port_, "/greet/ann", "OPTIONS");
  EXPECT_EQ(reply.status, 204);
  EXPECT_EQ(reply.headers["Allow"], "GET, HEAD, OPTIONS");
  EXPECT_EQ(get(port_, "/nothing/here", "OPTIONS").status, 404);
}

// RFC 9112 3.2: HTTP/1.1 without Host is a 400, with the JSON error body.
TEST_F(HttpEntrypointTest, Http11WithoutHostIsA400) {
  Reply reply = http_exchange(port_, "GET /greet/ann HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json()["error"]["code"], "bad_request");
  EXPECT_EQ(http_exchange(port_, "GET /greet/ann HTTP/1.0\r\n\r\n").status, 200);
}

TEST_F(HttpEntrypointTest, BodyOverTheLimitIsA413) {
  EXPECT_EQ(post(port_, "/items", R"({"small":true})").status, 201);
  Reply reply = post(port_, "/items", R"({"name":")" + std::string(200, 'x') + R"("})");
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.json()["error"]["code"], "payload_too_large");
}

TEST_F(HttpEntrypointTest, ChunkedBodyOverTheLimitIsA413) {
  std::string chunk(200, 'x');
  char size[16];
  std::snprintf(size, sizeof size, "%zx", chunk.size());
  Reply reply = http_exchange(port_, "POST /items HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                                     "Transfer-Encoding: chunked\r\n\r\n" +
                                         std::string(size) + "\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(reply.status, 413);
}

TEST_F(HttpEntrypointTest, DeclaredLengthOverTheLimitIsA413BeforeTheBody) {
  // Only the headers are sent: the answer must not wait for the body.
  Reply reply = http_exchange(port_, "POST /items HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                                     "Content-Length: 100000000\r\n\r\n");
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.json()["error"]["code"], "payload_too_large");
}

TEST_F(HttpEntrypointTest, HandlerExceptionIsA500WithoutTheMessage) {
  Reply reply = get(port_, "/crash");
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.json()["error"]["code"], "internal");
  EXPECT_EQ(reply.body.find("hunter2"), std::string::npos) << reply.body;
  // The server keeps serving.
  EXPECT_EQ(get(port_, "/items/1").status, 200);
}

TEST_F(HttpEntrypointTest, StoppedServiceRoutesAreGone) {
  runner_.container("web")->stop();
  EXPECT_EQ(get(port_, "/items/1").status, 404);
}

// SlowWeb's slow route signals that it runs, then waits until released.
class SlowWeb {
 public:
  static constexpr std::string_view name = "slow_web";
  static void define(hypha::ServiceSpec<SlowWeb>& s) {
    s.http("hash", &SlowWeb::hash, {.method = "POST", .path = "/hash", .slow = true});
    s.http("ping", &SlowWeb::ping, {.method = "GET", .path = "/ping"});
    s.http("wait", &SlowWeb::hash, {.method = "GET", .path = "/wait"});  // the same, on an HTTP thread
  }
  Json hash(const HttpRequest&) {
    entered.set_value();
    released.wait();
    return "hashed";
  }
  Json ping(const HttpRequest&) { return "pong"; }

  static inline std::promise<void> entered;
  static inline std::shared_future<void> released;
};

// SlowRelease arms SlowWeb's handler and releases it, when asked or at the
// latest when it goes out of scope. Declared after the runner and the
// futures of a test, it is destroyed before them: a failed assertion never
// leaves them waiting for a handler that nobody releases.
class SlowRelease {
 public:
  SlowRelease() {
    SlowWeb::entered = std::promise<void>();
    SlowWeb::released = release_.get_future().share();
  }
  ~SlowRelease() { (*this)(); }
  SlowRelease(const SlowRelease&) = delete;
  SlowRelease& operator=(const SlowRelease&) = delete;
  void operator()() {
    if (!std::exchange(done_, true)) release_.set_value();
  }
  /// entered: whether the handler runs, within 10 s.
  static bool entered() {
    return SlowWeb::entered.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  }

 private:
  std::promise<void> release_;
  bool done_ = false;
};

TEST(HttpSlowRoute, RunsOffTheHttpThreadSoItsOtherConnectionsAreServed) {
  // One HTTP thread serves every connection: a slow handler on it would stall them all.
  hypha::ServiceRunner runner(hypha::Config(Json{{"WEB_SERVER_ADDRESS", "127.0.0.1:0"}, {"HTTP_THREADS", 1}}));
  runner.add_service<SlowWeb>();
  runner.start();
  const auto port = runner.runtime().http_server().port();
  std::future<Reply> slow;
  SlowRelease release;
  slow = std::async(std::launch::async, [&] { return post(port, "/hash", "{}"); });
  ASSERT_TRUE(SlowRelease::entered());

  const Reply fast = get(port, "/ping");
  EXPECT_EQ(fast.status, 200);
  EXPECT_EQ(fast.json(), "pong");

  release();
  const Reply slow_reply = slow.get();
  EXPECT_EQ(slow_reply.status, 200);
  EXPECT_EQ(slow_reply.json(), "hashed");
  runner.stop();
}

// A graceful stop lets a request in progress finish and its response go out
// (libmicrohttpd's stop closed the connection with the response unsent).
TEST(HttpGracefulStop, ARequestInProgressGetsItsResponse) {
  for (const char* request : {"GET /wait", "POST /hash"}) {
    SCOPED_TRACE(request);
    hypha::ServiceRunner runner(hypha::Config(Json{{"WEB_SERVER_ADDRESS", "127.0.0.1:0"}}));
    runner.add_service<SlowWeb>();
    runner.start();
    const auto port = runner.runtime().http_server().port();
    std::future<Reply> reply;
    std::future<void> stopping;
    SlowRelease release;
    reply = std::async(std::launch::async, [&] {
      return http_exchange(port, std::string(request) +
                                     " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
    });
    ASSERT_TRUE(SlowRelease::entered());
    stopping = std::async(std::launch::async, [&] { runner.stop(); });
    // The stop has begun (the port no longer accepts) while the handler still runs.
    EXPECT_EQ(stopping.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
    release();
    const Reply answered = reply.get();
    EXPECT_EQ(answered.status, 200);
    EXPECT_EQ(answered.json(), "hashed");
    stopping.get();
  }
}

// While stopping, a new request on a kept-alive connection is refused (503,
// connection closed): clients that keep sending on their connections held
// stop() until its grace ran out, while one request was still in progress.
// The request in progress is a slow route, so that no HTTP thread is blocked:
// on an HTTP thread, it could hold the very thread of the kept connection.
TEST(HttpGracefulStop, NewRequestsOnKeptAliveConnectionsAreRefused) {
  hypha::ServiceRunner runner(hypha::Config(Json{{"WEB_SERVER_ADDRESS", "127.0.0.1:0"}, {"HTTP_THREADS", 1}}));
  runner.add_service<SlowWeb>();
  runner.start();
  const auto port = runner.runtime().http_server().port();
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } kept{connect_local(port)};
  const std::string ping = "GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n";
  ASSERT_EQ(exchange(kept.fd, ping).status, 200);

  std::future<Reply> in_progress;
  std::future<void> stopping;
  SlowRelease release;
  in_progress = std::async(std::launch::async, [&] {
    return http_exchange(port, "POST /hash HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
                               "Connection: close\r\n\r\n{}");
  });
  ASSERT_TRUE(SlowRelease::entered());
  stopping = std::async(std::launch::async, [&] { runner.stop(); });
  // Served until the stop begins, then refused.
  Reply refused;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    refused = exchange(kept.fd, ping);
  } while (refused.status == 200 && std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.headers["Connection"], "close");
  EXPECT_EQ(refused.json()["error"]["code"], "unavailable");
  release();
  const Reply answered = in_progress.get();
  EXPECT_EQ(answered.status, 200);  // the request in progress still got its answer
  EXPECT_EQ(answered.json(), "hashed");
  stopping.get();
}

}  // namespace
