#include "publisher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <thread>

#include "hypha/core/logging.hpp"
#include "hypha/core/thread_name.hpp"

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
    if (!reader_.joinable()) {
      reader_ = std::thread([this, epoch = reader_epoch_] {
        name_this_thread("amqp-confirms");
        read_confirms(epoch);
      });
    }
    reader_wake_.notify_one();  // it waits for a connection to read
  }
  if (!confirm_channel_open_) {
    connection_.open_channel(kConfirmChannel);
    connection_.confirm_select(kConfirmChannel);
    confirm_channel_open_ = true;
    published_ = 0;
    returned_.clear();
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
  if (pending.on_confirm) {  // the reader runs it (this is the reader, or it is told to stop)
    callbacks_.emplace_back(std::move(pending.on_confirm), PublishResult{std::move(returned), std::move(error)});
    return;
  }
  pending.error = std::move(error);
  pending.returned = std::move(returned);
  pending.woken.notify_one();
}

void Publisher::fail_pending(const AmqpError& error) {
  for (auto& [sequence, pending] : pending_) finish(*pending, error, std::nullopt);
  pending_.clear();
  returned_.clear();
  if (!callbacks_.empty()) wake_reader();  // this may be another thread: the reader runs them
}

void Publisher::wake_reader() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  reader_wake_.notify_one();
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
  pending->on_confirm = std::move(on_confirm);
  if (mandatory && message.correlation_id) pending->correlation_id = *message.correlation_id;
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

// read_confirms is the reader thread: it reads the connection's frames
// (confirms, returns, closes) and runs the callbacks of completed publishes.
void Publisher::read_confirms(std::uint64_t epoch) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!callbacks_.empty()) {
      run_callbacks(lock);
      continue;
    }
    if (epoch != reader_epoch_) return;
    if (!connection_.is_open()) {
      reader_wake_.wait(lock);
      continue;
    }
    if (!pending_.empty() &&
        std::chrono::steady_clock::now() - pending_.begin()->second->sent_at > options_.confirm_timeout) {
      abandon(AmqpError("no publisher confirm within the timeout", true));
      continue;
    }
    try {
      read_frames(lock);
    } catch (const AmqpError& e) {
      abandon(e);  // the connection's state is unknown now; the next publish reconnects
    }
  }
}

std::optional<Returned> Publisher::wait_confirm(std::unique_lock<std::mutex>& lock, Pending& pending) {
  // The reader fails a publish whose confirm is overdue; this is a backstop.
  const auto deadline = std::chrono::steady_clock::now() + options_.confirm_timeout + std::chrono::seconds(2);
  while (!pending.done) {
    if (pending.woken.wait_until(lock, deadline) == std::cv_status::timeout && !pending.done) {
      throw AmqpError("no publisher confirm within the timeout", true);
    }
  }
  if (pending.error) throw *pending.error;
  return pending.returned;
}

// read_frames waits (without the lock) until the socket has data, close()
// wakes it, or it is time to look for an overdue confirm (at most 1 s; 50 ms
// over TLS), then handles every frame that can be read without waiting.
void Publisher::read_frames(std::unique_lock<std::mutex>& lock) {
  const std::uint64_t generation = generation_;
  amqp_connection_state_t state = connection_.state();
  if (state == nullptr) return;
  if (amqp_frames_enqueued(state) == 0 && amqp_data_in_buffer(state) == 0) {
    // TLS may hold decrypted frames that the socket does not show: look often.
    auto wait = std::chrono::milliseconds(options_.params.ssl ? 50 : 1000);
    if (!pending_.empty()) {
      const auto overdue = pending_.begin()->second->sent_at + options_.confirm_timeout;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(overdue - std::chrono::steady_clock::now());
      wait = std::clamp(left + std::chrono::milliseconds(1), std::chrono::milliseconds(0), wait);
    }
    pollfd fds[2] = {{connection_.fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    lock.unlock();
    ::poll(fds, 2, static_cast<int>(wait.count()));  // others publish meanwhile
    if (fds[1].revents & POLLIN) {
      std::uint64_t value;
      [[maybe_unused]] auto n = ::read(wake_fd_, &value, sizeof value);
    }
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
    finish(*it->second, error, take_returned(*it->second, it->first == tag));
    return pending_.erase(it);
  };
  if (multiple) {
    for (auto it = pending_.begin(); it != pending_.end() && it->first <= tag;) it = complete(it);
  } else if (auto it = pending_.find(tag); it != pending_.end()) {
    complete(it);
  }
  // A return without a correlation id belongs to the publish this ack names (none other can be told).
  std::erase_if(returned_, [](const auto& entry) { return entry.first.empty(); });
}

// take_returned: the basic.return of a publish being confirmed, matched by
// correlation id; one without an id is taken by the publish the ack names.
std::optional<Returned> Publisher::take_returned(const Pending& pending, bool named_by_the_ack) {
  for (auto it = returned_.begin(); it != returned_.end(); ++it) {
    const bool ours = pending.correlation_id.empty() ? named_by_the_ack && it->first.empty()
                                                     : it->first == pending.correlation_id;
    if (ours) {
      Returned returned = std::move(it->second);
      returned_.erase(it);
      return returned;
    }
  }
  return std::nullopt;
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
      std::string correlation_id;
      if (content.properties._flags & AMQP_BASIC_CORRELATION_ID_FLAG) {
        correlation_id = to_string(content.properties.correlation_id);
      }
      amqp_destroy_message(&content);
      returned_.emplace_back(std::move(correlation_id), std::move(returned));  // before its ack
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

// on_declare_channel runs a declaration (or queue check) on channel 2 with
// the reconnect retries; a refusal closes only that channel. Its reply is
// read here, under the lock, and confirms that come on the way wait in
// rabbitmq-c's frame queue, where the reader asleep in poll() would not see
// them until its timeout: it is woken for them.
template <class F>
auto Publisher::on_declare_channel(std::string_view what, F&& declaration) -> decltype(declaration()) {
  std::lock_guard lock(mutex_);
  struct WakeReaderForQueuedFrames {
    Publisher& publisher;
    ~WakeReaderForQueuedFrames() {
      amqp_connection_state_t state = publisher.connection_.state();
      if (state != nullptr && amqp_frames_enqueued(state) != 0) publisher.wake_reader();
    }
  } wake{*this};
  return with_retries(what, [&] {
    ensure_declare_channel();
    try {
      return declaration();
    } catch (const AmqpError& e) {
      if (!e.connection_lost()) declare_channel_open_ = false;
      throw;
    }
  });
}

std::optional<QueueCounts> Publisher::queue_counts(std::string_view queue) {
  return on_declare_channel("queue check", [&] {
    auto counts = connection_.passive_declare(kDeclareChannel, queue);
    if (!counts) declare_channel_open_ = false;  // a 404 closed the channel
    return counts;
  });
}

void Publisher::declare_exchange(const ExchangeSpec& exchange) {
  on_declare_channel("exchange.declare", [&] { connection_.declare_exchange(kDeclareChannel, exchange); });
}

void Publisher::declare_queue(const QueueSpec& queue) {
  on_declare_channel("queue.declare", [&] { connection_.declare_queue(kDeclareChannel, queue); });
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
  if (reader.joinable()) {
    wake_reader();  // out of poll()
    reader.join();
  }
}

Publisher::Publisher(PublisherOptions options)
    : options_(std::move(options)), wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

Publisher::~Publisher() {
  close();
  ::close(wake_fd_);
}

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
