// The rpc entrypoint: one RpcEndpoint per container serving all its methods.
#include <vector>

#include "call_gate.hpp"
#include "core/same_name.hpp"
#include "entrypoint_factories.hpp"
#include "hypha/core/runtime.hpp"

namespace hypha::detail {
namespace {

class RpcServer : public RpcEndpoint {
 public:
  explicit RpcServer(ServiceContainer& container) : container_(container), name_(container.service_name()) {
    for (const auto& ep : container.definition().entrypoints) {
      if (ep.kind == EntrypointKind::kRpc) methods_.push_back(&ep);
    }
  }

  const std::string& service_name() const override { return name_; }
  bool has_method(std::string_view method) const override { return find(method) != nullptr; }
  bool empty() const { return methods_.empty(); }
  CallGate& gate() { return gate_; }

  Outcome call(std::string_view method, Invocation&& inv, const ContextData& caller) override {
    CallGate::Entry entry(gate_);
    if (!entry) return Outcome{nullptr, UnknownService(name_).info()};
    const EntrypointSpec* spec = find(method);
    if (spec == nullptr) return Outcome{nullptr, MethodNotFound(std::string(method)).info()};
    return container_.run_worker(*spec, inv, &caller);
  }

  void submit(std::string_view method, Invocation inv, ContextData caller,
              std::function<void(Outcome)> done) override {
    CallGate::Entry entry(gate_);
    if (!entry) return done(Outcome{nullptr, UnknownService(name_).info()});
    const EntrypointSpec* spec = find(method);
    if (spec == nullptr) return done(Outcome{nullptr, MethodNotFound(std::string(method)).info()});
    container_.submit_worker(*spec, std::move(inv), std::move(caller), std::move(done));
  }

 private:
  const EntrypointSpec* find(std::string_view method) const {
    for (const auto* ep : methods_) {
      if (same_name(ep->name, method)) return ep;
    }
    return nullptr;
  }

  ServiceContainer& container_;
  const std::string name_;  // the endpoint may outlive the container (a caller holds it)
  std::vector<const EntrypointSpec*> methods_;
  CallGate gate_;
};

class RpcEntrypoints : public Extension {
 public:
  explicit RpcEntrypoints(std::shared_ptr<RpcServer> server) : server_(std::move(server)) {}
  void setup(ServiceContainer& container) override { transport_ = &container.runtime().transport(); }
  void start() override {
    server_->gate().open();
    transport_->serve(server_);
  }
  void stop() override {
    transport_->unserve(*server_);
    server_->gate().close();
  }
  void kill() noexcept override {
    try {
      transport_->unserve(*server_);
    } catch (...) {
    }
    server_->gate().shut();  // no waiting: the container waits for its workers when destroyed
  }

 private:
  std::shared_ptr<RpcServer> server_;
  Transport* transport_ = nullptr;
};

}  // namespace

std::unique_ptr<Extension> make_rpc_entrypoints(ServiceContainer& container) {
  auto server = std::make_shared<RpcServer>(container);
  if (server->empty()) return nullptr;
  return std::make_unique<RpcEntrypoints>(std::move(server));
}

}  // namespace hypha::detail
