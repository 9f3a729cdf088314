// The http entrypoint: registers a route with the process's HTTP server and
// runs one worker per request on the server's thread.
#include "call_gate.hpp"
#include "entrypoint_factories.hpp"
#include "hypha/core/runtime.hpp"
#include "hypha/http/http_server.hpp"

namespace hypha::detail {
namespace {

class HttpEntrypoint : public Extension {
 public:
  HttpEntrypoint(ServiceContainer& container, const EntrypointSpec& spec) : container_(container), spec_(spec) {
    server_ = &container.runtime().http_server();  // created now so the runner knows to start it
  }

  void start() override {
    gate_.open();
    route_ = server_->router().add(
        spec_.http.method, spec_.http.path,
        [this](const HttpRequest& request, Json params) { return handle(request, std::move(params)); }, spec_.http.slow);
  }
  void stop() override {
    server_->router().remove(route_);
    gate_.close();
  }
  void kill() noexcept override {
    server_->router().remove(route_);
    gate_.shut();
  }

 private:
  HttpResponse handle(const HttpRequest& request, Json params) {
    CallGate::Entry entry(gate_);
    if (!entry) return error_response(503, "unavailable", "the service is stopping");
    // W3C trace context and language come in as headers (Nameko drops them).
    // This request is a span of the client's trace; a malformed traceparent
    // is ignored and a trace started (W3C trace context, 4.3).
    ContextData context;
    if (auto tp = request.header("traceparent"); !tp.empty()) context.set(kTraceparentKey, child_traceparent(tp));
    if (auto lang = request.header("Accept-Language"); !lang.empty()) {
      context.set(kLanguageKey, std::string(lang.substr(0, lang.find_first_of(",;"))));
    }
    HttpResponse response;
    response.status = 0;
    Invocation inv;
    inv.args = std::move(params);
    inv.request = &request;
    inv.response = &response;
    Outcome outcome = container_.run_worker(spec_, inv, &context);
    if (outcome.error) {
      const auto& path = outcome.error->exc_path;
      bool bad_request = path.rfind("nameko.exceptions.", 0) == 0 &&
                         (outcome.error->exc_type == "IncorrectSignature" || outcome.error->exc_type == "MalformedRequest" ||
                          outcome.error->exc_type == "BadRequest");
      if (bad_request) return error_response(400, "bad_request", outcome.error->value);
      return error_response(500, "internal", "internal error");
    }
    if (response.status != 0) return response;
    if (outcome.result.is_null()) return HttpResponse::empty(204);
    return HttpResponse::json(200, outcome.result);
  }

  ServiceContainer& container_;
  const EntrypointSpec& spec_;
  HttpServer* server_;
  std::size_t route_ = 0;
  CallGate gate_;
};

}  // namespace

std::unique_ptr<Extension> make_http_entrypoint(ServiceContainer& container, const EntrypointSpec& spec) {
  return std::make_unique<HttpEntrypoint>(container, spec);
}

}  // namespace hypha::detail
