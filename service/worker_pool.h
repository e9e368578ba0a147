// A fixed pool of threads that runs extraction work off gRPC's callback
// threads, so a slow document never stalls the server's I/O.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gongkai::service {

class WorkerPool {
 public:
  // threads == 0 means one per hardware thread.
  explicit WorkerPool(size_t threads);
  // Runs every task already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues task. Tasks must not throw. After the destructor started, tasks
  // are still run (callers are gRPC reactors that must always finish).
  void Submit(std::function<void()> task);

  size_t size() const { return threads_.size(); }

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace gongkai::service
