#include "direct_caller.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <utility>

#include "hypha/core/context_data.hpp"
#include "hypha/core/logging.hpp"

namespace hypha::amqp {
namespace {

constexpr amqp_channel_t kChannel = 1;
// TLS may hold decrypted bytes that poll() on the socket does not show.
constexpr int kTlsPollMs = 50;

std::string correlation_of(const amqp_basic_properties_t& props) {
  return (props._flags & AMQP_BASIC_CORRELATION_ID_FLAG) ? to_string(props.correlation_id) : std::string();
}

bool covers(std::uint64_t tag, bool multiple, std::uint64_t sequence) {
  return multiple ? sequence <= tag : sequence == tag;
}

}  // namespace

DirectCaller::DirectCaller(DirectCallerOptions options) : options_(std::move(options)), uuid_(new_uuid4()) {}

DirectCaller::~DirectCaller() {
  if (interrupted()) {
    drop_connection();  // its socket is shut down: saying goodbye would only wait
  } else {
    std::lock_guard lock(fd_mutex_);
    fd_ = -1;
  }
  connection_.close();
}

void DirectCaller::interrupt() noexcept {
  std::lock_guard lock(fd_mutex_);
  interrupted_ = true;
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);  // gets the caller out of poll()
}

bool DirectCaller::interrupted() noexcept {
  std::lock_guard lock(fd_mutex_);
  return interrupted_;
}

void DirectCaller::drop_connection() noexcept {
  {
    std::lock_guard lock(fd_mutex_);
    fd_ = -1;  // before the descriptor is closed (and its number reused)
  }
  connection_.abandon();
}

void DirectCaller::open() {
  drop_connection();
  if (interrupted()) throw AmqpError("the AMQP transport stopped", true);
  connection_.open(options_.params, 0, options_.connect_timeout, "hypha caller");
  {
    std::lock_guard lock(fd_mutex_);
    fd_ = connection_.fd();
    if (interrupted_) ::shutdown(fd_, SHUT_RDWR);
  }
  published_ = 0;
  connection_.open_channel(kChannel);
  connection_.confirm_select(kChannel);
  connection_.declare_exchange(kChannel, rpc_exchange(options_.rpc_exchange));
  consume_replies();
}

// consume_replies declares the reply queue, binds it and consumes it.
void DirectCaller::consume_replies() {
  const auto queue = reply_queue(options_.owner, uuid_);
  connection_.declare_queue(kChannel, queue);
  connection_.bind_queue(kChannel, queue.name, options_.rpc_exchange, uuid_);
  connection_.consume(kChannel, queue.name, "hypha-caller-" + uuid_, true);
}

// ensure_open reads what came while the connection was idle (late confirms,
// replies of calls that timed out, the broker's connection.close) and opens
// it again when it is gone.
void DirectCaller::ensure_open() {
  if (!connection_.is_open()) return open();
  try {
    while (next_event(Clock::now()).kind != Event::Kind::kNothing) {
    }
  } catch (const AmqpError& e) {
    log::debug("amqp: caller connection lost while idle ({}); opening it again", e.what());
    open();
  }
}

