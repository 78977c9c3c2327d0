#include "caching_cpu_allocator.h"

#include <list>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

namespace lrp {

namespace {

constexpr size_t kMinBytes = size_t(1) << 20;  // smaller blocks stay with malloc's own free lists

// Every block is its own DataPtr context (oneDNN frees through raw_deleter(), which sees only
// the pointer), so the sizes of the large blocks in use are looked up by pointer.
class CachingCpuAllocator final : public c10::Allocator {
 public:
  explicit CachingCpuAllocator(size_t capacity) : capacity_(capacity) {}

  c10::DataPtr allocate(size_t nbytes) const override {
    void* data = nbytes >= kMinBytes ? takeCached(nbytes) : nullptr;
    if (!data) data = c10::alloc_cpu(nbytes);
    if (nbytes >= kMinBytes) {
      std::lock_guard<std::mutex> lock(mutex_);
      inUse_[data] = nbytes;
    }
    return {data, data, &CachingCpuAllocator::release, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &CachingCpuAllocator::release; }

  static CachingCpuAllocator*& instance() {
    static CachingCpuAllocator* allocator = nullptr;
    return allocator;
  }

  size_t releaseAll() const {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t released = cached_;
    for (const auto& [nbytes, data] : lru_) c10::free_cpu(data);
    lru_.clear();
    bySize_.clear();
    cached_ = 0;
    return released;
  }

 private:
  using Lru = std::list<std::pair<size_t, void*>>;  // free blocks, least recently freed first

  // The most recently freed block of exactly this size: its pages are the likeliest in cache.
  void* takeCached(size_t nbytes) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto range = bySize_.equal_range(nbytes);
    if (range.first == range.second) return nullptr;
    auto newest = std::prev(range.second);
    void* data = newest->second->second;
    lru_.erase(newest->second);
    bySize_.erase(newest);
    cached_ -= nbytes;
    return data;
  }

  static void release(void* data) { instance()->keep(data); }

  void keep(void* data) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto used = inUse_.find(data);
    if (used == inUse_.end()) {
      c10::free_cpu(data);
      return;
    }
    const size_t nbytes = used->second;
    inUse_.erase(used);
    if (nbytes > capacity_) {
      c10::free_cpu(data);
      return;
    }
    while (cached_ + nbytes > capacity_) evictOldest();
    bySize_.emplace(nbytes, lru_.insert(lru_.end(), {nbytes, data}));
    cached_ += nbytes;
  }

  void evictOldest() const {
    auto [nbytes, data] = lru_.front();
    auto range = bySize_.equal_range(nbytes);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == lru_.begin()) {
        bySize_.erase(it);
        break;
      }
    }
    lru_.pop_front();
    c10::free_cpu(data);
    cached_ -= nbytes;
  }

  size_t capacity_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<void*, size_t> inUse_;
  mutable Lru lru_;
  mutable std::multimap<size_t, Lru::iterator> bySize_;  // within a size, oldest first
  mutable size_t cached_ = 0;
};

}  // namespace

void installCachingCpuAllocator(size_t capacityBytes) {
  static std::once_flag once;
  std::call_once(once, [capacityBytes] {
    // Never destroyed: tensors may be freed during process exit, after static destructors.
    CachingCpuAllocator::instance() = new CachingCpuAllocator(capacityBytes);
    c10::SetCPUAllocator(CachingCpuAllocator::instance(), /*priority=*/1);
  });
}

size_t releaseCachedCpuMemory() {
  auto* allocator = CachingCpuAllocator::instance();
  return allocator ? allocator->releaseAll() : 0;
}

}  // namespace lrp
