#include "compute_thread.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <thread>

namespace lrp::binding {

namespace {

class ComputeThread {
 public:
  ComputeThread() : thread_([this] { loop(); }) { thread_.detach(); }

  void run(const std::function<void()>& work) {
    std::packaged_task<void()> task(work);
    std::future<void> done = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(task));
    }
    ready_.notify_one();
    done.get();
  }

 private:
  void loop() {
    while (true) {
      std::packaged_task<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !queue_.empty(); });
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::packaged_task<void()>> queue_;
  std::thread thread_;
};

}  // namespace

void runOnComputeThread(const std::function<void()>& work) {
  // Never destroyed: the detached thread may still wait on it while the process exits.
  static ComputeThread* thread = new ComputeThread();
  thread->run(work);
}

}  // namespace lrp::binding
