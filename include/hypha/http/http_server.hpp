// File: http_server.hpp
//
// HttpServer is the process's one HTTP/1.1 server (libmicrohttpd, epoll with a
// thread pool), shared by every service's `http` entrypoints. It binds
// 127.0.0.1 unless configured, answers 413 for bodies over HTTP_MAX_BODY_BYTES
// (64 KiB default) without reading them into memory, and answers routing
// failures (404, 405 + Allow) with JSON error bodies:
//   {"error": {"code": "not_found", "message": "..."}}
//
// Config: WEB_SERVER_ADDRESS ("[host:]port", default 127.0.0.1:8000; port 0
// picks a free port, see port()), HTTP_THREADS (8), HTTP_MAX_BODY_BYTES (65536).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "hypha/core/config.hpp"
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
  /// stop closes the listener and waits for requests in progress.
  void stop();
  bool listening() const noexcept { return daemon_ != nullptr; }

  /// port is the bound port (useful with port 0).
  std::uint16_t port() const noexcept { return port_; }
  const std::string& host() const noexcept { return host_; }
  std::size_t max_body_bytes() const noexcept { return max_body_; }

  /// handle routes a parsed request (used by the server and by tests).
  HttpResponse handle(const HttpRequest& request) const;

 private:
  HttpRouter router_;
  std::string host_;
  std::uint16_t port_;
  unsigned threads_;
  std::size_t max_body_;
  void* daemon_ = nullptr;  // struct MHD_Daemon*
};

}  // namespace hypha
