// Private: LaterReleases holds shares (shared_ptr) that a thread is done
// with and lets go of them a batch at a time.
//
// An in-process event's delivery copies its sender's context, and the copy
// shares the sender's values (one count, in the sender's values block). The
// sending thread takes a share for each event; when the worker thread gave
// it back as soon as the handler was done, that count's cache line moved
// between the two threads twice per event, a third of an event's time.
// Given back 64 at a time, it moves twice per 64 events.
//
// Each thread has its own batch: at most kBatch - 1 shares are held at any
// time per thread, and those a thread holds when it ends go with it. A share
// held a little longer is harmless: a context that sets a key while its
// values are shared copies them first (copy on write), as it always did.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace hypha::detail {

class LaterReleases {
 public:
  static constexpr std::size_t kBatch = 64;

  /// add keeps `share` in this thread's batch; a full batch is let go.
  template <class T>
  static void add(std::shared_ptr<T> share) {
    if (!share || ended) return;  // once the batch is gone (thread exit), shares go at once
    mine().add_share(std::shared_ptr<const void>(std::move(share)));
  }
  /// held: the shares this thread keeps now.
  static std::size_t held() { return ended ? 0 : mine().held_.size(); }

  ~LaterReleases() { ended = true; }

 private:
  static LaterReleases& mine() {
    thread_local LaterReleases releases;
    return releases;
  }
  // Set when this thread's batch is destroyed: a delivery destroyed after it
  // (by another thread_local's or a static's destructor) must not use it.
  static inline constinit thread_local bool ended = false;
  void add_share(std::shared_ptr<const void> share) {
    if (held_.capacity() == 0) held_.reserve(kBatch);
    held_.push_back(std::move(share));
    if (held_.size() == kBatch) held_.clear();
  }
  std::vector<std::shared_ptr<const void>> held_;
};

}  // namespace hypha::detail
