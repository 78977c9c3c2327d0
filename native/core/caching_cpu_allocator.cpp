#include "caching_cpu_allocator.h"

#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

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

 private:
  void* takeCached(size_t nbytes) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = free_.find(nbytes);
    if (found == free_.end() || found->second.empty()) return nullptr;
    void* data = found->second.back();
    found->second.pop_back();
    cached_ -= nbytes;
    return data;
  }

  static void release(void* data) { instance()->keep(data); }

  // A freed large block is cached when it fits under the capacity; otherwise the cache makes room
  // by dropping the blocks of other sizes first (shapes that recur are the ones worth keeping).
  void keep(void* data) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto used = inUse_.find(data);
    if (used == inUse_.end()) {
      c10::free_cpu(data);
      return;
    }
    const size_t nbytes = used->second;
    inUse_.erase(used);
    for (auto it = free_.begin(); it != free_.end() && cached_ + nbytes > capacity_; ++it) {
      if (it->first == nbytes) continue;
      for (void* other : it->second) c10::free_cpu(other);
      cached_ -= it->first * it->second.size();
      it->second.clear();
    }
    if (cached_ + nbytes > capacity_) {
      c10::free_cpu(data);
      return;
    }
    free_[nbytes].push_back(data);
    cached_ += nbytes;
  }

  size_t capacity_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<void*, size_t> inUse_;
  mutable std::map<size_t, std::vector<void*>> free_;
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

}  // namespace lrp
