// Cooperative cancellation inside core. Pipeline::Extract installs the
// caller's flag (ExtractOptions::cancelled) for the thread it runs on, and
// the long loops of interpretation and inference poll it, so a cancelled
// call stops spending CPU without every function in between taking a
// parameter. One extraction runs on one thread, so a thread-local is exact.
#pragma once

#include <atomic>

namespace gongkai {

namespace cancel_internal {
inline thread_local const std::atomic<bool>* current_flag = nullptr;
}  // namespace cancel_internal

// Whether the extraction running on this thread was cancelled. Two loads:
// cheap enough to poll once per row or block.
inline bool ExtractionCancelled() {
  const std::atomic<bool>* flag = cancel_internal::current_flag;
  return flag != nullptr && flag->load(std::memory_order_relaxed);
}

// Makes flag the current thread's cancellation flag for the scope.
class CancelScope {
 public:
  explicit CancelScope(const std::atomic<bool>* flag)
      : previous_(cancel_internal::current_flag) {
    cancel_internal::current_flag = flag;
  }
  ~CancelScope() { cancel_internal::current_flag = previous_; }
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;

 private:
  const std::atomic<bool>* previous_;
};

}  // namespace gongkai
