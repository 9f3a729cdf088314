#include "publisher.hpp"

#include <poll.h>

#include <algorithm>
#include <thread>

#include "hypha/core/logging.hpp"

namespace hypha::amqp {
namespace {

constexpr amqp_channel_t kConfirmChannel = 1;
constexpr amqp_channel_t kDeclareChannel = 2;

}  // namespace

void Publisher::ensure_open() {
  if (!connection_.is_open()) {
    confirm_channel_open_ = false;
    declare_channel_open_ = false;
    connection_.open(options_.params, 0, options_.connect_timeout, options_.name);
    ++generation_;
  }
  if (!confirm_channel_open_) {
    connection_.open_channel(kConfirmChannel);
    connection_.confirm_select(kConfirmChannel);
    confirm_channel_open_ = true;
    published_ = 0;
    returned_.reset();
    ++generation_;
  }
}

void Publisher::ensure_declare_channel() {
  ensure_open();
  if (!declare_channel_open_) {
    connection_.open_channel(kDeclareChannel);
    declare_channel_open_ = true;
  }
}

void Publisher::finish(Pending& pending, std::optional<AmqpError> error, std::optional<Returned> returned) {
  pending.done = true;
  if (pending.on_confirm) {
    callbacks_.emplace_back(std::move(pending.on_confirm), PublishResult{std::move(returned), std::move(error)});
    --async_pending_;
    reader_wake_.notify_one();
    return;
  }
  pending.error = std::move(error);
  pending.returned = std::move(returned);
  pending.woken.notify_one();
}

void Publisher::fail_pending(const AmqpError& error) {
  for (auto& [sequence, pending] : pending_) finish(*pending, error, std::nullopt);
  pending_.clear();
  returned_.reset();
}

void Publisher::hand_over_reading() {
  if (async_pending_ > 0) {
    reader_wake_.notify_one();  // the reader reads for everyone
    return;
  }
  for (auto& [sequence, pending] : pending_) {
    if (pending->waiting) {
      pending->woken.notify_one();
      return;
    }
  }
}

void Publisher::abandon(const AmqpError& why) noexcept {
  connection_.abandon();
  ++lost_;
  confirm_channel_open_ = false;
  declare_channel_open_ = false;
  ++generation_;
  fail_pending(AmqpError(std::string("publish: connection lost: ") + why.what(), true, why.reply_code()));
}

template <class F>
auto Publisher::with_retries(std::string_view what, F&& attempt) -> decltype(attempt()) {
  for (int tries = 0;; ++tries) {
    const std::uint64_t lost = lost_;
    try {
      return attempt();
    } catch (const AmqpError& e) {
      if (!e.connection_lost()) throw;  // the broker refused: retrying would not help
      if (lost == lost_) abandon(e);    // else another thread did, and reconnecting is under way
      if (tries >= options_.max_retries) throw;
      log::warn("amqp: {} failed ({}); reconnecting, attempt {} of {}", what, e.what(), tries + 1, options_.max_retries);
      std::this_thread::sleep_for(std::chrono::milliseconds(100) * (1 << (2 * tries)));  // 100, 400, 1600 ms
    }
  }
}

template <class F>
auto Publisher::with_publish_retries(F&& attempt) -> decltype(attempt()) {
  return with_retries("publish", [&] {
    try {
      return attempt();
    } catch (const AmqpError& e) {
      // The confirm channel closed under several publishes at once: the cause
      // may be a neighbour's message, so publish once more on a new channel.
      if (e.connection_lost() || e.reply_code() == 0) throw;
      return attempt();
    }
  });
}

std::optional<Returned> Publisher::publish(std::string_view exchange, std::string_view routing_key, bool mandatory,
                                           const Message& message) {
  std::unique_lock lock(mutex_);
  return with_publish_retries([&] {
    ensure_open();
    auto pending = send(exchange, routing_key, mandatory, message);
    return wait_confirm(lock, *pending);
  });
}

void Publisher::publish_all(const std::vector<Outgoing>& messages) {
  std::unique_lock lock(mutex_);
  std::vector<bool> confirmed(messages.size(), false);
  // Each attempt publishes what is not confirmed yet, then waits for all of it.
  with_publish_retries([&] {
    ensure_open();
    std::vector<std::pair<std::size_t, std::shared_ptr<Pending>>> sent;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const Outgoing& m = messages[i];
      if (!confirmed[i]) sent.emplace_back(i, send(m.exchange, m.routing_key, false, m.message));
    }
    std::optional<AmqpError> failure;
    for (auto& [index, pending] : sent) {
      try {
        wait_confirm(lock, *pending);
        confirmed[index] = true;
      } catch (const AmqpError& e) {
        if (!failure) failure = e;
        if (e.connection_lost()) break;  // every other one failed with it
      }
    }
    if (failure) throw *failure;
  });
}

