// absl::Mutex made visible to ThreadSanitizer (linked into every executable of a TSan build by
// cmake/Areas.cmake; compiles to nothing in other builds).
//
// Debian's libabsl is not built with -fsanitize=thread, so absl::Mutex locks and unlocks inside
// uninstrumented code and TSan never sees the happens-before it creates: every member guarded by
// an absl::Mutex would be reported as a data race. Abseil built with TSan annotates its mutex
// through TSan's custom-mutex interface (<sanitizer/tsan_interface.h>); this file makes the same
// annotations from outside. It defines the absl::Mutex and absl::CondVar functions the project
// calls in the executable, where they take precedence over the shared library's (ELF symbol
// interposition); each one calls the library's own function (found with dlsym(RTLD_NEXT)) between
// the annotations Abseil's TSan build makes around it. So lock order inversions are reported as
// well (TSAN_OPTIONS=second_deadlock_stack=1 shows both stacks).
//
// Not wrapped: Await, LockWhen and the other calls that take an absl::Condition (Abseil evaluates
// conditions on other threads, which needs its internal "divert" annotations). Code using them
// gets race reports in the TSan stage: wait on an absl::CondVar instead. CondVar waits are assumed
// to hold the mutex exclusively (the project never waits under a reader lock).
// src/core/absl_mutex_tsan_test.cc fails under TSan when this file is not linked.

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AWOOOI_TSAN_ABSL_MUTEX 1
#endif
#endif

#ifdef AWOOOI_TSAN_ABSL_MUTEX
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace {

#define AWOOOI_STRINGIFY_(x) #x
#define AWOOOI_STRINGIFY(x) AWOOOI_STRINGIFY_(x)

// The library's definition of absl::[inline namespace::]`nested` (an Itanium-mangled tail, e.g.
// "5Mutex4LockEv"): the next one after ours in the symbol search order.
template <typename Fn>
Fn Real(const char* nested) {
  std::string name = "_ZN4absl";
#if ABSL_OPTION_USE_INLINE_NAMESPACE
  std::string ns = AWOOOI_STRINGIFY(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  name += std::to_string(ns.size()) + ns;
#endif
  name += nested;
  void* fn = dlsym(RTLD_NEXT, name.c_str());
  if (fn == nullptr) {
    std::fprintf(stderr, "test/tsan/absl_mutex.cc: %s not found in Abseil: %s\n", name.c_str(), dlerror());
    std::abort();
  }
  return reinterpret_cast<Fn>(fn);
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

ABSL_NO_THREAD_SAFETY_ANALYSIS Mutex::~Mutex() {
  static const auto real = Real<void (*)(Mutex*)>("5MutexD1Ev");
  __tsan_mutex_destroy(this, __tsan_mutex_not_static);
  real(this);
}

ABSL_NO_THREAD_SAFETY_ANALYSIS void Mutex::Lock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex4LockEv");
  __tsan_mutex_pre_lock(this, 0);
  real(this);
  __tsan_mutex_post_lock(this, 0, 0);
}

ABSL_NO_THREAD_SAFETY_ANALYSIS bool Mutex::TryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  __tsan_mutex_pre_lock(this, __tsan_mutex_try_lock);
  bool locked = real(this);
  __tsan_mutex_post_lock(this, locked ? __tsan_mutex_try_lock : __tsan_mutex_try_lock_failed, 0);
  return locked;
}

ABSL_NO_THREAD_SAFETY_ANALYSIS void Mutex::Unlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex6UnlockEv");
  __tsan_mutex_pre_unlock(this, 0);
  real(this);
  __tsan_mutex_post_unlock(this, 0);
}

ABSL_NO_THREAD_SAFETY_ANALYSIS void Mutex::ReaderLock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  __tsan_mutex_pre_lock(this, __tsan_mutex_read_lock);
  real(this);
  __tsan_mutex_post_lock(this, __tsan_mutex_read_lock, 0);
}

ABSL_NO_THREAD_SAFETY_ANALYSIS bool Mutex::ReaderTryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex13ReaderTryLockEv");
  __tsan_mutex_pre_lock(this, __tsan_mutex_try_read_lock);
  bool locked = real(this);
  __tsan_mutex_post_lock(this, locked ? __tsan_mutex_try_read_lock : __tsan_mutex_try_read_lock_failed, 0);
  return locked;
}

ABSL_NO_THREAD_SAFETY_ANALYSIS void Mutex::ReaderUnlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  __tsan_mutex_pre_unlock(this, __tsan_mutex_read_lock);
  real(this);
  __tsan_mutex_post_unlock(this, __tsan_mutex_read_lock);
}

namespace {
// A wait releases the mutex, blocks, and takes the mutex again before it returns. The library's
// WaitWithTimeout calls WaitWithDeadline, which resolves to ours: only the outer call annotates.
thread_local int wait_depth = 0;
template <typename Wait>
auto AnnotatedWait(Mutex* mu, Wait wait) {
  if (wait_depth++ == 0) {
    __tsan_mutex_pre_unlock(mu, 0);
    __tsan_mutex_post_unlock(mu, 0);
  }
  auto result = wait();
  if (--wait_depth == 0) {
    __tsan_mutex_pre_lock(mu, 0);
    __tsan_mutex_post_lock(mu, 0, 0);
  }
  return result;
}
}  // namespace

void CondVar::Wait(Mutex* mu) {
  static const auto real = Real<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  AnnotatedWait(mu, [&] {
    real(this, mu);
    return 0;
  });
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  static const auto real =
      Real<bool (*)(CondVar*, Mutex*, Duration)>("7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  return AnnotatedWait(mu, [&] { return real(this, mu, timeout); });
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static const auto real =
      Real<bool (*)(CondVar*, Mutex*, Time)>("7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  return AnnotatedWait(mu, [&] { return real(this, mu, deadline); });
}

ABSL_NAMESPACE_END
}  // namespace absl

#endif  // AWOOOI_TSAN_ABSL_MUTEX
