#include "server/pipeline.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "awoooi/analysis/analysis.h"
#include "spdlog/spdlog.h"

namespace awoooi::server {
namespace {
constexpr int64_t kMaxAlertsPerAnalysis = 50;
constexpr int64_t kMaxRelatedAlerts = 200;
}  // namespace

std::string WithProposalId(const std::string& document, int64_t proposal_id) {
  // The document is a JSON object: add the id of the proposal stored with it.
  auto end = document.rfind('}');
  if (end == std::string::npos) return document;
  std::string value = proposal_id > 0 ? std::to_string(proposal_id) : "null";
  return document.substr(0, end) + ",\"proposal_id\":" + value + document.substr(end);
}

Pipeline::Pipeline(PipelineOptions options, store::Store& store, const privacy::Shield& shield,
                   topology::Topology& topology, std::unique_ptr<brain::Reasoner> reasoner, EventHub& events,
                   Metrics& metrics)
    : options_(options),
      store_(store),
      shield_(shield),
      topology_(topology),
      reasoner_(std::move(reasoner)),
      events_(events),
      metrics_(metrics) {
  for (int i = 0; i < std::max(1, options_.workers); ++i) workers_.emplace_back([this] { Worker(); });
}

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cancel_.store(true);
  cv_.notify_all();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  workers_.clear();
  // Analyses handed to the store call back into this object once committed: wait for them.
  std::unique_lock<std::mutex> lock(mu_);
  saves_done_.wait(lock, [this] { return saves_in_flight_ == 0; });
}

std::size_t Pipeline::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + delayed_.size() + dirty_.size();
}

void Pipeline::EnqueueLocked(int64_t incident_id, std::chrono::steady_clock::time_point now) {
  queued_.insert(incident_id);
  auto last = last_finished_.find(incident_id);
  if (last != last_finished_.end() && now - last->second < options_.min_interval) {
    delayed_.emplace(last->second + options_.min_interval, incident_id);
  } else {
    queue_.push_back(incident_id);
  }
}

void Pipeline::Schedule(int64_t incident_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    waiting_since_.try_emplace(incident_id, std::chrono::steady_clock::now());
    if (running_.count(incident_id)) {
      dirty_.insert(incident_id);  // one follow-up run after the current one
      return;
    }
    if (queued_.count(incident_id)) return;  // the queued run will see the latest state
    EnqueueLocked(incident_id, std::chrono::steady_clock::now());
  }
  cv_.notify_one();
}

