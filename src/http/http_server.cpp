#include "hypha/http/http_server.hpp"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <thread>

#include "hypha/core/errors.hpp"
#include "hypha/core/logging.hpp"
#include "request_target.hpp"

namespace hypha {
namespace {

// kConnectionMemory is libmicrohttpd's per-connection pool: request line,
// headers, read buffer, and the response's headers. Bodies are copied out
// into RequestState, so it need not hold one. libmicrohttpd clears the whole
// pool for every request (64 KiB cost measurable CPU: docs/performance.md).
// A request whose line or headers do not fit gets libmicrohttpd's own HTML
// 414/431, and one that leaves no room for the response gets no answer at
// all; so the server refuses, in JSON, a target over kMaxTargetBytes (414)
// and headers over kMaxHeaderBytes, or both together over kMaxHeadBytes
// (431), which leaves the response at least a quarter of the pool.
constexpr std::size_t kConnectionMemory = 32 * 1024;
constexpr std::size_t kMaxTargetBytes = 16 * 1024;
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxHeadBytes = 24 * 1024;

struct RequestState {
  std::string raw_target;  // the request line's target, before libmicrohttpd decodes it
  bool started = false;    // the access handler has seen this request
  HttpRequest request;
  bool too_large = false;
  bool answered = false;
  std::optional<HttpResponse> deferred;  // a slow request's response, set before its resume
};

MHD_Result collect_header(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* request = static_cast<HttpRequest*>(cls);
  auto [it, inserted] = request->headers.emplace(key, value ? value : "");
  if (!inserted && value) it->second.append(", ").append(value);
  return MHD_YES;
}

std::string_view trim_blanks(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// conflicting_lengths: several Content-Length headers (joined by
// collect_header) that disagree. libmicrohttpd frames the body by the first,
// so the rest of the stream would be read as the next request.
bool conflicting_lengths(std::string_view header) {
  const auto comma = header.find(',');
  if (comma == std::string_view::npos) return false;
  const std::string_view first = trim_blanks(header.substr(0, comma));
  for (std::string_view rest = header.substr(comma + 1);;) {
    const auto next = rest.find(',');
    if (trim_blanks(rest.substr(0, next)) != first) return true;
    if (next == std::string_view::npos) return false;
    rest.remove_prefix(next + 1);
  }
}

bool is_chunked(std::string_view coding) {
  constexpr std::string_view kChunked = "chunked";
  return coding.size() == kChunked.size() && ::strncasecmp(coding.data(), kChunked.data(), kChunked.size()) == 0;
}

// Refusal: the error answer to a request refused before its handler runs.
struct Refusal {
  int status;
  const char* code;
  const char* message;
};

// unframable: why a request's body cannot be framed as every party on the
// path would frame it (request smuggling), or nullopt. RFC 9112 6.1 and 6.3:
// such a request is refused, and the connection closed after the answer.
std::optional<Refusal> unframable(const HttpRequest& request) {
  const auto length = request.header("Content-Length");
  if (conflicting_lengths(length)) return Refusal{400, "bad_request", "conflicting Content-Length headers"};
  const auto coding = request.header("Transfer-Encoding");
  if (coding.empty()) return std::nullopt;
  if (!length.empty()) return Refusal{400, "bad_request", "both Transfer-Encoding and Content-Length"};
  // Exactly "chunked" alone, as libmicrohttpd reads it (it decodes no other form).
  const auto last = coding.rfind(',');
  if (!is_chunked(last == std::string_view::npos ? coding : trim_blanks(coding.substr(last + 1)))) {
    return Refusal{400, "bad_request", "Transfer-Encoding must end with chunked"};
  }
  if (last != std::string_view::npos) {  // another coding before chunked (gzip): not decoded here
    return Refusal{501, "not_implemented", "only the chunked transfer coding is supported"};
  }
  return std::nullopt;
}

// oversized_head: a target or header block beyond the server's limits
// (RFC 9110 15.5.15, RFC 6585 5), or nullopt.
std::optional<Refusal> oversized_head(std::string_view raw_target, const HttpRequest& request) {
  if (raw_target.size() > kMaxTargetBytes) return Refusal{414, "uri_too_long", "the request target is over 16 KiB"};
  std::size_t header_bytes = 0;
  for (const auto& [name, value] : request.headers) header_bytes += name.size() + value.size() + 4;  // ": ", CRLF
  if (header_bytes > kMaxHeaderBytes) {
    return Refusal{431, "request_header_fields_too_large", "the request headers are over 16 KiB"};
  }
  if (raw_target.size() + header_bytes > kMaxHeadBytes) {
    return Refusal{431, "request_header_fields_too_large", "the request target and headers are over 24 KiB"};
  }
  return std::nullopt;
}

// begin_request keeps the raw target of a new request (libmicrohttpd calls
// it first); its state is freed by request_completed.
void* begin_request(void*, const char* uri, MHD_Connection*) {
  auto* state = new RequestState();
  state->raw_target = uri != nullptr ? uri : "";
  return state;
}

MHD_Result send_response(MHD_Connection* connection, const HttpResponse& response) {
  MHD_Response* r =
      MHD_create_response_from_buffer(response.body.size(), const_cast<char*>(response.body.data()), MHD_RESPMEM_MUST_COPY);
  if (r == nullptr) return MHD_NO;
  for (const auto& [name, value] : response.headers) MHD_add_response_header(r, name.c_str(), value.c_str());
  MHD_Result result = MHD_queue_response(connection, static_cast<unsigned>(response.status), r);
  MHD_destroy_response(r);
  return result;
}

// refuse_and_close answers a request refused before its handler runs, and
// closes the connection after: its body, if any, is not read (or cannot be framed).
MHD_Result refuse_and_close(MHD_Connection* connection, const Refusal& refusal) {
  HttpResponse response = error_response(refusal.status, refusal.code, refusal.message);
  response.headers["Connection"] = "close";
  return send_response(connection, response);
}

void parse_address(const std::string& address, std::string& host, std::uint16_t& port) {
  auto colon = address.rfind(':');
  std::string_view port_text = address;
  host = "127.0.0.1";
  if (colon != std::string::npos) {
    host = address.substr(0, colon);
    port_text = std::string_view(address).substr(colon + 1);
  }
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || value > 65535) {
    throw ConfigurationError("WEB_SERVER_ADDRESS: expected [host:]port, got '" + address + "'");
  }
  port = static_cast<std::uint16_t>(value);
}

}  // namespace

HttpResponse error_response(int status, std::string_view code, std::string_view message) {
  return HttpResponse::json(status, Json{{"error", {{"code", code}, {"message", message}}}});
}

// default_http_threads: one per core, at least 2 (a thread blocked on a
// database lock leaves another one serving).
int default_http_threads() { return static_cast<int>(std::max(2u, std::thread::hardware_concurrency())); }

HttpServer::HttpServer(const Config& config)
    : threads_(static_cast<unsigned>(config.get_int("HTTP_THREADS", default_http_threads(), 1, 256))),
      slow_threads_(static_cast<unsigned>(config.get_int("HTTP_SLOW_THREADS", 4, 1, 256))),
      max_body_(static_cast<std::size_t>(config.get_int("HTTP_MAX_BODY_BYTES", 64 * 1024, 0, 1LL << 30))) {
  parse_address(config.get_string("WEB_SERVER_ADDRESS", "127.0.0.1:8000"), host_, port_);
}

HttpServer::~HttpServer() { stop(); }

struct HttpServerCallbacks {
  static bool started(HttpServer& server) { return server.request_started(); }
  static void finished(HttpServer& server) { server.request_finished(); }

