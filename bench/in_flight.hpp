// File: in_flight.hpp
//
// keep_in_flight runs a benchmark loop that keeps `depth` asynchronous calls
// of `method` outstanding on `proxy`, whatever the transport, and counts one
// item per call. The in-process and AMQP benchmarks share it.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <deque>

#include "hypha/dependencies/rpc_proxy.hpp"

namespace hypha::bench {

template <class... Args>
void keep_in_flight(benchmark::State& state, const RpcProxy& proxy, std::size_t depth, const char* method,
                    const Args&... args) {
  std::deque<RpcFuture> in_flight;
  for (auto _ : state) {
    in_flight.push_back(proxy.call_async(method, args...));
    if (in_flight.size() >= depth) {
      benchmark::DoNotOptimize(in_flight.front().get());
      in_flight.pop_front();
    }
  }
  while (!in_flight.empty()) {
    in_flight.front().get();
    in_flight.pop_front();
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace hypha::bench
