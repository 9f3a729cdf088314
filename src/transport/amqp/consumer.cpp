#include "consumer.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

#include "hypha/core/logging.hpp"
#include "hypha/core/thread_name.hpp"

namespace hypha::amqp {
namespace {

constexpr amqp_channel_t kConsumeChannel = 1;
constexpr amqp_channel_t kDeclareChannel = 2;

// Consumer tags: "hypha-<id>-<queue>", or "hypha-noack-<id>-<queue>" for a
// no_ack consumer (ids are digits, so the two never meet).
constexpr std::string_view kNoAckTagPrefix = "hypha-noack-";
bool is_no_ack_tag(std::string_view tag) { return tag.starts_with(kNoAckTagPrefix); }

}  // namespace

ConsumerLoop::ConsumerLoop(ConnectionParams params, int heartbeat, std::chrono::milliseconds connect_timeout,
                           std::string name)
    : params_(std::move(params)), heartbeat_(heartbeat), connect_timeout_(connect_timeout), name_(std::move(name)) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

ConsumerLoop::~ConsumerLoop() {
  stop(std::chrono::milliseconds(0));
  ::close(wake_fd_);
}

void ConsumerLoop::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stop_requested_ = false;
  thread_ = std::thread([this] {
    name_this_thread("amqp-consumer");
    run();
  });
}

void ConsumerLoop::stop(std::chrono::milliseconds drain) {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stop_requested_ = true;
    drain_ = drain;
  }
  wake();
  if (on_loop_thread()) {
    log::error("amqp: ConsumerLoop::stop called on its own thread");
    return;
  }
  thread_.join();
  std::lock_guard lock(mutex_);
  thread_ = std::thread();
}

void ConsumerLoop::wake() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void ConsumerLoop::post(Command command) {
  {
    std::lock_guard lock(mutex_);
    commands_.push_back(std::move(command));
  }
  // A busy loop runs the commands on its next turn: only one that sleeps (or
  // is about to) needs the eventfd, which saves a write per settle.
  if (sleeping_.load()) wake();
}

// about_to_sleep marks the loop as sleeping unless a command is waiting
// (then it returns false and the loop runs it instead). With post()'s
// check, either the loop sees the command or post() sees the mark.
bool ConsumerLoop::about_to_sleep() {
  sleeping_.store(true);
  std::lock_guard lock(mutex_);
  if (commands_.empty()) return true;
  sleeping_.store(false);
  return false;
}

std::uint64_t ConsumerLoop::add(ConsumerSpec spec, Handler handler, std::chrono::milliseconds timeout) {
  auto consumer = std::make_unique<Consumer>();
  consumer->id = next_id_.fetch_add(1);
  consumer->spec = std::move(spec);
  consumer->handler = std::move(handler);
  consumer->tag = std::string(consumer->spec.no_ack ? kNoAckTagPrefix : "hypha-") + std::to_string(consumer->id) +
                  "-" + consumer->spec.queue.name;
  consumer->ready = std::make_shared<std::promise<void>>();
  const std::uint64_t id = consumer->id;
  const std::string queue = consumer->spec.queue.name;
  auto ready = consumer->ready->get_future();
  Command command{Command::Kind::kAdd};
  command.consumer = std::move(consumer);
  post(std::move(command));
  if (ready.wait_for(timeout) != std::future_status::ready) {
    remove(id);
    throw AmqpError("cannot consume from " + queue + ": no connection to " + params_.describe() + " within " +
                        std::to_string(timeout.count()) + " ms",
                    true);
  }
  ready.get();  // rethrows a refused declaration
  return id;
}

void ConsumerLoop::remove(std::uint64_t id) {
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  Command command{Command::Kind::kRemove};
  command.id = id;
  command.done = done;
  post(std::move(command));
  bool running;
  {
    std::lock_guard lock(mutex_);
    running = thread_.joinable();
  }
  if (!running || on_loop_thread()) return;
  future.wait();
}

void ConsumerLoop::settle(std::uint64_t generation, std::uint64_t tag, Settle how) {
  Command command{Command::Kind::kSettle};
  command.generation = generation;
  command.tag = tag;
  command.how = how;
  post(std::move(command));
}

ConsumerLoop::Consumer* ConsumerLoop::find_tag(std::string_view tag) {
  for (auto& [id, c] : consumers_) {
    if (c->tag == tag) return c.get();
  }
  return nullptr;
}

