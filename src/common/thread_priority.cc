#include "common/thread_priority.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

namespace finbrain {

namespace {
constexpr int kBackgroundNice = 10;
}

// On Linux, PRIO_PROCESS with a thread id sets that thread's nice value alone.
void SetBackgroundPriority() {
  const id_t thread = static_cast<id_t>(gettid());
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, thread);
  if (errno == 0 && current < kBackgroundNice) setpriority(PRIO_PROCESS, thread, kBackgroundNice);
}

int ThreadNiceValue() {
  errno = 0;
  return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
}

}  // namespace finbrain
