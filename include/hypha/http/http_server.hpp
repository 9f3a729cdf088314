// File: http_server.hpp
//
// HttpServer is the process's one HTTP/1.1 server (libmicrohttpd, epoll with a
// thread pool), shared by every service's `http` entrypoints. It binds
// 127.0.0.1 unless configured, answers 413 for bodies over HTTP_MAX_BODY_BYTES
// (64 KiB default) without reading them into memory, and answers routing
// failures (404, 405 + Allow) with JSON error bodies:
//   {"error": {"code": "not_found", "message": "..."}}
//
// Handlers run on the server's HTTP_THREADS, each serving its share of the
// connections; one thread per core keeps the latency tail short. A route
// added as slow (HttpOptions::slow: password hashing) is suspended instead,
// runs on one of HTTP_SLOW_THREADS and resumes with its response, so it does
// not hold up the other connections of its thread.
//
// Config: WEB_SERVER_ADDRESS ("[host:]port", default 127.0.0.1:8000; port 0
// picks a free port, see port()), HTTP_THREADS (the number of cores, at least
// 2), HTTP_SLOW_THREADS (4), HTTP_MAX_BODY_BYTES (65536).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "hypha/core/config.hpp"
#include "hypha/core/executor.hpp"
#include "hypha/http/http_router.hpp"

namespace hypha {

/// error_response builds the JSON error answer used for every failure.
HttpResponse error_response(int status, std::string_view code, std::string_view message);

class HttpServer {
 public:
  explicit HttpServer(const Config& config);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  HttpRouter& router() noexcept { return router_; }

  /// start binds and listens; throws std::runtime_error naming the address
  /// when the port cannot be bound.
  void start();
  /// stop closes the listener, lets the requests in progress finish and
  /// their responses go out (up to kStopGrace), then closes every connection.
  void stop();
  static constexpr std::chrono::seconds kStopGrace{15};
  bool listening() const noexcept { return daemon_ != nullptr; }

  /// port is the bound port (useful with port 0).
  std::uint16_t port() const noexcept { return port_; }
  const std::string& host() const noexcept { return host_; }
  std::size_t max_body_bytes() const noexcept { return max_body_; }

  /// handle routes a parsed request and runs its handler on the calling
  /// thread, slow or not (used by tests).
  HttpResponse handle(const HttpRequest& request) const;

 private:
  friend struct HttpServerCallbacks;
  /// route matches a request, also without a trailing slash.
  HttpRouter::Match route(const HttpRequest& request) const;
  /// answer runs a match's handler, or answers 404/405; never throws.
  static HttpResponse answer(HttpRouter::Match match, const HttpRequest& request);
  /// run_slow calls suspend() and queues `job` on a slow thread; false once
  /// stopping (the caller then runs the request itself).
  bool run_slow(const std::function<void()>& suspend, std::function<void()> job);
  /// A request is in progress from its first call to the access handler until
  /// libmicrohttpd reports it completed (its response sent, or its connection gone).
  /// request_started is false once stop() has begun: the request is refused
  /// (503, connection closed), so that keep-alive clients cannot hold stop().
  bool request_started();
  void request_finished();

  HttpRouter router_;
  std::string host_;
  std::uint16_t port_;
  unsigned threads_;
  unsigned slow_threads_;
  std::size_t max_body_;
  void* daemon_ = nullptr;  // struct MHD_Daemon*
  std::mutex requests_mutex_;
  std::condition_variable requests_done_;
  std::size_t requests_in_progress_ = 0;  // guarded by requests_mutex_
  bool stopping_ = false;                 // guarded by requests_mutex_
  std::mutex slow_mutex_;
  std::unique_ptr<Executor> slow_pool_;  // from start() until stop() drains it
};

}  // namespace hypha
