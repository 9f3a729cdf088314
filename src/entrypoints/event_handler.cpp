// The event_handler entrypoint: subscribes with the transport, runs one worker
// per delivered event with the payload as its single argument.
#include "call_gate.hpp"
#include "entrypoint_factories.hpp"
#include "hypha/core/runtime.hpp"

namespace hypha::detail {
namespace {

class EventServer : public EventEndpoint {
 public:
  EventServer(ServiceContainer& container, const EntrypointSpec& spec)
      : container_(container), spec_(spec), name_(container.service_name()) {}
  CallGate& gate() { return gate_; }

  void deliver(Json payload, ContextData context, std::function<void(Outcome)> done) override {
    CallGate::Entry entry(gate_);
    if (!entry) return done(Outcome{nullptr, ServiceStopping(name_).info()});
    Invocation inv;
    inv.args = Json::array();
    inv.args.push_back(std::move(payload));
    container_.submit_worker(spec_, std::move(inv), std::move(context), std::move(done));
  }

  void deliver_work(std::unique_ptr<SubmittedWorker> work) override {
    CallGate::Entry entry(gate_);
    if (!entry) return work->finished(Outcome{nullptr, ServiceStopping(name_).info()});
    container_.submit_worker(spec_, std::move(work));
  }

 private:
  ServiceContainer& container_;
  const EntrypointSpec& spec_;
  const std::string name_;  // retries may reach the endpoint after the container is gone
  CallGate gate_;
};

class EventHandlerEntrypoint : public Extension {
 public:
  EventHandlerEntrypoint(ServiceContainer& container, const EntrypointSpec& spec)
      : server_(std::make_shared<EventServer>(container, spec)) {
    subscription_.source = spec.event.source;
    subscription_.event_type = spec.event.event_type;
    subscription_.service = container.service_name();
    subscription_.method = spec.name;
    subscription_.handler_type = spec.event.handler_type;
    subscription_.reliable_delivery = spec.event.reliable_delivery;
    subscription_.max_retries = spec.event.max_retries;
    subscription_.instance_id = container.instance_id();
  }
  void setup(ServiceContainer& container) override { transport_ = &container.runtime().transport(); }
  void start() override {
    server_->gate().open();
    transport_->subscribe(subscription_, server_);
  }
  void stop() override {
    transport_->unsubscribe(*server_);
    server_->gate().close();
  }
  void kill() noexcept override {
    try {
      transport_->unsubscribe(*server_);
    } catch (...) {
    }
    server_->gate().shut();
  }

 private:
  std::shared_ptr<EventServer> server_;
  EventSubscription subscription_;
  Transport* transport_ = nullptr;
};

}  // namespace

std::unique_ptr<Extension> make_event_handler(ServiceContainer& container, const EntrypointSpec& spec) {
  return std::make_unique<EventHandlerEntrypoint>(container, spec);
}

}  // namespace hypha::detail
