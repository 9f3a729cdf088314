// File: thread_name.hpp
//
// name_this_thread gives the calling thread a name that top -H, perf and gdb
// show ("hypha-worker", "amqp-consumer"...), so that a profile says which of
// the framework's threads spends the time. Linux keeps 15 characters.
#pragma once

#include <string_view>

namespace hypha {

void name_this_thread(std::string_view name) noexcept;

}  // namespace hypha
