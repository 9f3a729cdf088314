#include "broker.hpp"

#include <utility>

namespace hypha::amqp {
namespace {

constexpr std::string_view kStandaloneOwner = "standalone_rpc_proxy";
constexpr auto kStopDrain = std::chrono::seconds(15);

}  // namespace

ErrorInfo transport_error(std::string_view what) {
  std::string text(what);
  return ErrorInfo{"AmqpConnectionError", "hypha.transport.amqp.AmqpConnectionError", Json::array({text}), text};
}

void throw_transport_error(std::string_view what) { throw Error(transport_error(what)); }

Message json_message(std::string body) {
  Message m;
  m.body = std::move(body);
  m.content_type = std::string(kJsonContentType);
  m.content_encoding = std::string(kUtf8);
  m.delivery_mode = 2;
  m.priority = 0;
  return m;
}

Broker::Broker(Settings s)
    : settings(std::move(s)),
      publishers(PublisherOptions{settings.params, settings.connect_timeout, std::chrono::seconds(10), 3,
                                  "hypha publisher"},
                 settings.publisher_connections),
      consumer(settings.params, settings.heartbeat, settings.connect_timeout, "hypha consumer") {}

void Broker::start() {
  stopping.store(false);
  scheduler.start();
  consumer.start();
}

void Broker::stop() {
  // Delayed retries and replies still queued run now, while the consumer can settle.
  scheduler.stop();
  consumer.stop(kStopDrain);
  publishers.close();
  std::lock_guard lock(mutex_);
  declared_.clear();
}

std::uint64_t Broker::add_consumer(ConsumerSpec spec, ConsumerLoop::Handler handler) {
  try {
    return consumer.add(std::move(spec), std::move(handler), settings.connect_timeout);
  } catch (const AmqpError& e) {
    throw_transport_error(e.what());
  }
}

void Broker::claim_owner(const std::string& service) {
  std::lock_guard lock(mutex_);
  if (owner_.empty()) owner_ = service;
}

std::string Broker::owner() const {
  std::lock_guard lock(mutex_);
  return owner_.empty() ? std::string(kStandaloneOwner) : owner_;
}

void Broker::ensure_exchange(const ExchangeSpec& exchange) {
  if (declared(exchange.name)) return;
  publishers.acquire()->declare_exchange(exchange);
  remember_declared(exchange.name);
}

void Broker::ensure_queue(const QueueSpec& queue) {
  const std::string key = "queue:" + queue.name;
  if (declared(key)) return;
  publishers.acquire()->declare_queue(queue);
  remember_declared(key);
}

bool Broker::declared(const std::string& key) const {
  std::lock_guard lock(mutex_);
  return declared_.contains(key);
}

void Broker::remember_declared(std::string key) {
  std::lock_guard lock(mutex_);
  declared_.insert(std::move(key));
}

}  // namespace hypha::amqp
