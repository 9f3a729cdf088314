#include "outbox_relay.hpp"

#include <algorithm>

#include "hypha/core/logging.hpp"
#include "hypha/core/thread_name.hpp"

namespace hypha {

namespace {
constexpr auto kFirstRetryDelay = std::chrono::milliseconds(100);
constexpr auto kMaxRetryDelay = std::chrono::seconds(5);
}  // namespace

OutboxRelay::OutboxRelay(EventPublisher& publisher, Forget forget)
    : publisher_(publisher), forget_(std::move(forget)), thread_([this] {
        name_this_thread("outbox-relay");
        run();
      }) {}

OutboxRelay::~OutboxRelay() { stop(); }

void OutboxRelay::enqueue(std::vector<OutboxEvent> events) {
  if (events.empty()) return;
  {
    std::lock_guard lock(state_->mutex);
    for (auto& e : events) state_->pending.push_back(std::move(e));
  }
  state_->wake.notify_one();
}

void OutboxRelay::stop() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_one();
  if (thread_.joinable()) thread_.join();
}

void OutboxRelay::run() {
  State& state = *state_;
  std::unique_lock lock(state.mutex);
  for (;;) {
    state.wake.wait(lock, [&] { return state.stopping || !state.pending.empty() || !state.settled.empty(); });
    forget_settled(lock);
    if (state.stopping) return;
    if (state.pending.empty()) continue;
    std::vector<OutboxEvent> batch;
    const std::size_t count = std::min(state.pending.size(), kMaxBatch);
    batch.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      batch.push_back(std::move(state.pending.front()));
      state.pending.pop_front();
    }
    publish(batch, lock);
  }
}

// publish retries until the transport takes the batch or the relay stops
// (then the rows stay, and the next start publishes them again).
void OutboxRelay::publish(std::vector<OutboxEvent>& batch, std::unique_lock<std::mutex>& lock) {
  auto delay = kFirstRetryDelay;
  for (;;) {
    lock.unlock();
    try {
      std::vector<EventPublisher::EventToDispatch> events;
      events.reserve(batch.size());
      for (const auto& event : batch) {
        events.push_back({event.source, event.event_type, event.payload, &event.context,
                          [state = state_, id = event.id] {
                            {
                              std::lock_guard settled_lock(state->mutex);
                              state->settled.push_back(id);
                            }
                            state->wake.notify_one();
                          }});
      }
      publisher_.dispatch_all_settled(std::move(events));
      lock.lock();
      return;
    } catch (const std::exception& e) {
      log::warn("outbox: publishing {} events from {}.{} on failed ({}); retrying in {} ms", batch.size(),
                batch.front().source, batch.front().event_type, e.what(), delay.count());
    }
    lock.lock();
    if (state_->wake.wait_for(lock, delay, [this] { return state_->stopping; })) return;
    delay = std::min<std::chrono::milliseconds>(delay * 2, kMaxRetryDelay);
  }
}

void OutboxRelay::forget_settled(std::unique_lock<std::mutex>& lock) {
  if (state_->settled.empty()) return;
  std::vector<std::int64_t> ids;
  ids.swap(state_->settled);
  lock.unlock();
  try {
    forget_(ids);
  } catch (const std::exception& e) {
    // Harmless: the rows are published again at the next start, and handlers are idempotent.
    log::warn("outbox: could not delete {} settled events: {}", ids.size(), e.what());
  }
  lock.lock();
}

}  // namespace hypha
