// One long-lived thread that runs every libtorch call of the process, one at a time, in the order
// they were posted. libtorch's intra-op parallelism (OpenMP) keeps a thread team per calling
// thread; calls spread over the libuv pool's threads ran ~40% slower than the same calls from one
// thread (ResNet-18, batch 8, 2 threads: 251 ms against 174 ms). Nothing waits on it: a posted
// call settles its Promise through a thread-safe function (settler.h), so queued calls hold no
// libuv pool thread.
#pragma once

#include <functional>

namespace lrp::binding {

// Queues `work` on the compute thread and returns at once. `work` must not throw. After
// stopComputeThread() a posted call is dropped.
void postToComputeThread(std::function<void()> work);

// Process exit: no queued call starts any more, and this returns once the call running now (if
// any) has finished. exit() destroys libtorch's, oneDNN's and OpenMP's static state (some of it
// created lazily, so destroyed before any exit handler the addon could register); a call still
// inside them then crashed the process (SIGSEGV) instead of exiting with its code.
void stopComputeThread();

}  // namespace lrp::binding