void ConsumerLoop::run() {
  thread_id_.store(std::this_thread::get_id());
  std::chrono::milliseconds backoff(100);
  bool cancelled = false;
  std::chrono::steady_clock::time_point drain_deadline{};
  for (;;) {
    try {
      run_commands();
      bool stopping;
      std::chrono::milliseconds drain;
      {
        std::lock_guard lock(mutex_);
        stopping = stop_requested_;
        drain = drain_;
      }
      if (!connection_.is_open()) {
        if (stopping) break;
        try {
          connect();
          backoff = std::chrono::milliseconds(100);
        } catch (const AmqpError& e) {
          log::warn("amqp: {}; retrying in {} ms", e.what(), backoff.count());
          drop_connection();
          wait_for_wake(backoff);
          backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
        }
        continue;
      }
      if (stopping) {
        if (!cancelled) {
          for (auto& [id, c] : consumers_) {
            if (c->active) connection_.cancel(kConsumeChannel, c->tag);
            c->active = false;
          }
          cancelled = true;
          drain_deadline = std::chrono::steady_clock::now() + drain;
        }
        if (unsettled_.empty() || std::chrono::steady_clock::now() >= drain_deadline) {
          if (!unsettled_.empty()) {
            log::warn("amqp: closing with {} unsettled deliveries; the broker will redeliver them", unsettled_.size());
          }
          break;
        }
        pump(50);
        continue;
      }
      pump(idle_poll_ms());
    } catch (const AmqpError& e) {
      log::warn("amqp: consumer connection to {} lost: {}; reconnecting", params_.describe(), e.what());
      drop_connection();
      cancelled = false;
    } catch (const std::exception& e) {
      log::error("amqp: consumer loop error: {}; reconnecting", e.what());
      drop_connection();
      cancelled = false;
    }
  }
  connection_.close();
  connected_.store(false);
  // Whoever still waits hears that nothing more will happen.
  for (auto& [id, c] : consumers_) {
    if (c->ready) {
      c->ready->set_exception(std::make_exception_ptr(AmqpError("the AMQP transport stopped", true)));
      c->ready.reset();
    }
  }
  consumers_.clear();
  std::deque<Command> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(commands_);
  }
  for (auto& command : left) {
    if (command.kind == Command::Kind::kRemove && command.done) command.done->set_value();
    if (command.kind == Command::Kind::kAdd && command.consumer->ready) {
      command.consumer->ready->set_exception(std::make_exception_ptr(AmqpError("the AMQP transport stopped", true)));
    }
  }
  thread_id_.store(std::thread::id());
}

void ConsumerLoop::run_commands() {
  std::deque<Command> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(commands_);
  }
  // Commands run in order (acks at the end, together); a lost connection stops
  // the batch and puts the rest back.
  std::vector<std::uint64_t> acks;
  while (!batch.empty()) {
    Command& command = batch.front();
    try {
      switch (command.kind) {
        case Command::Kind::kAdd: {
          auto consumer = std::move(command.consumer);
          Consumer& c = *consumer;
          consumers_.emplace(c.id, std::move(consumer));
          if (connection_.is_open()) setup(c);
          break;
        }
        case Command::Kind::kRemove: {
          auto it = consumers_.find(command.id);
          if (it != consumers_.end()) {
            auto consumer = std::move(it->second);
            consumers_.erase(it);
            if (consumer->ready) {
              consumer->ready->set_exception(std::make_exception_ptr(AmqpError("consumer removed", false)));
            }
            if (consumer->active && connection_.is_open()) connection_.cancel(kConsumeChannel, consumer->tag);
          }
          if (command.done) command.done->set_value();
          command.done.reset();
          break;
        }
        case Command::Kind::kSettle:
          if (command.generation != generation_ || !connection_.is_open()) break;  // redelivered by the broker
          if (command.how == Settle::kAck) {
            acks.push_back(command.tag);
          } else {
            unsettled_.erase(command.tag);
            connection_.reject(kConsumeChannel, command.tag, command.how == Settle::kRequeue);
          }
          break;
      }
    } catch (...) {
      batch.pop_front();
      std::lock_guard lock(mutex_);
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) commands_.push_front(std::move(*it));
      throw;
    }
    batch.pop_front();
  }
  ack_settled(acks);
}

