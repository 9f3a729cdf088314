// RpcReply and RpcFuture: one call's reply, set once by the transport and
// waited for by the caller (transport.hpp).
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "hypha/core/adaptive_mutex.hpp"
#include "hypha/core/hand_off_arena.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha {
namespace detail {

// ReplyState holds the outcome. A waiter may spin for some microseconds (a
// reply expected soon), then sleeps on the condition; a setter takes the
// mutex and wakes only when a waiter said it sleeps. The flags are seq_cst:
// the setter's store of ready_ then load of sleepers_, and the sleeper's
// increment of sleepers_ then load of ready_, cannot both miss the other.
class ReplyState {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ReplyState(bool spin) : spin_(spin) {}

  void set(Outcome outcome) {
    if (claimed_.exchange(true)) return;  // set already
    outcome_ = std::move(outcome);
    ready_.store(true);
    if (sleepers_.load() == 0) return;
    { std::lock_guard lock(mutex_); }  // a sleeper between its look and its wait holds it
    woken_.notify_all();
  }

  /// wait_until: whether the outcome is there by `until` (Clock::time_point::max(): no limit).
  bool wait_until(Clock::time_point until) const {
    if (ready()) return true;
    if (until != Clock::time_point::max() && until <= Clock::now()) return ready();  // a poll: no spin, no sleep
    if (spin_ && spin_until_ready(until)) return true;
    sleepers_.fetch_add(1);
    std::unique_lock lock(mutex_);
    auto here = [&] { return ready_.load(); };  // seq_cst: see above
    bool came;
    if (until == Clock::time_point::max()) {
      woken_.wait(lock, here);
      came = true;
    } else {
      came = woken_.wait_until(lock, until, here);
    }
    sleepers_.fetch_sub(1);
    return came;
  }

  /// claimed: whether set was called (the outcome may still be on its way).
  bool claimed() const noexcept { return claimed_.load(std::memory_order_relaxed); }
  /// outcome: once wait_until said it is there.
  const Outcome& outcome() const noexcept { return outcome_; }

  /// setters counts the RpcReply copies (the last one to go unset abandons the call).
  std::atomic<int> setters{1};

 private:
  bool ready() const noexcept { return ready_.load(std::memory_order_acquire); }

  // spin_until_ready yields now and then: the scheduler often puts the
  // worker that will set the reply on the waiter's own CPU (it was woken by
  // the waiter), and there a waiter that only spins holds it back.
  bool spin_until_ready(Clock::time_point until) const {
    constexpr auto kSpin = std::chrono::microseconds(20);
    const auto stop = std::min(until, Clock::now() + kSpin);
    do {
      for (int i = 0; i < 64; ++i) {
        if (ready()) return true;
        cpu_relax();
      }
      std::this_thread::yield();
    } while (Clock::now() < stop);
    return ready();
  }

  const bool spin_;
  Outcome outcome_;
  std::atomic<bool> claimed_{false};
  std::atomic<bool> ready_{false};
  mutable std::atomic<int> sleepers_{0};
  mutable std::mutex mutex_;
  mutable std::condition_variable woken_;
};

}  // namespace detail

RpcReply::RpcReply(Expected expected)
    : state_(std::allocate_shared<detail::ReplyState>(detail::HandOffAllocator<detail::ReplyState>{},
                                                      expected == Expected::kSoon)) {}

RpcReply::RpcReply(const RpcReply& other) noexcept : state_(other.state_) {
  if (state_ != nullptr) state_->setters.fetch_add(1, std::memory_order_relaxed);
}

RpcReply& RpcReply::operator=(RpcReply&& other) noexcept {
  if (this != &other) {
    let_go();
    state_ = std::move(other.state_);
  }
  return *this;
}

void RpcReply::let_go() noexcept {
  if (state_ == nullptr) return;  // moved from
  if (state_->setters.fetch_sub(1, std::memory_order_acq_rel) == 1 && !state_->claimed()) {
    state_->set(Outcome{nullptr, Error("ReplyAbandoned", "hypha.transport.ReplyAbandoned",
                                       "the call was dropped without an answer")
                                     .info()});
  }
}

void RpcReply::set(Outcome outcome) const {
  if (state_ == nullptr) throw std::logic_error("RpcReply::set on a moved-from reply");
  state_->set(std::move(outcome));
}

RpcFuture::RpcFuture(const RpcReply& reply) : state_(reply.state_) {}

RpcFuture::RpcFuture(const RpcReply& reply, std::chrono::milliseconds timeout, std::string call)
    : state_(reply.state_), deadline_(Clock::now() + timeout), timeout_(timeout), call_(std::move(call)) {}

RpcFuture RpcFuture::ready(Outcome outcome) {
  RpcReply reply;
  reply.set(std::move(outcome));
  return RpcFuture(reply);
}

bool RpcFuture::reply_by(Clock::time_point until) const {
  if (state_ == nullptr) {
    throw std::logic_error("RpcFuture without a reply (default-constructed, or made from a moved-from RpcReply)");
  }
  if (deadline_ && *deadline_ < until) until = *deadline_;
  return state_->wait_until(until);
}

RpcTimeout RpcFuture::deadline_passed() const {
  return RpcTimeout("call to " + call_ + " timed out after " + std::to_string(timeout_.count()) + " ms");
}

Outcome RpcFuture::outcome() const {
  if (!reply_by(Clock::time_point::max())) return Outcome{nullptr, deadline_passed().info()};
  return state_->outcome();
}

// get raises the outcome's error: an RpcTimeout comes back as one (raise_error).
Json RpcFuture::get() const { return outcome().value(); }

Json RpcFuture::get(std::chrono::milliseconds timeout) const {
  const auto until = Clock::now() + timeout;
  if (!reply_by(until)) {
    if (deadline_ && Clock::now() >= *deadline_) throw deadline_passed();
    throw RpcTimeout("no reply within " + std::to_string(timeout.count()) + " ms");
  }
  return get();
}

bool RpcFuture::wait_for(std::chrono::milliseconds timeout) const {
  return reply_by(Clock::now() + timeout) || (deadline_ && Clock::now() >= *deadline_);
}

}  // namespace hypha
