// The timer entrypoint: runs its method on a fixed grid (start + n*interval),
// never overlapping itself; an overrun makes the missed ticks fire back to back
// (Nameko's behaviour). Each tick starts a fresh context.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "entrypoint_factories.hpp"
#include "hypha/core/logging.hpp"
#include "hypha/core/thread_name.hpp"

namespace hypha::detail {
namespace {

class TimerEntrypoint : public Extension {
 public:
  TimerEntrypoint(ServiceContainer& container, const EntrypointSpec& spec) : container_(container), spec_(spec) {}
  ~TimerEntrypoint() override { stop(); }

  void start() override {
    std::lock_guard lock(mutex_);
    stopping_ = false;
    thread_ = std::thread([this] {
      name_this_thread("hypha-timer");
      loop();
    });
  }
  void stop() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }
  void kill() noexcept override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();  // a tick in progress finishes; stop() or the destructor joins
  }

 private:
  void loop() {
    using Clock = std::chrono::steady_clock;
    const auto interval = spec_.timer.interval.count() > 0 ? spec_.timer.interval : std::chrono::milliseconds(1);
    const auto start = Clock::now();
    long long tick = spec_.timer.eager ? 0 : 1;
    for (;;) {
      const auto due = start + tick * interval;
      {
        std::unique_lock lock(mutex_);
        if (wake_.wait_until(lock, due, [this] { return stopping_; })) return;
      }
      Invocation inv;
      Outcome outcome = container_.run_worker(spec_, inv, nullptr);
      static_cast<void>(outcome);  // failures are logged by the container; the timer goes on
      ++tick;
    }
  }

  ServiceContainer& container_;
  const EntrypointSpec& spec_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Extension> make_timer(ServiceContainer& container, const EntrypointSpec& spec) {
  return std::make_unique<TimerEntrypoint>(container, spec);
}

}  // namespace hypha::detail
