// The analysis pipeline's scheduling: a flood of changes to one incident while it is analysed
// yields exactly one follow-up analysis, and the follow-up waits for min_interval.
#include "server/pipeline.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "ingest/alert_redactor.h"
#include "ingest/grouping.h"
#include "plugins/stores/sqlite/sqlite_store.h"

namespace awoooi::server {
namespace {

using Clock = std::chrono::steady_clock;

// Counts its calls; the first one can be held until the test lets it go.
class CountingReasoner final : public brain::Reasoner {
 public:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool hold_first = false;
    bool released = false;
    int calls = 0;
    std::vector<Clock::time_point> started, finished;
  };
  explicit CountingReasoner(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::string name() const override { return "counting"; }
  absl::StatusOr<brain::Proposal> Propose(const brain::ReasoningContext&,
                                          const brain::ThinkingSink&) override {
    std::unique_lock<std::mutex> lock(state_->mu);
    const int call = ++state_->calls;
    state_->started.push_back(Clock::now());
    state_->cv.notify_all();
    if (call == 1 && state_->hold_first) state_->cv.wait(lock, [&] { return state_->released; });
    brain::Proposal p;
    p.summary = privacy::Redacted::Literal("nothing to do");
    p.reasoner = "counting";
    state_->finished.push_back(Clock::now());
    return p;
  }

 private:
  std::shared_ptr<State> state_;
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("awoooi_pipeline_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto shield = privacy::Shield::Create(privacy::ShieldConfig{});
    ASSERT_TRUE(shield.ok()) << shield.status();
    shield_ = std::move(*shield);
    store::SqliteOptions o;
    o.path = (dir_ / "awoooi.db").string();
    o.fsync = false;
    auto st = store::OpenSqliteStore(o, std::make_unique<ingest::ShieldAlertRedactor>(*shield_));
    ASSERT_TRUE(st.ok()) << st.status();
    store_ = std::move(*st);
    Alert a;
    a.labels = {{"alertname", "HighErrorRate"}, {"service", "frontend"}, {"severity", "critical"}};
    a.status = AlertStatus::kFiring;
    a.starts_at = absl::Now();
    a.fingerprint = LabelFingerprint(a.labels);
    a.source = "test";
    std::promise<absl::StatusOr<store::IngestResult>> done;
    store_->Ingest(ingest::PrepareItems({a}, {}), [&](auto r) { done.set_value(std::move(r)); });
    auto r = done.get_future().get();
    ASSERT_TRUE(r.ok()) << r.status();
    incident_ = r->outcomes[0].incident_id;
  }
  void TearDown() override {
    pipeline_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start(std::chrono::milliseconds min_interval, int nice = 0) {
    PipelineOptions o;
    o.workers = 2;
    o.nice = nice;
    o.min_interval = min_interval;
    pipeline_ = std::make_unique<Pipeline>(o, *store_, *shield_, topology_,
                                           std::make_unique<CountingReasoner>(state_), events_, metrics_);
  }
  // Waits (without a deadline on the machine's speed: up to a minute) until `pred` holds.
  bool WaitFor(const std::function<bool()>& pred) {
    std::unique_lock<std::mutex> lock(state_->mu);
    return state_->cv.wait_for(lock, std::chrono::seconds(60), pred);
  }
  // Waits until the pipeline has nothing queued, delayed or running, then a little longer.
  void WaitIdle() {
    for (int i = 0; i < 600 && pipeline_->pending() > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }

  std::filesystem::path dir_;
  std::unique_ptr<privacy::Shield> shield_;
  std::unique_ptr<store::Store> store_;
  topology::Topology topology_;
  EventHub events_;
  Metrics metrics_;
  std::shared_ptr<CountingReasoner::State> state_ = std::make_shared<CountingReasoner::State>();
  std::unique_ptr<Pipeline> pipeline_;
  int64_t incident_ = 0;
};

TEST_F(PipelineTest, AFloodOfChangesDuringAnAnalysisYieldsOneFollowUp) {
  state_->hold_first = true;
  Start(std::chrono::milliseconds(0));
  pipeline_->Schedule(incident_);
  ASSERT_TRUE(WaitFor([&] { return state_->calls == 1; }));
  for (int i = 0; i < 50; ++i) pipeline_->Schedule(incident_);
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->released = true;
  }
  state_->cv.notify_all();
  ASSERT_TRUE(WaitFor([&] { return state_->calls >= 2; }));
  WaitIdle();
  std::lock_guard<std::mutex> lock(state_->mu);
  EXPECT_EQ(state_->calls, 2) << "fifty changes while running must give one follow-up, not fifty";
}

TEST_F(PipelineTest, TheFollowUpWaitsForTheMinimumInterval) {
  constexpr auto kInterval = std::chrono::milliseconds(500);
  Start(kInterval);
  pipeline_->Schedule(incident_);
  ASSERT_TRUE(WaitFor([&] { return state_->finished.size() == 1; }));
  for (int i = 0; i < 10; ++i) pipeline_->Schedule(incident_);
  ASSERT_TRUE(WaitFor([&] { return state_->calls == 2; }));
  WaitIdle();
  std::lock_guard<std::mutex> lock(state_->mu);
  EXPECT_EQ(state_->calls, 2);
  // A lower bound only: the second analysis may start late on a busy machine, never early.
  EXPECT_GE(state_->started[1] - state_->finished[0], kInterval);
}

TEST_F(PipelineTest, DifferentIncidentsAreNotHeldBackByEachOther) {
  state_->hold_first = true;
  Start(std::chrono::milliseconds(0));
  pipeline_->Schedule(incident_);
  ASSERT_TRUE(WaitFor([&] { return state_->calls == 1; }));
  // Another incident, scheduled while the first one's analysis is held.
  Alert b;
  b.labels = {{"alertname", "DiskFull"}, {"service", "postgres-db"}};
  b.status = AlertStatus::kFiring;
  b.starts_at = absl::Now();
  b.fingerprint = LabelFingerprint(b.labels);
  b.source = "test";
  std::promise<absl::StatusOr<store::IngestResult>> done;
  store_->Ingest(ingest::PrepareItems({b}, {}), [&](auto r) { done.set_value(std::move(r)); });
  auto r = done.get_future().get();
  ASSERT_TRUE(r.ok()) << r.status();
  pipeline_->Schedule(r->outcomes[0].incident_id);
  // The second worker analyses it while the first incident's analysis is still held.
  EXPECT_TRUE(WaitFor([&] { return state_->calls == 2; }));
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->released = true;
  }
  state_->cv.notify_all();
  WaitIdle();
}

}  // namespace
}  // namespace awoooi::server

namespace awoooi::server {
namespace {

// The niceness of each of this process's threads (field 19 of /proc/self/task/<tid>/stat).
std::vector<int> ThreadNiceness() {
  std::vector<int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');  // the thread's name may hold spaces
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string f;
    for (int i = 3; i <= 19 && fields >> f; ++i) {
      if (i == 19) out.push_back(std::stoi(f));
    }
  }
  return out;
}

// Analyses are deferred work: their threads run at the configured niceness, the rest of the server
// at its own.
TEST_F(PipelineTest, AnalysisWorkersRunNicerThanTheServer) {
  const int base = getpriority(PRIO_PROCESS, 0);
  if (base > 12) GTEST_SKIP() << "this test process is already at niceness " << base;
  Start(std::chrono::milliseconds(0), /*nice=*/7);
  int workers = 0;
  for (int i = 0; i < 600 && workers < 2; ++i) {
    auto nice = ThreadNiceness();
    workers = static_cast<int>(std::count(nice.begin(), nice.end(), base + 7));
    if (workers < 2) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(workers, 2);
  auto nice = ThreadNiceness();
  EXPECT_GT(std::count(nice.begin(), nice.end(), base), 0);  // this thread, the store's writer, ...
}

}  // namespace
}  // namespace awoooi::server