  // serve answers a complete request: at once, or (a slow route) later from a
  // slow thread, which resumes the connection so that this runs again.
  static MHD_Result serve(HttpServer& server, MHD_Connection* connection, RequestState& state) {
    auto match = server.route(state.request);
    if (match.handler && match.slow) {
      auto suspend = [connection] { MHD_suspend_connection(connection); };
      auto job = [connection, &state, match]() mutable {  // a copy: `match` answers here when stopping
        state.deferred = HttpServer::answer(std::move(match), state.request);
        MHD_resume_connection(connection);
      };
      if (server.run_slow(suspend, std::move(job))) return MHD_YES;
    }
    return send_response(connection, HttpServer::answer(std::move(match), state.request));
  }

  // refuse_too_large answers a body over the limit: 404 or 405 first when
  // the route or method is wrong (as for any request), else 413.
  static MHD_Result refuse_too_large(HttpServer& server, MHD_Connection* connection, const HttpRequest& request) {
    auto match = server.route(request);
    if (!match.handler) return send_response(connection, HttpServer::answer(std::move(match), request));
    return send_response(connection, error_response(413, "payload_too_large",
                                                    "request body is larger than " +
                                                        std::to_string(server.max_body_bytes()) + " bytes"));
  }
};

namespace {

void request_completed(void* cls, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
  auto* state = static_cast<RequestState*>(*con_cls);
  const bool started = state != nullptr && state->started;
  delete state;
  *con_cls = nullptr;
  if (started) HttpServerCallbacks::finished(*static_cast<HttpServer*>(cls));
}

MHD_Result access_handler(void* cls, MHD_Connection* connection, const char* url, const char* method,
                          const char* version, const char* upload_data, size_t* upload_data_size, void** con_cls) {
  auto* server = static_cast<HttpServer*>(cls);
  auto* state = static_cast<RequestState*>(*con_cls);
  if (state == nullptr) {  // not seen by begin_request (it always is): decode what libmicrohttpd gives
    state = static_cast<RequestState*>(begin_request(nullptr, url, connection));
    *con_cls = state;
  }
  if (!state->started) {
    state->started = true;
    if (!HttpServerCallbacks::started(*server)) {
      // A new request on a kept-alive connection while stopping.
      state->answered = true;
      return refuse_and_close(connection, Refusal{503, "unavailable", "the server is stopping"});
    }
    state->request.method = method;
    MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_header, &state->request);
    if (auto refused = oversized_head(state->raw_target, state->request)) {
      state->answered = true;
      return refuse_and_close(connection, *refused);
    }
    if (auto refused = decode_request_target(state->raw_target, state->request)) {
      state->answered = true;
      const bool not_found = refused->status == 404;
      return send_response(connection, error_response(refused->status, not_found ? "not_found" : "bad_request",
                                                      refused->message));
    }
    // RFC 9112 3.2: an HTTP/1.1 request without Host gets 400.
    if (version != nullptr && std::string_view(version) == MHD_HTTP_VERSION_1_1 &&
        state->request.headers.find("Host") == state->request.headers.end()) {
      state->answered = true;
      return send_response(connection, error_response(400, "bad_request", "an HTTP/1.1 request needs a Host header"));
    }
    if (auto refused = unframable(state->request)) {
      state->answered = true;
      return refuse_and_close(connection, *refused);
    }
    auto length = state->request.header("Content-Length");
    std::size_t declared = 0;
    if (!length.empty()) std::from_chars(length.data(), length.data() + length.size(), declared);
    if (declared > server->max_body_bytes()) {
      // Refuse before reading the body: it never reaches memory.
      state->answered = true;
      return HttpServerCallbacks::refuse_too_large(*server, connection, state->request);
    }
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    if (!state->too_large) {
      if (state->request.body.size() + *upload_data_size > server->max_body_bytes()) {
        state->too_large = true;
        state->request.body.clear();
        state->request.body.shrink_to_fit();
      } else {
        state->request.body.append(upload_data, *upload_data_size);
      }
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (state->deferred) {  // a slow request resumed with its response
    HttpResponse response = std::move(*state->deferred);
    state->deferred.reset();
    return send_response(connection, response);
  }
  if (state->answered) return MHD_YES;
  state->answered = true;
  if (state->too_large) return HttpServerCallbacks::refuse_too_large(*server, connection, state->request);
  return HttpServerCallbacks::serve(*server, connection, *state);
}

}  // namespace

void HttpServer::start() {
  if (daemon_ != nullptr) return;
  {
    std::lock_guard lock(requests_mutex_);
    stopping_ = false;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  if (inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) {
    throw ConfigurationError("WEB_SERVER_ADDRESS: '" + host_ + "' is not an IPv4 address");
  }
  // MHD_USE_ITC: stop() quiesces the daemon (stops accepting) before closing it.
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
  daemon_ = MHD_start_daemon(flags, port_, nullptr, nullptr, &access_handler, this,
                             MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&addr),
                             MHD_OPTION_THREAD_POOL_SIZE, threads_,
                             MHD_OPTION_URI_LOG_CALLBACK, &begin_request, nullptr,
                             MHD_OPTION_NOTIFY_COMPLETED, &request_completed, this,
                             MHD_OPTION_CONNECTION_TIMEOUT, 120u,
                             MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory,
                             MHD_OPTION_END);
  if (daemon_ == nullptr) {
    throw std::runtime_error("cannot listen on " + host_ + ":" + std::to_string(port_) +
                             " (address in use or not permitted)");
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(static_cast<MHD_Daemon*>(daemon_), MHD_DAEMON_INFO_BIND_PORT);
  if (info != nullptr && info->port != 0) port_ = info->port;
  // Loopback is the default; anything else was asked for, but say so once:
  // the server is then reachable from other machines, without TLS.
  if ((ntohl(addr.sin_addr.s_addr) >> 24) != 127) {
    log::warn("HTTP server listening on {}:{}, beyond this machine (not a loopback address)", host_, port_);
  }
  std::lock_guard lock(slow_mutex_);
  // Each slow request must start at once, not after the wake-ups of those before it.
  slow_pool_ = std::make_unique<Executor>(slow_threads_, Executor::Waking::every_post);
}

void HttpServer::stop() {
  if (daemon_ == nullptr) return;
  {
    std::lock_guard lock(requests_mutex_);
    stopping_ = true;  // requests that start from now on are refused
  }
  std::unique_ptr<Executor> slow_pool;
  {
    std::lock_guard lock(slow_mutex_);
    slow_pool = std::move(slow_pool_);  // from now on slow requests run on their HTTP thread
  }
  // libmicrohttpd must not stop with suspended connections: the slow
  // requests queued or running finish (and resume theirs) first.
  slow_pool.reset();
  auto* daemon = static_cast<MHD_Daemon*>(daemon_);
  // No new connections; the requests in progress finish and their responses
  // go out (MHD_stop_daemon would close their connections first).
  const MHD_socket listener = MHD_quiesce_daemon(daemon);
  {
    std::unique_lock lock(requests_mutex_);
    if (!requests_done_.wait_for(lock, kStopGrace, [&] { return requests_in_progress_ == 0; })) {
      log::warn("HTTP: closing with {} requests still in progress", requests_in_progress_);
    }
  }
  MHD_stop_daemon(daemon);
  if (listener != MHD_INVALID_SOCKET) ::close(listener);  // quiesce handed it to us
  daemon_ = nullptr;
}

bool HttpServer::request_started() {
  std::lock_guard lock(requests_mutex_);
  ++requests_in_progress_;
  return !stopping_;
}

void HttpServer::request_finished() {
  std::lock_guard lock(requests_mutex_);
  if (--requests_in_progress_ == 0) requests_done_.notify_all();
}

bool HttpServer::run_slow(const std::function<void()>& suspend, std::function<void()> job) {
  std::lock_guard lock(slow_mutex_);
  if (!slow_pool_) return false;
  suspend();
  slow_pool_->post(std::move(job));
  return true;
}

HttpRouter::Match HttpServer::route(const HttpRequest& request) const {
  auto match = router_.match(request.method, request.path);
  // "/api/users/alice/" is the same resource as "/api/users/alice".
  if (!match.handler && match.allowed.empty() && request.path.size() > 1 && request.path.back() == '/') {
    match = router_.match(request.method, std::string_view(request.path).substr(0, request.path.size() - 1));
  }
  return match;
}

HttpResponse HttpServer::handle(const HttpRequest& request) const { return answer(route(request), request); }

HttpResponse HttpServer::answer(HttpRouter::Match match, const HttpRequest& request) {
  try {
    if (match.handler) return match.handler(request, std::move(match.params));
    if (!match.allowed.empty()) {
      std::string allow;
      for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      if (std::find(match.allowed.begin(), match.allowed.end(), "OPTIONS") == match.allowed.end()) allow += ", OPTIONS";
      // OPTIONS asks which methods a resource takes (RFC 9110 9.3.7).
      if (request.method == "OPTIONS") {
        HttpResponse response = HttpResponse::empty(204);
        response.headers["Allow"] = allow;
        return response;
      }
      auto response = error_response(405, "method_not_allowed", "method " + request.method + " is not allowed here");
      response.headers["Allow"] = allow;
      return response;
    }
    return error_response(404, "not_found", "no resource at " + request.path);
  } catch (const std::exception& e) {
    log::error("HTTP {} {} failed: {}", request.method, request.path, e.what());
    return error_response(500, "internal", "internal error");
  }
}

}  // namespace hypha