std::shared_ptr<Publisher::Pending> Publisher::send(std::string_view exchange, std::string_view routing_key,
                                                    bool mandatory, const Message& message,
                                                    Confirmed&& on_confirm) {
  // on_confirm is taken only once the message is written: a failed write is retried with it.
  connection_.publish(kConfirmChannel, exchange, routing_key, mandatory, message);
  auto pending = std::make_shared<Pending>();
  pending->sent_at = std::chrono::steady_clock::now();
  if (on_confirm) {
    pending->on_confirm = std::move(on_confirm);
    ++async_pending_;
  }
  pending_.emplace(++published_, pending);
  return pending;
}

void Publisher::publish_async(std::string_view exchange, std::string_view routing_key, bool mandatory,
                              const Message& message, Confirmed on_confirm) {
  std::unique_lock lock(mutex_);
  with_retries("publish", [&] {
    ensure_open();
    send(exchange, routing_key, mandatory, message, std::move(on_confirm));
  });
  if (!reader_.joinable()) {
    reader_ = std::thread([this, epoch = reader_epoch_] { read_confirms(epoch); });
  } else if (async_pending_ == 1) {
    reader_wake_.notify_one();
  }
}

void Publisher::run_callbacks(std::unique_lock<std::mutex>& lock) {
  auto batch = std::move(callbacks_);
  callbacks_.clear();
  lock.unlock();
  for (auto& [callback, result] : batch) {
    try {
      callback(std::move(result));
    } catch (const std::exception& e) {
      log::error("amqp: a publish confirm callback threw: {}", e.what());
    }
  }
  lock.lock();
}

bool Publisher::async_confirm_overdue() const {
  return !pending_.empty() &&
         std::chrono::steady_clock::now() - pending_.begin()->second->sent_at > options_.confirm_timeout;
}

// read_confirms reads frames while asynchronous publishes await their
// confirms and no blocked publish() reads, and runs their callbacks.
void Publisher::read_confirms(std::uint64_t epoch) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!callbacks_.empty()) {
      run_callbacks(lock);
      continue;
    }
    if (epoch != reader_epoch_) return;
    if (async_pending_ == 0 || reading_ || !connection_.is_open()) {
      reader_wake_.wait(lock);
      continue;
    }
    if (async_confirm_overdue()) {
      abandon(AmqpError("no publisher confirm within the timeout", true));
      continue;
    }
    reading_ = true;
    try {
      read_frames(lock, std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
    } catch (const AmqpError& e) {
      abandon(e);  // the connection's state is unknown now; the next publish reconnects
    }
    reading_ = false;
    if (async_pending_ == 0) hand_over_reading();
  }
}

std::optional<Returned> Publisher::wait_confirm(std::unique_lock<std::mutex>& lock, Pending& pending) {
  const auto deadline = std::chrono::steady_clock::now() + options_.confirm_timeout;
  pending.waiting = true;
  struct NotWaiting {
    Pending& pending;
    ~NotWaiting() { pending.waiting = false; }
  } not_waiting{pending};
  for (;;) {
    if (pending.done) {
      if (pending.error) throw *pending.error;
      return pending.returned;
    }
    if (std::chrono::steady_clock::now() >= deadline) throw AmqpError("no publisher confirm within the timeout", true);
    if (reading_) {
      pending.woken.wait_until(lock, deadline);  // by its confirm, or to read next
      continue;
    }
    reading_ = true;
    try {
      read_frames(lock, deadline);
    } catch (...) {
      reading_ = false;
      hand_over_reading();
      throw;
    }
    reading_ = false;
    // Done: another waiter reads next. Not done: this one reads on.
    if (pending.done) hand_over_reading();
  }
}

