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
      if (stopped_) return;
      queue_.push_back(std::move(work));
    }
    ready_.notify_one();
  }

  // The process is exiting: no queued call starts. Returns whether one is running now.
  bool stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    // Left undestroyed: the calls hold models and Promises of an environment that is going away.
    new std::deque<std::function<void()>>(std::move(queue_));
    queue_.clear();
    return running_;
  }

  // Blocks until no call runs (after stop(), none starts again).
  void waitIdle() {
    std::unique_lock<std::mutex> lock(mutex_);
    idle_.wait(lock, [this] { return !running_; });
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
        running_ = true;
      }
      work();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        running_ = false;
      }
      idle_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> queue_;
  bool stopped_ = false;
  bool running_ = false;
  std::thread thread_;
};

ComputeThread& computeThread() {
  // Never destroyed: the detached thread may still wait on it while the process exits.
  static ComputeThread* thread = new ComputeThread();
  return *thread;
}

}  // namespace

void postToComputeThread(std::function<void()> work) {
  computeThread().post(std::move(work));
}

void stopComputeThread() {
  if (computeThread().stop()) computeThread().waitIdle();
}

}  // namespace lrp::binding