void Pipeline::Worker() {
  if (options_.nice > 0) {
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    int current = getpriority(PRIO_PROCESS, tid);
    if (errno == 0 && setpriority(PRIO_PROCESS, tid, std::min(19, current + options_.nice)) != 0)
      spdlog::warn("analysis workers keep the server's priority: setpriority failed (errno {})", errno);
  }
  for (;;) {
    int64_t id = 0;
    std::shared_ptr<Transcript> transcript;
    std::chrono::steady_clock::time_point run_waiting_since;
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (;;) {
        if (stopping_) return;
        auto now = std::chrono::steady_clock::now();
        while (!delayed_.empty() && delayed_.begin()->first <= now) {
          queue_.push_back(delayed_.begin()->second);
          delayed_.erase(delayed_.begin());
        }
        if (!queue_.empty()) break;
        if (delayed_.empty())
          cv_.wait(lock);
        else {
          // A copy: while this thread waits another one may erase that entry.
          const auto until = delayed_.begin()->first;
          cv_.wait_until(lock, until);
        }
      }
      id = queue_.front();
      queue_.pop_front();
      queued_.erase(id);
      // This run covers every change scheduled so far.
      if (auto w = waiting_since_.find(id); w != waiting_since_.end()) {
        run_waiting_since = w->second;
        waiting_since_.erase(w);
      } else {
        run_waiting_since = std::chrono::steady_clock::now();
      }
      running_.insert(id);
      transcript = std::make_shared<Transcript>();
      // Viewers of a previous run keep watching the new one.
      if (auto it = live_.find(id); it != live_.end()) transcript->viewers = std::move(it->second->viewers);
      live_[id] = transcript;
    }
    auto started = std::chrono::steady_clock::now();
    auto result = Analyze(id, run_waiting_since);
    std::vector<std::shared_ptr<EventStream>> viewers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      running_.erase(id);
      transcript->done = true;
      viewers = transcript->viewers;
      auto now = std::chrono::steady_clock::now();
      if (last_finished_.size() > 100'000) {
        std::erase_if(last_finished_, [&](const auto& e) { return now - e.second >= options_.min_interval; });
      }
      last_finished_[id] = now;
      if (dirty_.erase(id) && !stopping_) {
        EnqueueLocked(id, now);
        cv_.notify_one();
      } else {
        live_.erase(id);
      }
    }
    if (!result.ok()) {
      spdlog::warn("analysis of incident {} failed: {}", id, std::string(result.status().message()));
      for (auto& v : viewers) {
        v->Send("error", "{\"message\":\"analysis failed\"}");
        v->Close();
      }
      continue;
    }
    // The proposal is announced once it is committed; the worker moves on meanwhile.
    auto finished = std::make_shared<Finished>(std::move(*result));
    std::string json = finished->stored.json;
    int64_t version = finished->stored.incident_version;
    int64_t parent = finished->stored.parent_incident_id;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++saves_in_flight_;  // Stop() waits for this callback: it runs on the store's writer thread
    }
    store_.SaveAnalysis(
        std::move(finished->stored), std::move(finished->proposal),
        [this, id, version, parent, json = std::move(json), viewers, finished, started,
         run_waiting_since](absl::StatusOr<int64_t> proposal_id) {
          // The last thing this callback does is tell Stop() it is done with the pipeline.
          struct Finish {
            Pipeline* p;
            ~Finish() {
              std::lock_guard<std::mutex> lock(p->mu_);
              if (--p->saves_in_flight_ == 0) p->saves_done_.notify_all();
            }
          } finish{this};
          auto now = std::chrono::steady_clock::now();
          if (!proposal_id.ok()) {
            spdlog::warn("analysis of incident {} was not stored: {}", id,
                         std::string(proposal_id.status().message()));
            for (auto& v : viewers) {
              v->Send("error", "{\"message\":\"analysis not stored\"}");
              v->Close();
            }
            return;
          }
          metrics_.ObserveAnalysis(finished->reasoner, finished->fallback,
                                   std::chrono::duration<double>(now - started).count());
          metrics_.ObserveAlertToProposal(std::chrono::duration<double>(now - run_waiting_since).count());
          std::string doc = WithProposalId(json, *proposal_id);
          for (auto& v : viewers) {
            v->Send("proposal", doc);
            v->Close();
          }
          events_.Publish("incident.analysis",
                          absl::StrCat("{\"incident_id\":", id, ",\"version\":", version, "}"));
          if (parent > 0) {
            events_.Publish("incident.linked",
                            absl::StrCat("{\"incident_id\":", id, ",\"parent_id\":", parent, "}"));
          }
          if (on_proposal_ && *proposal_id > 0) on_proposal_(id, *proposal_id);
        },
        std::move(finished->opened));
  }
}

void Pipeline::Emit(int64_t incident_id, const std::string& chunk) {
  std::vector<std::shared_ptr<EventStream>> viewers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(incident_id);
    if (it == live_.end()) return;
    it->second->chunks.push_back(chunk);
    viewers = it->second->viewers;
  }
  for (auto& v : viewers) v->Send("thinking", chunk);
}

