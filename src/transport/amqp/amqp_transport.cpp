// AmqpTransport: RPC and events over RabbitMQ (design in include/hypha/transport/amqp.hpp).
// It starts on first use and is four parts over one Broker (broker.hpp).
#include "hypha/transport/amqp.hpp"

#include <mutex>

#include "broker.hpp"
#include "event_dispatching.hpp"
#include "event_handling.hpp"
#include "hypha/core/logging.hpp"
#include "hypha/core/runtime.hpp"
#include "rpc_calls.hpp"
#include "rpc_serving.hpp"

namespace hypha {

class AmqpTransport::Impl {
 public:
  explicit Impl(const Config& config)
      : broker(amqp::Settings::from_config(config)),
        calls(broker),
        serving(broker),
        dispatching(broker),
        handling(broker) {}
  ~Impl() { stop(); }

  void start() {
    std::lock_guard lock(lifecycle_mutex_);
    if (started_) return;
    broker.start();
    calls.open();
    started_ = true;
  }

  // stop ends the calls still waiting, then the broker settles what is in
  // flight before its connections close.
  void stop() {
    std::lock_guard lock(lifecycle_mutex_);
    if (!started_) return;
    broker.stopping.store(true);
    calls.stop();
    broker.stop();
    calls.forget();
    serving.forget();
    handling.forget();
    started_ = false;
  }

  void prepare_dispatch(std::string_view source) noexcept {
    if (!broker.settings.declare_event_exchanges) return;
    try {
      start();
      dispatching.declare_exchange_of(source);
    } catch (const std::exception& e) {
      log::warn("amqp: cannot declare the events exchange of {} yet ({}); the first dispatch will", source, e.what());
    }
  }

  amqp::Broker broker;  // first: the parts refer to it
  amqp::RpcCalls calls;
  amqp::RpcServing serving;
  amqp::EventDispatching dispatching;
  amqp::EventHandling handling;

 private:
  std::mutex lifecycle_mutex_;
  bool started_ = false;
};

AmqpTransport::AmqpTransport(const Config& config) : impl_(std::make_unique<Impl>(config)) {}
AmqpTransport::~AmqpTransport() = default;

Outcome AmqpTransport::call(std::string_view service, std::string_view method, Invocation&& inv,
                            const ContextData& context, const CallOptions& options) {
  impl_->start();
  return impl_->calls.call_blocking(service, method, std::move(inv), context, options);
}

RpcFuture AmqpTransport::call_async(std::string_view service, std::string_view method, Invocation inv,
                                    const ContextData& context, const CallOptions& options) {
  impl_->start();
  return impl_->calls.call(service, method, std::move(inv), context, options);
}

void AmqpTransport::dispatch(std::string_view source, std::string_view event_type, Json payload,
                             const ContextData& context) {
  impl_->start();
  impl_->dispatching.dispatch(source, event_type, payload, context);
}

void AmqpTransport::dispatch_all_settled(std::vector<EventToDispatch> events) {
  if (events.empty()) return;
  impl_->start();
  impl_->dispatching.dispatch_all_settled(events);
}

void AmqpTransport::prepare_dispatch(std::string_view source) noexcept { impl_->prepare_dispatch(source); }
void AmqpTransport::start() { impl_->start(); }
void AmqpTransport::stop() { impl_->stop(); }

void AmqpTransport::serve(std::shared_ptr<RpcEndpoint> endpoint) {
  impl_->start();
  impl_->serving.serve(std::move(endpoint));
}

void AmqpTransport::unserve(const RpcEndpoint& endpoint) { impl_->serving.unserve(endpoint); }

void AmqpTransport::subscribe(const EventSubscription& subscription, std::shared_ptr<EventEndpoint> endpoint) {
  impl_->start();
  impl_->handling.subscribe(subscription, std::move(endpoint));
}

void AmqpTransport::unsubscribe(const EventEndpoint& endpoint) { impl_->handling.unsubscribe(endpoint); }
bool AmqpTransport::connected() const noexcept { return impl_->broker.consumer.connected(); }
std::size_t AmqpTransport::dead_lettered() const noexcept { return impl_->handling.dead_lettered(); }

void enable_amqp_transport() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_amqp_transport_factory([](const Config& config) { return std::make_shared<AmqpTransport>(config); });
  });
}

}  // namespace hypha
