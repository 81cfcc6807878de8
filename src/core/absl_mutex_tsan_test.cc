// absl::Mutex and absl::CondVar order memory for ThreadSanitizer as they do for the CPU. Debian's
// Abseil is not built with TSan, so in the TSan stage (scripts/test tsan) these tests report data
// races unless test/tsan/absl_mutex.cc is linked; in other builds they check the counts only.
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace {

struct Counter {
  absl::Mutex mu;
  absl::CondVar changed;
  long value ABSL_GUARDED_BY(mu) = 0;
};

TEST(AbslMutexUnderThreadSanitizer, WritesUnderTheMutexFromManyThreadsAreNotRaces) {
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c] {
      for (int i = 0; i < 1000; ++i) {
        absl::MutexLock lock(&c.mu);
        ++c.value;
      }
    });
  }
  for (auto& t : threads) t.join();
  absl::ReaderMutexLock lock(&c.mu);
  EXPECT_EQ(c.value, 4000);
}

TEST(AbslMutexUnderThreadSanitizer, AWaiterSeesWhatWasWrittenBeforeTheSignal) {
  Counter c;
  std::thread writer([&c] {
    for (int i = 0; i < 100; ++i) {
      absl::MutexLock lock(&c.mu);
      ++c.value;
      c.changed.Signal();
    }
  });
  {
    absl::MutexLock lock(&c.mu);
    while (c.value < 100) c.changed.WaitWithTimeout(&c.mu, absl::Seconds(1));
    EXPECT_EQ(c.value, 100);
  }
  writer.join();
  if (c.mu.TryLock()) {
    EXPECT_EQ(c.value, 100);
    c.mu.Unlock();
  } else {
    ADD_FAILURE() << "the writer kept the mutex after it ended";
  }
}

}  // namespace
