// Private: the heavy half of an asymmetric fence, shared by the call gate and
// the worker pool's slot leases. A hot path orders its store before its load
// with a compiler barrier only (std::atomic_signal_fence); the rare side calls
// heavy_fence(), which makes every thread of the process pass a full memory
// barrier (membarrier(2)), then looks. Either side sees the other's store.
#pragma once

namespace hypha::detail {

/// heavy_fences_work: whether this kernel runs them. The process registers
/// for expedited barriers once and tries one (a seccomp filter may forbid the
/// call); a registered command does not fail later. Without them, hot paths
/// must take their locked-instruction fallback.
bool heavy_fences_work() noexcept;

/// heavy_fence makes every thread of the process pass a full barrier; false
/// when the kernel cannot.
bool heavy_fence() noexcept;

}  // namespace hypha::detail
