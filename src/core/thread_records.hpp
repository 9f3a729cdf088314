// Private: ThreadRecords<Record> lists one Record per live thread that asked
// for one, for the rare side of an asymmetric fence (heavy_fence.hpp) to
// read: the call gate's GateThread, the worker pools' ThreadLeases. A thread
// writes its own record with plain stores; readers hold the list's mutex.
#pragma once

#include <algorithm>
#include <mutex>
#include <vector>

namespace hypha::detail {

template <typename Record>
struct ThreadRecords {
  /// Held to read the records, and by a thread while it joins or leaves.
  std::mutex mutex;
  std::vector<Record*> records;

  static ThreadRecords& instance() {
    static auto* list = new ThreadRecords;  // never destroyed: threads may exit after static destruction
    return *list;
  }

  /// enroll makes the calling thread's record and lists it. As the thread
  /// exits, `on_exit(record)` runs under the mutex, then the record leaves
  /// the list. Once per thread: the caller keeps the reference.
  template <void (*on_exit)(Record&)>
  static Record& enroll() {
    struct Enrolment {
      Record record;
      Enrolment() {
        ThreadRecords& list = instance();
        std::lock_guard lock(list.mutex);
        list.records.push_back(&record);
      }
      ~Enrolment() {
        ThreadRecords& list = instance();
        std::lock_guard lock(list.mutex);
        on_exit(record);
        list.records.erase(std::find(list.records.begin(), list.records.end(), &record));
      }
    };
    thread_local Enrolment enrolment;
    return enrolment.record;
  }
};

}  // namespace hypha::detail