// ack_settled: every delivery below the lowest one still unsettled is settled
// now, so the acks below it go as one basic.ack with `multiple` (tags on a
// channel grow in delivery order, and every delivery passed through dispatch
// before any later one); acks above it go one by one.
void ConsumerLoop::ack_settled(std::vector<std::uint64_t>& tags) {
  if (tags.empty()) return;
  std::sort(tags.begin(), tags.end());
  for (auto tag : tags) unsettled_.erase(tag);
  const auto lowest_unsettled = unsettled_.empty() ? UINT64_MAX : *unsettled_.begin();
  const auto above = std::lower_bound(tags.begin(), tags.end(), lowest_unsettled);
  if (above != tags.begin()) connection_.ack(kConsumeChannel, *(above - 1), above - tags.begin() > 1);
  for (auto it = above; it != tags.end(); ++it) connection_.ack(kConsumeChannel, *it);
}

void ConsumerLoop::connect() {
  connection_.open(params_, heartbeat_, connect_timeout_, name_);
  connection_.open_channel(kConsumeChannel);
  connection_.open_channel(kDeclareChannel);
  ++generation_;
  unsettled_.clear();
  for (auto& [id, c] : consumers_) c->active = false;
  std::vector<Consumer*> all;
  for (auto& [id, c] : consumers_) all.push_back(c.get());
  for (Consumer* c : all) setup(*c);
  connected_.store(true);
  log::info("amqp: consuming from {} ({} consumers)", params_.describe(), consumers_.size());
}

// setup declares a consumer's topology on channel 2 and consumes on channel 1.
// When the broker refuses (a channel error) the consumer is dropped and its
// waiter hears why; channel 2 is reopened at once, while a refusal on channel
// 1 took every consumer with it, so the connection starts over. A lost
// connection propagates.
void ConsumerLoop::setup(Consumer& c) {
  bool consuming_step = false;
  try {
    for (const auto& b : c.spec.bindings) {
      if (b.declare) connection_.declare_exchange(kDeclareChannel, b.exchange);
    }
    connection_.declare_queue(kDeclareChannel, c.spec.queue);
    for (const auto& b : c.spec.bindings) {
      connection_.bind_queue(kDeclareChannel, c.spec.queue.name, b.exchange.name, b.routing_key);
    }
    consuming_step = true;
    if (!c.spec.no_ack) connection_.qos(kConsumeChannel, c.spec.prefetch);
    connection_.consume(kConsumeChannel, c.spec.queue.name, c.tag, c.spec.no_ack);
  } catch (const AmqpError& e) {
    if (e.connection_lost()) throw;
    log::error("amqp: cannot consume from {}: {}", c.spec.queue.name, e.what());
    auto consumer = std::move(consumers_[c.id]);
    consumers_.erase(c.id);
    if (consumer->ready) consumer->ready->set_exception(std::make_exception_ptr(e));
    if (consuming_step) throw AmqpError("consume channel closed by the broker", true);
    connection_.open_channel(kDeclareChannel);
    return;
  }
  c.active = true;
  c.consuming_since = std::chrono::system_clock::now();  // after consume-ok: the broker counts the consumer
  if (c.ready) {
    c.ready->set_value();
    c.ready.reset();
  }
}

void ConsumerLoop::drop_connection() noexcept {
  connection_.abandon();
  connected_.store(false);
  for (auto& [id, c] : consumers_) c->active = false;
  unsettled_.clear();
}

void ConsumerLoop::wait_for_wake(std::chrono::milliseconds timeout) {
  if (!about_to_sleep()) return;
  pollfd fd{wake_fd_, POLLIN, 0};
  ::poll(&fd, 1, static_cast<int>(timeout.count()));
  sleeping_.store(false);
  std::uint64_t value;
  [[maybe_unused]] auto n = ::read(wake_fd_, &value, sizeof value);
}

// idle_poll_ms: how long the loop may sleep in poll(). rabbitmq-c sends
// heartbeats only when called, so wake at least twice per heartbeat interval;
// TLS may hold decrypted data the socket does not show, so poll it often.
int ConsumerLoop::idle_poll_ms() const noexcept {
  if (params_.ssl) return 50;
  return heartbeat_ > 0 ? std::min(1000, heartbeat_ * 1000 / 4) : 1000;
}

