#include "compute_thread.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace lrp::binding {

namespace {

class ComputeThread {
 public:
  ComputeThread() : thread_([this] { loop(); }) { thread_.detach(); }

  void post(std::function<void()> work) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(work));
    }
    ready_.notify_one();
  }

 private:
  void loop() {
    while (true) {
      std::function<void()> work;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !queue_.empty(); });
        work = std::move(queue_.front());
        queue_.pop_front();
      }
      work();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  std::thread thread_;
};

}  // namespace

void postToComputeThread(std::function<void()> work) {
  // Never destroyed: the detached thread may still wait on it while the process exits.
  static ComputeThread* thread = new ComputeThread();
  thread->post(std::move(work));
}

}  // namespace lrp::binding
