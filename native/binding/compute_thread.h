// One long-lived thread that runs every libtorch call of the process, one at a time. libtorch's
// intra-op parallelism (OpenMP) keeps a thread team per calling thread; calls spread over the
// libuv pool's threads ran ~40% slower than the same calls from one thread (ResNet-18, batch 8,
// 2 threads: 251 ms against 174 ms). The pool threads now only wait for this one.
#pragma once

#include <functional>

namespace lrp::binding {

// Runs `work` on the compute thread and returns when it is done; its exception is rethrown here.
void runOnComputeThread(const std::function<void()>& work);

}  // namespace lrp::binding