std::shared_ptr<const std::vector<analysis::Input::RelatedAlert>> Pipeline::RelatedAlerts(
    std::chrono::steady_clock::time_point changed) {
  // Under an alert storm hundreds of analyses a second would each read (and parse) the same 200
  // rows: one read serves them all. A list is reused only if it was read after the change that
  // scheduled this analysis (so alerts committed with or before that change are in it, e.g. the
  // database's alert that arrived with the frontend's), and is never older than kRelatedAlertsTtl.
  std::lock_guard<std::mutex> lock(related_mu_);
  auto now = std::chrono::steady_clock::now();
  if (related_ && related_at_ >= changed && now - related_at_ < kRelatedAlertsTtl) return related_;
  auto active = store_.ActiveAlerts(kMaxRelatedAlerts);
  if (!active.ok()) return nullptr;  // related alerts are context only
  auto fresh = std::make_shared<std::vector<analysis::Input::RelatedAlert>>();
  fresh->reserve(active->size());
  for (auto& a : *active) fresh->push_back({a.incident_id, std::move(a.alert)});
  related_ = std::move(fresh);
  related_at_ = now;  // taken before the read: the list holds at least what was committed by then
  return related_;
}

absl::StatusOr<Pipeline::Finished> Pipeline::Analyze(int64_t incident_id,
                                                     std::chrono::steady_clock::time_point changed) {
  // The most recent alerts are enough to reason about; a storm of thousands adds nothing.
  auto detail = store_.GetIncident(incident_id, kMaxAlertsPerAnalysis);
  if (!detail.ok()) return detail.status();
  // A snapshot: raw values in a model's answer get foreign labels, never ones ingestion could mint.
  auto opened = store::OpenIncidentVault(store_, shield_, incident_id);
  if (!opened.ok()) return opened.status();
  privacy::Vault vault = std::move(*opened);
  analysis::Input in;
  in.incident_id = incident_id;
  in.incident_version = detail->incident.version;
  in.service = detail->incident.service;
  in.alertname = detail->incident.alertname;
  in.severity = detail->incident.severity;
  for (auto& a : detail->alerts) in.alerts.push_back(std::move(a.alert));
  in.related_alerts = RelatedAlerts(changed);
  in.open_incident_of = [this](const std::string& service) -> int64_t {
    auto id = store_.OpenIncidentOf(service);
    return id.ok() ? *id : 0;
  };
  analysis::Options opts;
  opts.depth = options_.depth;
  opts.context_budget_chars = options_.context_budget_chars;
  opts.catalog = options_.catalog;
  opts.cancel = &cancel_;
  std::string thinking;
  auto out =
      analysis::Analyze(in, opts, vault, shield_, topology_, *reasoner_, [&](const privacy::Redacted& chunk) {
        thinking += chunk.str();
        Emit(incident_id, chunk.str());
      });
  if (!out.ok()) return out.status();
  Finished f;
  f.stored.incident_id = incident_id;
  f.stored.incident_version = in.incident_version;
  f.stored.json = analysis::RenderDocument(in, *out);
  f.stored.thinking = std::move(thinking);
  f.stored.parent_incident_id = out->parent_incident_id;
  f.reasoner = out->reasoner;
  f.fallback = out->fallback;
  f.opened = analysis::OpenedNotification(in, *out);
  f.proposal = std::move(out->proposal);
  return f;
}

void Pipeline::WatchThinking(int64_t incident_id, std::shared_ptr<EventStream> stream) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(incident_id);
    if (it != live_.end() && !it->second->done) {
      for (const auto& chunk : it->second->chunks) stream->Send("thinking", chunk);
      it->second->viewers.push_back(stream);
      return;
    }
    if (queued_.count(incident_id)) {
      // Queued but not started: watch the run when it starts.
      auto t = std::make_shared<Transcript>();
      t->viewers.push_back(stream);
      live_[incident_id] = t;
      return;
    }
  }
  // Finished: replay the stored transcript and the proposal.
  auto analysis = store_.GetAnalysis(incident_id);
  if (!analysis.ok()) {
    stream->Send("error", "{\"message\":\"no analysis yet\"}");
    stream->Close();
    return;
  }
  if (!analysis->thinking.empty()) stream->Send("thinking", analysis->thinking);
  stream->Send("proposal", WithProposalId(analysis->json, analysis->proposal_id));
  stream->Close();
}

}  // namespace awoooi::server
