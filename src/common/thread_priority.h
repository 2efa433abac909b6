#pragma once

namespace finbrain {

// Marks the calling thread as background work that no request waits on (persisting feature
// windows, periodic flushes, long analyses): it gets the CPU when the threads answering requests
// leave some, instead of taking a core from them for tens of milliseconds (nice 10; on two cores
// a window flush running at equal priority was the p99 of decisions at 500/s). Best effort: a
// failure leaves the priority as it was.
void SetBackgroundPriority();

// The calling thread's nice value (for tests).
int ThreadNiceValue();

}  // namespace finbrain
