// CoreToCoreRoundTrip measures the machine, not Hypha: how long one cache
// line takes to go from one CPU to another and back. Two threads, each pinned
// to one of the first two CPUs this process may run on (taskset narrows
// them; with fewer than two the benchmark is skipped), pass a counter back
// and forth.
//
// Why it is in inproc_bench: an in-process event crosses cores (it is made on
// the dispatching thread and handled on a worker thread), so its rate follows
// this figure. On the 2-vCPU VMs this project is built on, the round trip
// changes from one second to the next (65-140 ns, then ~500 ns when the host
// places the vCPUs far apart), and InProcessEvent with it (3.1-4.5 M/s, then
// 1.2-1.5 M/s), while the single-threaded InProcessRpc does not move
// (docs/performance.md). Printed beside the events, it tells which machine
// they ran on. Interleaved with the other benchmarks (make bench), each
// repetition samples the moment.
#include "core_to_core.hpp"

#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace {

alignas(64) std::atomic<std::int64_t> ball{0};
// given_up: a thread could not pin itself, so the other stops waiting for it.
std::atomic<bool> given_up{false};

// nth_allowed_cpu: the n-th CPU (from 0) this thread may run on, or -1.
int nth_allowed_cpu(int n) {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return -1;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &allowed) && n-- == 0) return cpu;
  }
  return -1;
}

// PinnedTo pins this thread to one CPU for its lifetime, then restores the
// CPUs it had (the benchmark's threads are reused by later benchmarks).
class PinnedTo {
 public:
  explicit PinnedTo(int cpu) {
    pthread_getaffinity_np(pthread_self(), sizeof(before_), &before_);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pinned_ = pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0;
  }
  ~PinnedTo() { pthread_setaffinity_np(pthread_self(), sizeof(before_), &before_); }
  bool pinned() const { return pinned_; }

 private:
  cpu_set_t before_{};
  bool pinned_ = false;
};

// await_value spins until the counter is `value`; false when the other
// thread gave up.
bool await_value(const std::atomic<std::int64_t>& counter, std::int64_t value, const std::atomic<bool>& gave_up) {
  while (counter.load(std::memory_order_acquire) != value) {
    if (gave_up.load(std::memory_order_relaxed)) return false;
    __builtin_ia32_pause();
  }
  return true;
}

// pass_ball waits for `value` and sends the next one.
bool pass_ball(std::atomic<std::int64_t>& counter, std::int64_t value, const std::atomic<bool>& gave_up) {
  if (!await_value(counter, value, gave_up)) return false;
  counter.store(value + 1, std::memory_order_release);
  return true;
}

void CoreToCoreRoundTrip(benchmark::State& state) {
  if (nth_allowed_cpu(1) < 0) {  // the same answer on both threads
    state.SkipWithError("needs two CPUs");
    return;
  }
  const int me = state.thread_index();  // 0 serves, 1 returns
  PinnedTo pin(nth_allowed_cpu(me));
  if (!pin.pinned()) {
    given_up.store(true);
    state.SkipWithError("cannot pin the threads to two CPUs");
    return;
  }
  // Both threads run the same number of iterations; in round i thread 0
  // waits for 2i and sends 2i+1, thread 1 waits for 2i+1 and sends 2i+2.
  std::int64_t round = 0;
  for (auto _ : state) {
    if (!pass_ball(ball, 2 * round + me, given_up)) {
      state.SkipWithError("the other thread could not pin itself");
      return;
    }
    ++round;
  }
  if (me == 0) state.SetItemsProcessed(state.iterations());  // round trips
}
BENCHMARK(CoreToCoreRoundTrip)
    ->Threads(2)
    ->UseRealTime()
    ->Setup([](const benchmark::State&) {
      ball.store(0);
      given_up.store(false);
    });

}  // namespace

namespace hypha::bench {

// The calling thread serves: in round i it sends 2i+1 and waits for 2i+2,
// which the returner sends. It stops after `rounds`, or after 5 ms (on a
// loaded machine a pinned thread may wait for its CPU: the figure is then
// the mean of the rounds done), and `stop` releases the returner.
double core_to_core_round_trip_ns(int rounds) {
  if (nth_allowed_cpu(1) < 0) return -1;
  alignas(64) std::atomic<std::int64_t> counter{0};
  std::atomic<bool> stop{false};
  std::thread returner([&] {
    PinnedTo pin(nth_allowed_cpu(1));
    if (!pin.pinned()) {
      stop.store(true);
      return;
    }
    for (std::int64_t i = 0; pass_ball(counter, 2 * i + 1, stop); ++i) {
    }
  });
  int done = 0;
  std::chrono::duration<double, std::nano> took{};
  {
    PinnedTo pin(nth_allowed_cpu(0));
    if (!pin.pinned()) stop.store(true);
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::milliseconds(5);
    while (done < rounds) {
      counter.store(2 * std::int64_t{done} + 1, std::memory_order_release);
      if (!await_value(counter, 2 * std::int64_t{done} + 2, stop)) break;
      ++done;
      if (done % 64 == 0 && std::chrono::steady_clock::now() > deadline) break;
    }
    took = std::chrono::steady_clock::now() - start;
  }
  stop.store(true);
  returner.join();
  return done > 0 ? took.count() / done : -1;
}

}  // namespace hypha::bench
