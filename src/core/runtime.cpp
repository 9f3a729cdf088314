#include "hypha/core/runtime.hpp"

#include <algorithm>
#include <thread>

#include "hypha/core/errors.hpp"
#include "hypha/http/http_server.hpp"
#include "hypha/transport/inproc.hpp"

namespace hypha {
namespace {

TransportFactory& amqp_factory() {
  static TransportFactory factory;
  return factory;
}

std::shared_ptr<Transport> choose_transport(const Config& config, std::shared_ptr<Transport> given) {
  if (given) return given;
  if (config.has("AMQP_URI")) {
    if (!amqp_factory()) {
      throw ConfigurationError(config.location("AMQP_URI") +
                               ": key 'AMQP_URI': this program was built without the AMQP transport");
    }
    return amqp_factory()(config);
  }
  return std::make_shared<InProcessTransport>(
      std::chrono::milliseconds(config.get_int("EVENT_RETRY_DELAY_MS", 100, 0, 3'600'000)));
}

// default_worker_threads: enough threads for one container's max_workers
// workers at once (a worker blocks its thread, e.g. on a broker confirm), and
// at least two per core.
std::int64_t default_worker_threads(const Config& config) {
  const std::int64_t per_core = 2 * static_cast<std::int64_t>(std::thread::hardware_concurrency());
  const std::int64_t max_workers = config.get_int("max_workers", 10, 1, 65535);
  return std::min<std::int64_t>(std::max<std::int64_t>({8, per_core, max_workers}), 1024);
}

}  // namespace

void register_amqp_transport_factory(TransportFactory factory) { amqp_factory() = std::move(factory); }

Runtime::Runtime(Config config, std::shared_ptr<Transport> transport)
    : config_(std::move(config)),
      transport_(choose_transport(config_, std::move(transport))),
      executor_(static_cast<std::size_t>(config_.get_int("WORKER_THREADS", default_worker_threads(config_), 1, 1024))) {}

Runtime::~Runtime() {
  if (http_) http_->stop();
  transport_->stop();
}

HttpServer& Runtime::http_server() {
  std::lock_guard lock(http_mutex_);
  if (!http_) http_ = std::make_unique<HttpServer>(config_);
  return *http_;
}

bool Runtime::has_http_server() const {
  std::lock_guard lock(http_mutex_);
  return http_ != nullptr;
}

}  // namespace hypha
