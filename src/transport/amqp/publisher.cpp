#include "publisher.hpp"

#include <thread>

#include "hypha/core/logging.hpp"

namespace hypha::amqp {
namespace {

constexpr amqp_channel_t kConfirmChannel = 1;
constexpr amqp_channel_t kDeclareChannel = 2;

timeval remaining(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() < 0) left = std::chrono::microseconds(0);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(left.count() / 1000000);
  tv.tv_usec = static_cast<suseconds_t>(left.count() % 1000000);
  return tv;
}

}  // namespace

void Publisher::ensure_open() {
  if (!connection_.is_open()) {
    confirm_channel_open_ = false;
    declare_channel_open_ = false;
    connection_.open(options_.params, 0, options_.connect_timeout, options_.name);
  }
  if (!confirm_channel_open_) {
    connection_.open_channel(kConfirmChannel);
    connection_.confirm_select(kConfirmChannel);
    confirm_channel_open_ = true;
    published_ = 0;
  }
}

void Publisher::ensure_declare_channel() {
  ensure_open();
  if (!declare_channel_open_) {
    connection_.open_channel(kDeclareChannel);
    declare_channel_open_ = true;
  }
}

template <class F>
auto Publisher::with_retries(std::string_view what, F&& attempt) -> decltype(attempt()) {
  for (int tries = 0;; ++tries) {
    try {
      return attempt();
    } catch (const AmqpError& e) {
      if (!e.connection_lost()) throw;  // the broker refused: retrying would not help
      connection_.abandon();
      if (tries >= options_.max_retries) throw;
      log::warn("amqp: {} failed ({}); reconnecting, attempt {} of {}", what, e.what(), tries + 1, options_.max_retries);
      std::this_thread::sleep_for(std::chrono::milliseconds(100) * (1 << (2 * tries)));  // 100, 400, 1600 ms
    }
  }
}

std::optional<Returned> Publisher::publish(std::string_view exchange, std::string_view routing_key, bool mandatory,
                                           const Message& message) {
  return with_retries("publish", [&] {
    ensure_open();
    try {
      connection_.publish(kConfirmChannel, exchange, routing_key, mandatory, message);
      return wait_confirm(++published_);
    } catch (const AmqpError& e) {
      if (!e.connection_lost()) confirm_channel_open_ = false;
      throw;
    }
  });
}

std::optional<Returned> Publisher::wait_confirm(std::uint64_t sequence) {
  const auto deadline = std::chrono::steady_clock::now() + options_.confirm_timeout;
  std::optional<Returned> returned;
  amqp_connection_state_t state = connection_.state();
  for (;;) {
    amqp_frame_t frame;
    timeval tv = remaining(deadline);
    int status = amqp_simple_wait_frame_noblock(state, &frame, &tv);
    if (status == AMQP_STATUS_TIMEOUT) throw AmqpError("no publisher confirm within the timeout", true);
    connection_.check_status(status, "waiting for a publisher confirm");
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;
    switch (frame.payload.method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
        if (ack->delivery_tag == sequence || (ack->multiple && ack->delivery_tag >= sequence)) return returned;
        break;
      }
      case AMQP_BASIC_NACK_METHOD: {
        const auto* nack = static_cast<const amqp_basic_nack_t*>(frame.payload.method.decoded);
        if (nack->delivery_tag == sequence || (nack->multiple && nack->delivery_tag >= sequence)) {
          throw AmqpError("the broker refused the message (basic.nack)", true);
        }
        break;
      }
      case AMQP_BASIC_RETURN_METHOD: {
        const auto* ret = static_cast<const amqp_basic_return_t*>(frame.payload.method.decoded);
        returned = Returned{ret->reply_code, to_string(ret->reply_text)};
        amqp_message_t content;
        amqp_rpc_reply_t reply = amqp_read_message(state, frame.channel, &content, 0);
        connection_.check(reply, "reading a returned message");
        amqp_destroy_message(&content);
        break;
      }
      case AMQP_CHANNEL_CLOSE_METHOD: {
        const auto* close = static_cast<const amqp_channel_close_t*>(frame.payload.method.decoded);
        std::string text = std::to_string(close->reply_code) + " " + to_string(close->reply_text);
        int code = close->reply_code;
        connection_.answer_close(frame);
        if (frame.channel == kConfirmChannel) {
          confirm_channel_open_ = false;
          throw AmqpError("publish: " + text, false, code);
        }
        declare_channel_open_ = false;
        break;
      }
      case AMQP_CONNECTION_CLOSE_METHOD: {
        const auto* close = static_cast<const amqp_connection_close_t*>(frame.payload.method.decoded);
        std::string text = std::to_string(close->reply_code) + " " + to_string(close->reply_text);
        connection_.answer_close(frame);
        throw AmqpError("publish: connection closed by the broker: " + text, true, close->reply_code);
      }
      default: break;
    }
  }
}

std::optional<std::uint32_t> Publisher::consumer_count(std::string_view queue) {
  return with_retries("queue check", [&] {
    ensure_declare_channel();
    auto count = connection_.passive_declare(kDeclareChannel, queue);
    if (!count) declare_channel_open_ = false;  // a 404 closed the channel
    return count;
  });
}

void Publisher::declare_exchange(const ExchangeSpec& exchange) {
  with_retries("exchange.declare", [&] {
    ensure_declare_channel();
    try {
      connection_.declare_exchange(kDeclareChannel, exchange);
    } catch (const AmqpError& e) {
      if (!e.connection_lost()) declare_channel_open_ = false;
      throw;
    }
  });
}

void Publisher::declare_queue(const QueueSpec& queue) {
  with_retries("queue.declare", [&] {
    ensure_declare_channel();
    try {
      connection_.declare_queue(kDeclareChannel, queue);
    } catch (const AmqpError& e) {
      if (!e.connection_lost()) declare_channel_open_ = false;
      throw;
    }
  });
}

void Publisher::close() noexcept {
  connection_.close();
  confirm_channel_open_ = false;
  declare_channel_open_ = false;
}

PublisherPool::PublisherPool(const PublisherOptions& options, std::size_t size) {
  if (size == 0) size = 1;
  for (std::size_t i = 0; i < size; ++i) {
    PublisherOptions o = options;
    o.name = options.name + " " + std::to_string(i + 1);
    publishers_.push_back(std::make_unique<Publisher>(std::move(o)));
  }
}

PublisherPool::Lease::Lease(Publisher& publisher) : publisher_(&publisher), lock_(publisher.mutex_) {}
PublisherPool::Lease::~Lease() { publisher_->users_.fetch_sub(1); }

PublisherPool::Lease PublisherPool::acquire() {
  // Prefer a publisher nobody uses or waits for; else take turns.
  for (auto& p : publishers_) {
    int idle = 0;
    if (p->users_.compare_exchange_strong(idle, 1)) return Lease(*p);
  }
  Publisher& p = *publishers_[next_.fetch_add(1) % publishers_.size()];
  p.users_.fetch_add(1);
  return Lease(p);
}

void PublisherPool::close() noexcept {
  for (auto& p : publishers_) {
    std::lock_guard lock(p->mutex_);
    p->close();
  }
}

}  // namespace hypha::amqp
