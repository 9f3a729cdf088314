#include "hypha/core/adaptive_mutex.hpp"

namespace hypha {

AdaptiveMutex::AdaptiveMutex() noexcept {
  pthread_mutexattr_t attributes;
  pthread_mutexattr_init(&attributes);
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
  pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
  pthread_mutex_init(&mutex_, &attributes);
  pthread_mutexattr_destroy(&attributes);
}

AdaptiveMutex::~AdaptiveMutex() { pthread_mutex_destroy(&mutex_); }

}  // namespace hypha
