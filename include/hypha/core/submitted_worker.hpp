// File: submitted_worker.hpp
//
// SubmittedWorker is one asynchronous worker as a single queued object. A
// submitter that keeps state for its worker derives from it, so that the
// worker costs one allocation: the in-process transport's event delivery
// (its payload, a copy of the caller's context, its attempts) is one, queued
// in the container's pool as it is. An event's objects are made on the
// dispatching thread and freed on a worker thread, and those frees were the
// largest cost of an in-process event.
//
//   struct Ping final : hypha::SubmittedWorker {
//     void finished(hypha::Outcome outcome) override { ... }
//   };
//   container.submit_worker(entrypoint, std::make_unique<Ping>());
#pragma once

#include <memory>

#include "hypha/core/worker_pool.hpp"
#include "hypha/transport/transport.hpp"

namespace hypha {

class ServiceContainer;

class SubmittedWorker : public PoolTask {
 public:
  /// invocation: the worker's arguments (typed ones stay alive with this object).
  Invocation invocation;
  /// parent: the caller's context, or nullptr; kept alive by this object.
  const ContextData* parent = nullptr;

  /// finished gets the worker's outcome, once, on the thread that ran it:
  /// the result or the error, or ServiceStopping when the worker was
  /// dropped unrun (kill) or refused (its entrypoint had stopped). The
  /// object is destroyed after it returns; a submitter that tries again
  /// moves what it needs out of it.
  virtual void finished(Outcome outcome) = 0;

  /// starting is called on the worker's thread right before the worker
  /// runs (not for one dropped unrun): what a submitter prepares there, such
  /// as the rest of `parent`, is made in that thread's memory. An endpoint
  /// that reads `invocation` and `parent` without running the worker calls
  /// it first. A second call must change nothing.
  virtual void starting() {}

 private:
  friend class ServiceContainer;
  void run() final;
  void drop() noexcept final;
  ServiceContainer* container_ = nullptr;
  const EntrypointSpec* entrypoint_ = nullptr;
};

}  // namespace hypha
