#pragma once

#include <cstddef>

namespace lrp {

// libtorch's CPU allocator hands large tensors (activations of a 224² batch: tens to hundreds of
// MB) to malloc, which maps fresh pages for each and unmaps them on free; the kernel then zeroes
// every page again on first touch (a third of an explain's time on VGG-16 was page faults). This
// allocator keeps freed blocks of 1 MB or more for reuse by a request of the same size, as
// the CUDA caching allocator does, holding at most `capacityBytes` of free blocks: past that,
// the least recently freed blocks go back to the system.
void installCachingCpuAllocator(size_t capacityBytes);

// The default capacity of the cache (LRP_NODE_CPU_CACHE_MB overrides it).
constexpr size_t kDefaultCpuCacheMegabytes = 1024;

// Returns every cached free block to the system; the number of bytes released (0 when the
// caching allocator is not installed).
size_t releaseCachedCpuMemory();

}  // namespace lrp