DirectCallEnd DirectCaller::call(std::string_view routing_key, Message request,
                                 std::optional<Clock::time_point> deadline, std::chrono::milliseconds check_every,
                                 const std::function<bool()>& still_answerable) {
  auto failed = [](std::string why) {
    DirectCallEnd end;
    end.error = std::move(why);
    return end;
  };
  const std::string correlation_id = request.correlation_id.value_or("");
  request.reply_to = uuid_;
  for (int attempt = 0;; ++attempt) {
    try {
      ensure_open();
      connection_.publish(kChannel, options_.rpc_exchange, routing_key, true, request);
      break;
    } catch (const AmqpError& e) {
      drop_connection();
      if (attempt > 0 || interrupted()) return failed(interrupted() ? "the AMQP transport stopped" : e.what());
    }
  }
  const std::uint64_t sequence = ++published_;
  bool confirmed = false;
  const auto never = Clock::time_point::max();
  const auto confirm_due = Clock::now() + kConfirmTimeout;
  auto next_check = check_every.count() > 0 ? Clock::now() + check_every : never;
  for (;;) {
    Event event;
    try {
      event = next_event(std::min({deadline.value_or(never), next_check, confirmed ? never : confirm_due}));
    } catch (const AmqpError& e) {
      drop_connection();
      if (interrupted()) return failed("the AMQP transport stopped");
      if (!confirmed) return failed(std::string("connection lost before the broker confirmed the request: ") + e.what());
      try {
        open();  // the request is in its queue: wait for the reply on a new connection
        continue;
      } catch (const AmqpError& again) {
        drop_connection();
        return failed(again.what());
      }
    }
    switch (event.kind) {
      case Event::Kind::kDelivery:
        if (event.correlation_id == correlation_id) {
          return DirectCallEnd{DirectCallEnd::Kind::kReply, std::move(event.body), {}, {}};
        }
        break;  // the reply to an earlier call that gave up waiting
      case Event::Kind::kAck:
        confirmed = confirmed || covers(event.tag, event.multiple, sequence);
        break;
      case Event::Kind::kNack:
        if (covers(event.tag, event.multiple, sequence)) return failed("the broker refused the request (basic.nack)");
        break;
      case Event::Kind::kReturn:
        if (event.correlation_id == correlation_id) {
          return DirectCallEnd{DirectCallEnd::Kind::kReturned, {}, std::move(event.returned), {}};
        }
        break;
      case Event::Kind::kNothing: {
        const auto now = Clock::now();
        if (deadline && now >= *deadline) return DirectCallEnd{DirectCallEnd::Kind::kTimedOut, {}, {}, {}};
        if (!confirmed && now >= confirm_due) {
          drop_connection();  // silent for that long: the connection is dead, or the broker is stuck
          return failed("no confirm from the broker within " + std::to_string(kConfirmTimeout.count()) + " s");
        }
        if (now >= next_check) {
          if (!still_answerable()) return DirectCallEnd{DirectCallEnd::Kind::kAbandoned, {}, {}, {}};
          next_check = Clock::now() + check_every;
        }
        break;
      }
    }
  }
}

DirectCaller::Event DirectCaller::next_event(Clock::time_point until) {
  amqp_connection_state_t state = connection_.state();
  if (!amqp_frames_enqueued(state) && !amqp_data_in_buffer(state)) {
    const auto left = until - Clock::now();
    int timeout_ms = 0;
    if (until == Clock::time_point::max()) {
      timeout_ms = -1;
    } else if (left.count() > 0) {
      timeout_ms = static_cast<int>(std::min<std::int64_t>(
          std::chrono::ceil<std::chrono::milliseconds>(left).count(), 24 * 3600 * 1000));
    }
    if (options_.params.ssl && (timeout_ms < 0 || timeout_ms > kTlsPollMs)) timeout_ms = kTlsPollMs;
    pollfd fd{connection_.fd(), POLLIN, 0};
    if (::poll(&fd, 1, timeout_ms) == 0 && !options_.params.ssl) return Event{};
  }
  amqp_maybe_release_buffers(state);
  amqp_envelope_t envelope;
  timeval zero{0, 0};
  amqp_rpc_reply_t reply = amqp_consume_message(state, &envelope, &zero, 0);
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
    Event event;
    event.kind = Event::Kind::kDelivery;
    event.correlation_id = correlation_of(envelope.message.properties);
    event.body = to_string(envelope.message.body);
    amqp_destroy_envelope(&envelope);
    return event;
  }
  if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
    if (reply.library_error == AMQP_STATUS_TIMEOUT) return Event{};
    if (reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) return read_frame();
  }
  connection_.check(reply, "waiting for a reply");
  throw AmqpError("waiting for a reply: unexpected reply", true);
}

// confirm_event reads a basic.ack or basic.nack (both carry a tag and `multiple`).
template <class Method>
DirectCaller::Event DirectCaller::confirm_event(Event::Kind kind, const amqp_frame_t& frame) {
  const auto* method = static_cast<const Method*>(frame.payload.method.decoded);
  Event event;
  event.kind = kind;
  event.tag = method->delivery_tag;
  event.multiple = method->multiple != 0;
  return event;
}

