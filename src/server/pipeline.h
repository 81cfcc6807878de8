// Pipeline: from an incident to a stored, validated proposal (F3, F4; ARCHITECTURE "The data's
// way through").
//
// Schedule(incident) queues an analysis on a bounded worker pool: shield (the incident's vault)
// -> topology analysis -> retrieval context -> reasoner (its reasoning streamed to viewers of
// /incidents/{id}/thinking) -> validation -> stored analysis -> "analysis" event.
// One analysis at a time per incident; scheduling an incident that is already queued or running
// only marks it dirty, so a flood of alerts for one incident yields at most one follow-up run.
// When the queue is full, Schedule still returns at once (the incident is remembered and runs when
// a slot frees): ingestion never waits for analyses. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/analysis/analysis.h"
#include "awoooi/brain/reasoner.h"
#include "awoooi/privacy/shield.h"
#include "awoooi/store/store.h"
#include "awoooi/topology/topology.h"
#include "server/event_hub.h"
#include "server/metrics.h"

namespace awoooi::server {

struct PipelineOptions {
  int workers = 2;
  // How much nicer than the server the worker threads run (Linux schedules threads, so it is per
  // thread; capped at 19): analyses are deferred work and give way to ingestion and the API when
  // the cores are busy.
  int nice = 0;
  int depth = 3;
  int context_budget_chars = 6'000;
  // An incident that changes again soon after an analysis waits this long for its next one.
  std::chrono::milliseconds min_interval{5'000};
  const action::Catalog* catalog = nullptr;  // what run_template / mcp_tool actions may name
};

// The analysis document with "proposal_id" added (null for 0).
std::string WithProposalId(const std::string& document, int64_t proposal_id);

class Pipeline {
 public:
  Pipeline(PipelineOptions options, store::Store& store, const privacy::Shield& shield,
           topology::Topology& topology, std::unique_ptr<brain::Reasoner> reasoner, EventHub& events,
           Metrics& metrics);
  ~Pipeline();

  void Schedule(int64_t incident_id);
  // Called (on the store's writer thread, keep it short) after a proposal is committed: the
  // approval engine takes it from there.
  void OnProposal(std::function<void(int64_t incident_id, int64_t proposal_id)> fn) {
    on_proposal_ = std::move(fn);
  }
  // Replays the incident's reasoning so far, then streams the rest live, ending with a
  // "proposal" event. A finished analysis is replayed from the store.
  void WatchThinking(int64_t incident_id, std::shared_ptr<EventStream> stream);
  void Stop();
  std::size_t pending() const;

 private:
  struct Transcript {
    std::vector<std::string> chunks;  // redacted reasoning chunks so far
    std::vector<std::shared_ptr<EventStream>> viewers;
    bool done = false;
  };
  void Worker();
  struct Finished {
    store::StoredAnalysis stored;
    std::optional<brain::Proposal> proposal;
    std::optional<notify::NotificationDraft> opened;  // told once, with the first analysis
    std::string reasoner;
    bool fallback = false;
  };
  // `changed`: when the first change this run covers was scheduled.
  absl::StatusOr<Finished> Analyze(int64_t incident_id, std::chrono::steady_clock::time_point changed);
  void Emit(int64_t incident_id, const std::string& chunk);

  const PipelineOptions options_;
  store::Store& store_;
  const privacy::Shield& shield_;
  topology::Topology& topology_;
  std::unique_ptr<brain::Reasoner> reasoner_;
  std::function<void(int64_t, int64_t)> on_proposal_;
  EventHub& events_;
  Metrics& metrics_;

  std::shared_ptr<const std::vector<analysis::Input::RelatedAlert>> RelatedAlerts(
      std::chrono::steady_clock::time_point changed);

  static constexpr std::chrono::milliseconds kRelatedAlertsTtl{1000};
  std::mutex related_mu_;  // guards the two below; taken alone, never with mu_
  std::shared_ptr<const std::vector<analysis::Input::RelatedAlert>> related_;
  std::chrono::steady_clock::time_point related_at_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  void EnqueueLocked(int64_t incident_id, std::chrono::steady_clock::time_point now);
  std::deque<int64_t> queue_;                                              // guarded by mu_: ready to run
  std::multimap<std::chrono::steady_clock::time_point, int64_t> delayed_;  // guarded by mu_: min_interval
  std::set<int64_t> queued_;  // guarded by mu_: in queue_ or delayed_
  std::map<int64_t, std::chrono::steady_clock::time_point> last_finished_;  // guarded by mu_
  std::set<int64_t> running_;                                               // guarded by mu_
  std::set<int64_t> dirty_;                              // guarded by mu_: changed while running
  std::map<int64_t, std::shared_ptr<Transcript>> live_;  // guarded by mu_
  // When the oldest change not yet covered by a finished analysis was scheduled (alert-to-proposal).
  std::map<int64_t, std::chrono::steady_clock::time_point> waiting_since_;  // guarded by mu_
  bool stopping_ = false;                                                   // guarded by mu_
  int saves_in_flight_ = 0;             // guarded by mu_: SaveAnalysis callbacks not yet run
  std::condition_variable saves_done_;  // saves_in_flight_ reached 0
  std::atomic<bool> cancel_{false};     // tells a running reasoner to give up (shutdown)
  std::vector<std::thread> workers_;
};

}  // namespace awoooi::server
