#include "heavy_fence.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace hypha::detail {
namespace {

bool membarrier(int command) noexcept { return syscall(SYS_membarrier, command, 0, 0) == 0; }

}  // namespace

bool heavy_fences_work() noexcept {
  static const bool works = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) &&
                            membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
  return works;
}

bool heavy_fence() noexcept { return heavy_fences_work() && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED); }

}  // namespace hypha::detail