// read_frames waits (without the lock) until the socket has data or a short
// slice of time passed, then handles every frame that can be read without waiting.
void Publisher::read_frames(std::unique_lock<std::mutex>& lock, std::chrono::steady_clock::time_point deadline) {
  const std::uint64_t generation = generation_;
  amqp_connection_state_t state = connection_.state();
  if (state == nullptr) return;
  if (amqp_frames_enqueued(state) == 0 && amqp_data_in_buffer(state) == 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const int wait_ms = static_cast<int>(std::clamp<std::int64_t>(left.count() + 1, 0, 50));
    pollfd fd{connection_.fd(), POLLIN, 0};
    lock.unlock();
    ::poll(&fd, 1, wait_ms);  // others publish meanwhile
    lock.lock();
    if (generation != generation_ || connection_.state() != state) return;  // replaced meanwhile
  }
  for (;;) {
    amqp_frame_t frame;
    timeval zero{0, 0};
    int status = amqp_simple_wait_frame_noblock(state, &frame, &zero);
    if (status == AMQP_STATUS_TIMEOUT) return;
    connection_.check_status(status, "waiting for a publisher confirm");
    handle_frame(frame);
    if (generation != generation_) return;
  }
}

void Publisher::confirm(std::uint64_t tag, bool multiple, const std::optional<AmqpError>& error) {
  auto complete = [&](std::map<std::uint64_t, std::shared_ptr<Pending>>::iterator it) {
    std::optional<Returned> returned;
    if (it->first == tag && returned_) {
      returned = std::move(returned_);
      returned_.reset();
    }
    finish(*it->second, error, std::move(returned));
    return pending_.erase(it);
  };
  if (multiple) {
    for (auto it = pending_.begin(); it != pending_.end() && it->first <= tag;) it = complete(it);
  } else if (auto it = pending_.find(tag); it != pending_.end()) {
    complete(it);
  }
  returned_.reset();
}

void Publisher::handle_frame(const amqp_frame_t& frame) {
  if (frame.frame_type != AMQP_FRAME_METHOD) return;
  switch (frame.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
      if (frame.channel != kConfirmChannel) break;
      const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
      confirm(ack->delivery_tag, ack->multiple != 0, std::nullopt);
      break;
    }
    case AMQP_BASIC_NACK_METHOD: {
      if (frame.channel != kConfirmChannel) break;
      const auto* nack = static_cast<const amqp_basic_nack_t*>(frame.payload.method.decoded);
      confirm(nack->delivery_tag, nack->multiple != 0,
              AmqpError("the broker refused the message (basic.nack)", true));
      break;
    }
    case AMQP_BASIC_RETURN_METHOD: {
      const auto* ret = static_cast<const amqp_basic_return_t*>(frame.payload.method.decoded);
      Returned returned{ret->reply_code, to_string(ret->reply_text)};
      amqp_message_t content;
      amqp_rpc_reply_t reply = amqp_read_message(connection_.state(), frame.channel, &content, 0);
      connection_.check(reply, "reading a returned message");
      amqp_destroy_message(&content);
      returned_ = std::move(returned);  // its ack comes next
      break;
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
      const auto* close = static_cast<const amqp_channel_close_t*>(frame.payload.method.decoded);
      std::string text = std::to_string(close->reply_code) + " " + to_string(close->reply_text);
      int code = close->reply_code;
      connection_.answer_close(frame);
      if (frame.channel == kConfirmChannel) {
        confirm_channel_open_ = false;
        ++generation_;
        fail_pending(AmqpError("publish: " + text, false, code));
        break;
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

std::optional<std::uint32_t> Publisher::consumer_count(std::string_view queue) {
  std::lock_guard lock(mutex_);
  return with_retries("queue check", [&] {
    ensure_declare_channel();
    auto count = connection_.passive_declare(kDeclareChannel, queue);
    if (!count) declare_channel_open_ = false;  // a 404 closed the channel
    return count;
  });
}

void Publisher::declare_exchange(const ExchangeSpec& exchange) {
  std::lock_guard lock(mutex_);
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
  std::lock_guard lock(mutex_);
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
  std::thread reader;
  {
    std::lock_guard lock(mutex_);
    connection_.close();
    confirm_channel_open_ = false;
    declare_channel_open_ = false;
    ++generation_;
    ++lost_;
    fail_pending(AmqpError("publish: the publisher was closed", false));
    ++reader_epoch_;  // the reader runs the callbacks just failed, then stops
    reader_wake_.notify_all();
    reader = std::move(reader_);
  }
  if (reader.joinable()) reader.join();
}

Publisher::~Publisher() { close(); }

PublisherPool::PublisherPool(const PublisherOptions& options, std::size_t size) {
  if (size == 0) size = 1;
  for (std::size_t i = 0; i < size; ++i) {
    PublisherOptions o = options;
    o.name = options.name + " " + std::to_string(i + 1);
    publishers_.push_back(std::make_unique<Publisher>(std::move(o)));
  }
}

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
  for (auto& p : publishers_) p->close();
}

}  // namespace hypha::amqp