void ConsumerLoop::pump(int timeout_ms) {
  amqp_connection_state_t state = connection_.state();
  if (!amqp_frames_enqueued(state) && !amqp_data_in_buffer(state) && about_to_sleep()) {
    pollfd fds[2] = {{connection_.fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    ::poll(fds, 2, timeout_ms);
    sleeping_.store(false);
    if (fds[1].revents & POLLIN) {
      std::uint64_t value;
      [[maybe_unused]] auto n = ::read(wake_fd_, &value, sizeof value);
    }
  }
  // What was read already is handled together, so that its settles come in one turn.
  for (int taken = 0; taken < kDeliveryBatch && read_one(state); ++taken) {
    if (!amqp_frames_enqueued(state) && !amqp_data_in_buffer(state)) return;
  }
}

// read_one handles one delivery or frame that can be read without waiting;
// false when there was none.
bool ConsumerLoop::read_one(amqp_connection_state_t state) {
  amqp_maybe_release_buffers(state);
  amqp_envelope_t envelope;
  timeval zero{0, 0};
  amqp_rpc_reply_t reply = amqp_consume_message(state, &envelope, &zero, 0);
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
    try {
      dispatch(envelope);
    } catch (...) {
      amqp_destroy_envelope(&envelope);
      throw;
    }
    amqp_destroy_envelope(&envelope);
    return true;
  }
  if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
    if (reply.library_error == AMQP_STATUS_TIMEOUT) return false;
    if (reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      amqp_frame_t frame;
      connection_.check_status(amqp_simple_wait_frame_noblock(state, &frame, &zero), "reading a frame");
      handle_frame(frame);
      return true;
    }
  }
  connection_.check(reply, "consuming");
  throw AmqpError("consuming: unexpected reply", true);
}

void ConsumerLoop::dispatch(amqp_envelope_t& envelope) {
  Consumer* c = find_tag(to_string(envelope.consumer_tag));
  bool stopping;
  {
    std::lock_guard lock(mutex_);
    stopping = stop_requested_;
  }
  if (c == nullptr || !c->active || stopping) {
    // Cancelled meanwhile: give the message back for another consumer. One
    // sent without ack is the broker's no more (rejecting it would close the
    // channel): dropped. The tag tells, even once the consumer is gone.
    const bool no_ack = c != nullptr ? c->spec.no_ack : is_no_ack_tag(to_string(envelope.consumer_tag));
    if (!no_ack) connection_.reject(kConsumeChannel, envelope.delivery_tag, true);
    return;
  }
  Delivery d;
  d.generation = generation_;
  d.tag = envelope.delivery_tag;
  d.exchange = to_string(envelope.exchange);
  d.routing_key = to_string(envelope.routing_key);
  d.redelivered = envelope.redelivered != 0;
  d.auto_acked = c->spec.no_ack;
  d.consuming_since = c->consuming_since;
  d.message = to_message(envelope.message.properties, envelope.message.body);
  if (!d.auto_acked) unsettled_.insert(envelope.delivery_tag);
  try {
    c->handler(std::move(d));
  } catch (const std::exception& e) {
    log::error("amqp: handler for {} failed: {}; message dropped", c->spec.queue.name, e.what());
    if (c->spec.no_ack) return;
    unsettled_.erase(envelope.delivery_tag);
    connection_.reject(kConsumeChannel, envelope.delivery_tag, false);
  }
}

void ConsumerLoop::handle_frame(const amqp_frame_t& frame) {
  if (frame.frame_type != AMQP_FRAME_METHOD) return;
  switch (frame.payload.method.id) {
    case AMQP_BASIC_CANCEL_METHOD: {
      // The broker cancelled a consumer (its queue was deleted): declare and consume again.
      const auto* cancel = static_cast<const amqp_basic_cancel_t*>(frame.payload.method.decoded);
      Consumer* c = find_tag(to_string(cancel->consumer_tag));
      if (c == nullptr) return;
      log::warn("amqp: the broker cancelled the consumer of {}; declaring it again", c->spec.queue.name);
      c->active = false;
      setup(*c);
      return;
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
      const auto* close = static_cast<const amqp_channel_close_t*>(frame.payload.method.decoded);
      std::string text = std::to_string(close->reply_code) + " " + to_string(close->reply_text);
      connection_.answer_close(frame);
      if (frame.channel == kDeclareChannel) {
        connection_.open_channel(kDeclareChannel);
        return;
      }
      throw AmqpError("channel closed by the broker: " + text, true, close->reply_code);
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
      const auto* close = static_cast<const amqp_connection_close_t*>(frame.payload.method.decoded);
      std::string text = std::to_string(close->reply_code) + " " + to_string(close->reply_text);
      connection_.answer_close(frame);
      throw AmqpError("connection closed by the broker: " + text, true, close->reply_code);
    }
    default: return;
  }
}

}  // namespace hypha::amqp
