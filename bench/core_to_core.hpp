// core_to_core_round_trip_ns: the machine's cache-line round trip between
// the first two CPUs this thread may run on (bench/core_to_core.cpp), in ns,
// the mean of up to `rounds` round trips (at most 5 ms of them); -1 with
// fewer than two CPUs.
#pragma once

namespace hypha::bench {

double core_to_core_round_trip_ns(int rounds);

}  // namespace hypha::bench
