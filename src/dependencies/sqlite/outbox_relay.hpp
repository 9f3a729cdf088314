// File: outbox_relay.hpp
//
// OutboxRelay publishes committed outbox events, in commit order, on its own
// thread, and tells its owner which ones have settled so their rows can be
// deleted. It hands the transport what has queued up, up to kMaxBatch events
// at once (EventPublisher::dispatch_all_settled: over AMQP, one wait for the
// broker's confirms per batch instead of one per event). A batch that fails
// (broker down) is retried whole with backoff, so an event is delayed, maybe
// published twice, but never skipped or reordered.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hypha/core/context_data.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha {

/// OutboxEvent is one staged event and its outbox row id.
struct OutboxEvent {
  std::int64_t id = 0;
  std::string source;
  std::string event_type;
  Json payload;
  ContextData context;
};

class OutboxRelay {
 public:
  /// kMaxBatch bounds the events handed to the transport at once.
  static constexpr std::size_t kMaxBatch = 256;

  /// forget deletes the rows of settled events; it runs on the relay thread.
  using Forget = std::function<void(const std::vector<std::int64_t>& ids)>;

  OutboxRelay(EventPublisher& publisher, Forget forget);
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  /// enqueue appends committed events (in commit order). Thread-safe.
  void enqueue(std::vector<OutboxEvent> events);
  /// stop ends the thread; unpublished events stay in the outbox table.
  void stop();

 private:
  // State is shared with settlement callbacks, which may run after the relay
  // is gone (a handler finishing during shutdown): they then change nothing.
  struct State {
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<OutboxEvent> pending;
    std::vector<std::int64_t> settled;
    bool stopping = false;
  };

  void run();
  void publish(std::vector<OutboxEvent>& batch, std::unique_lock<std::mutex>& lock);
  void forget_settled(std::unique_lock<std::mutex>& lock);

  EventPublisher& publisher_;
  Forget forget_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace hypha