// read_frame handles a frame that is not a delivery: confirms, returns, closes.
DirectCaller::Event DirectCaller::read_frame() {
  amqp_frame_t frame;
  timeval zero{0, 0};
  connection_.check_status(amqp_simple_wait_frame_noblock(connection_.state(), &frame, &zero), "reading a frame");
  Event event;
  if (frame.frame_type != AMQP_FRAME_METHOD) return event;
  switch (frame.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD:
      return confirm_event<amqp_basic_ack_t>(Event::Kind::kAck, frame);
    case AMQP_BASIC_NACK_METHOD:
      return confirm_event<amqp_basic_nack_t>(Event::Kind::kNack, frame);
    case AMQP_BASIC_RETURN_METHOD: {
      const auto* ret = static_cast<const amqp_basic_return_t*>(frame.payload.method.decoded);
      event.kind = Event::Kind::kReturn;
      event.returned = Returned{ret->reply_code, to_string(ret->reply_text)};
      amqp_message_t content;
      connection_.check(amqp_read_message(connection_.state(), frame.channel, &content, 0), "reading a returned message");
      event.correlation_id = correlation_of(content.properties);
      amqp_destroy_message(&content);
      return event;
    }
    case AMQP_BASIC_CANCEL_METHOD:
      // The reply queue was deleted: declare it again, on the same channel
      // (a request's confirm still comes; rabbitmq-c keeps the frames that
      // arrive meanwhile for the reads after).
      log::warn("amqp: the broker cancelled the reply consumer of a caller; consuming {} again",
                reply_queue(options_.owner, uuid_).name);
      consume_replies();
      return event;
    case AMQP_CHANNEL_CLOSE_METHOD:
    case AMQP_CONNECTION_CLOSE_METHOD: {
      // One channel carries everything here: either close ends this connection's use.
      connection_.answer_close(frame);
      throw AmqpError("the broker closed the caller's connection", true);
    }
    default: return event;
  }
}

// ---------------------------------------------------------------------------

DirectCallerPool::Lease::~Lease() {
  if (caller_ && pool_ != nullptr) pool_->give_back(std::move(caller_));
}

DirectCallerPool::Lease DirectCallerPool::acquire(const Make& make) {
  std::unique_ptr<DirectCaller> caller;
  {
    std::lock_guard lock(mutex_);
    if (!open_ || lent_.size() + making_ >= max_) return Lease();
    if (idle_.empty()) {
      ++making_;  // holds the slot while `make` runs
    } else {
      caller = std::move(idle_.back());
      idle_.pop_back();
      lent_.insert(caller.get());
      return Lease(this, std::move(caller));
    }
  }
  try {
    caller = make();
  } catch (...) {
    std::lock_guard lock(mutex_);
    --making_;
    throw;
  }
  std::lock_guard lock(mutex_);
  --making_;
  if (!open_) return Lease();
  lent_.insert(caller.get());
  return Lease(this, std::move(caller));
}

void DirectCallerPool::give_back(std::unique_ptr<DirectCaller> caller) noexcept {
  std::unique_lock lock(mutex_);
  lent_.erase(caller.get());
  // One interrupted by a close() stays unusable, even if the pool opened again since.
  if (open_ && !caller->interrupted()) {
    idle_.push_back(std::move(caller));
    return;
  }
  lock.unlock();
  caller.reset();  // closed meanwhile: its connection goes
}

void DirectCallerPool::open() {
  std::lock_guard lock(mutex_);
  open_ = true;
}

void DirectCallerPool::close() noexcept {
  std::vector<std::unique_ptr<DirectCaller>> idle;
  {
    std::lock_guard lock(mutex_);
    open_ = false;
    idle.swap(idle_);
    for (DirectCaller* caller : lent_) caller->interrupt();
  }
  idle.clear();  // closes their connections, outside the lock
}

}  // namespace hypha::amqp
