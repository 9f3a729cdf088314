// File: adaptive_mutex.hpp
//
// AdaptiveMutex spins briefly before it sleeps (glibc's adaptive mutex).
// For a lock held a few dozen nanoseconds and taken by two busy threads at
// once, as a worker queue is by the thread that submits and the one that
// drains, sleeping at the first contention costs a futex wait and a wake per
// hand-off, several times the critical section. Use it with
// std::condition_variable_any.
#pragma once

#include <pthread.h>

namespace hypha {

class AdaptiveMutex {
 public:
  AdaptiveMutex() noexcept;
  ~AdaptiveMutex();
  AdaptiveMutex(const AdaptiveMutex&) = delete;
  AdaptiveMutex& operator=(const AdaptiveMutex&) = delete;

  void lock() noexcept { pthread_mutex_lock(&mutex_); }
  bool try_lock() noexcept { return pthread_mutex_trylock(&mutex_) == 0; }
  void unlock() noexcept { pthread_mutex_unlock(&mutex_); }

 private:
  pthread_mutex_t mutex_;
};

}  // namespace hypha
