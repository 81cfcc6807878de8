#include "plugins/stores/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "ingest/grouping.h"
#include "plugins/stores/sqlite/sqlite_db.h"

namespace awoooi::store {
namespace {

// Replaces one known address, so tests can see that stored text is the redactor's output. Its "vault" holds
// one record per incident, "vault-of-N", written the first time the incident is seen.
class ReplacingRedactor : public AlertRedactor {
 public:
  absl::Status Redact(int64_t incident_id, Alert& alert, const LoadVaultRecords& load) override {
    auto records = load(incident_id);
    if (!records.ok()) return records.status();
    if (alert.labels.count("poison")) return absl::DataLossError("the vault does not open");
    for (auto* m : {&alert.labels, &alert.annotations}) {
      for (auto& [k, v] : *m) {
        for (size_t p; (p = v.find("10.0.0.1")) != std::string::npos;) v.replace(p, 8, "[IP_1]");
      }
    }
    if (records->empty() && !changed_.count(incident_id)) {
      changed_[incident_id] = VaultAppend{incident_id, 0, {"vault-of-" + std::to_string(incident_id)}};
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<VaultAppend>> TakeChangedVaults() override {
    std::vector<VaultAppend> out;
    for (auto& [id, append] : changed_) out.push_back(std::move(append));
    changed_.clear();
    return out;
  }
  void Discard() override { changed_.clear(); }
  void Forget(int64_t incident_id) override { changed_.erase(incident_id); }
  absl::StatusOr<std::vector<std::string>> UpgradeLegacyVault(int64_t incident_id,
                                                              std::string_view sealed) override {
    if (sealed == "unreadable") return absl::InvalidArgumentError("failed authentication");
    return std::vector<std::string>{absl::StrCat("upgraded-", incident_id, "-a:", std::string(sealed)),
                                    absl::StrCat("upgraded-", incident_id, "-b")};
  }

 private:
  std::map<int64_t, VaultAppend> changed_;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("awoooi_store_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    options_.path = (dir_ / "awoooi.db").string();
    Open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    store_.reset();
    auto s = OpenSqliteStore(options_, std::make_unique<ReplacingRedactor>());
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }

  static Alert MakeAlert(std::string service, std::string name, AlertStatus status,
                         std::string instance = "a") {
    Alert a;
    a.labels = {{"alertname", name}, {"service", service}, {"instance", instance}, {"severity", "critical"}};
    a.annotations = {{"summary", "error rate high on 10.0.0.1"}};
    a.status = status;
    a.starts_at = absl::FromUnixSeconds(1'700'000'000);
    if (status == AlertStatus::kResolved) a.ends_at = absl::FromUnixSeconds(1'700'000'600);
    a.fingerprint = LabelFingerprint(a.labels);
    a.source = "test";
    return a;
  }

  absl::StatusOr<IngestResult> IngestSync(std::vector<Alert> alerts) {
    std::promise<absl::StatusOr<IngestResult>> p;
    auto f = p.get_future();
    store_->Ingest(ingest::PrepareItems(std::move(alerts), {}),
                   [&p](absl::StatusOr<IngestResult> r) { p.set_value(std::move(r)); });
    return f.get();
  }

  std::filesystem::path dir_;
  SqliteOptions options_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, AcknowledgedAlertSurvivesReopen) {
  auto r = IngestSync({MakeAlert("frontend", "HighErrorRate", AlertStatus::kFiring)});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->outcomes.size(), 1u);
  EXPECT_TRUE(r->outcomes[0].incident_opened);
  int64_t id = r->outcomes[0].incident_id;
  Open();
  auto d = store_->GetIncident(id, 0);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->incident.status, IncidentStatus::kFiring);
  EXPECT_EQ(d->incident.service, "frontend");
  EXPECT_EQ(d->incident.severity, "critical");
  ASSERT_EQ(d->alerts.size(), 1u);
  EXPECT_EQ(d->alerts[0].alert.Label("alertname"), "HighErrorRate");
}

TEST_F(SqliteStoreTest, StoresOnlyTheRedactorsTextAndItsVault) {
  auto r = IngestSync({MakeAlert("frontend", "HighErrorRate", AlertStatus::kFiring)});
  ASSERT_TRUE(r.ok());
  auto d = store_->GetIncident(r->outcomes[0].incident_id, 0);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->alerts[0].alert.annotations.at("summary"), "error rate high on [IP_1]");
  EXPECT_EQ(d->incident.title, "error rate high on [IP_1]");
  auto vault = store_->GetVaultRecords(r->outcomes[0].incident_id);
  ASSERT_TRUE(vault.ok());
  EXPECT_EQ(*vault, std::vector<std::string>{"vault-of-" + std::to_string(r->outcomes[0].incident_id)});
}

TEST_F(SqliteStoreTest, SameAlertResentUpdatesInsteadOfDuplicating) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(IngestSync({MakeAlert("api", "Down", AlertStatus::kFiring)}).ok());
  auto list = store_->ListIncidents({});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  auto d = store_->GetIncident((*list)[0].incident.id, 0);
  ASSERT_EQ(d->alerts.size(), 1u);
  EXPECT_EQ(d->alerts[0].receive_count, 3);
  EXPECT_EQ(d->incident.alert_count, 1);
}

TEST_F(SqliteStoreTest, IncidentResolvesWhenAllItsAlertsResolveAndReopensOnNewFiring) {
  auto a = MakeAlert("api", "Down", AlertStatus::kFiring, "pod-1");
  auto b = MakeAlert("api", "Down", AlertStatus::kFiring, "pod-2");
  auto r = IngestSync({a, b});
  ASSERT_TRUE(r.ok());
  int64_t id = r->outcomes[0].incident_id;
  EXPECT_EQ(r->outcomes[1].incident_id, id);
  ASSERT_TRUE(IngestSync({MakeAlert("api", "Down", AlertStatus::kResolved, "pod-1")}).ok());
  EXPECT_EQ(store_->GetIncident(id, 0)->incident.status, IncidentStatus::kFiring);
  auto resolved = IngestSync({MakeAlert("api", "Down", AlertStatus::kResolved, "pod-2")});
  ASSERT_TRUE(resolved.ok());
  EXPECT_TRUE(resolved->outcomes[0].incident_resolved);
  auto d = store_->GetIncident(id, 0);
  EXPECT_EQ(d->incident.status, IncidentStatus::kResolved);
  EXPECT_NE(d->incident.resolved_at, absl::InfinitePast());

  auto again = MakeAlert("api", "Down", AlertStatus::kFiring, "pod-1");
  again.starts_at = absl::FromUnixSeconds(1'700'001'000);  // a new occurrence, after the resolve
  auto reopened = IngestSync({again});
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE(reopened->outcomes[0].incident_reopened);
  EXPECT_EQ(reopened->outcomes[0].incident_id, id);
  EXPECT_EQ(store_->GetIncident(id, 0)->incident.status, IncidentStatus::kFiring);
}

TEST_F(SqliteStoreTest, FiringAfterTheReopenWindowOpensANewIncident) {
  options_.lifecycle.reopen_window = absl::ZeroDuration();
  Open();
  auto first = IngestSync({MakeAlert("api", "Down", AlertStatus::kFiring)});
  ASSERT_TRUE(IngestSync({MakeAlert("api", "Down", AlertStatus::kResolved)}).ok());
  auto again = MakeAlert("api", "Down", AlertStatus::kFiring);
  again.starts_at = absl::FromUnixSeconds(1'700'002'000);
  auto second = IngestSync({again});
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->outcomes[0].incident_opened);
  EXPECT_NE(second->outcomes[0].incident_id, first->outcomes[0].incident_id);
}

TEST_F(SqliteStoreTest, StaleFiringDeliveryDoesNotUndoAResolve) {
  ASSERT_TRUE(IngestSync({MakeAlert("api", "Down", AlertStatus::kFiring)}).ok());
  auto r = IngestSync({MakeAlert("api", "Down", AlertStatus::kResolved)});
  ASSERT_TRUE(r.ok());
  // A retry of the old firing notification (same startsAt) arrives late.
  auto late = IngestSync({MakeAlert("api", "Down", AlertStatus::kFiring)});
  ASSERT_TRUE(late.ok());
  auto d = store_->GetIncident(r->outcomes[0].incident_id, 0);
  EXPECT_EQ(d->incident.status, IncidentStatus::kResolved);
  EXPECT_EQ(d->alerts[0].alert.status, AlertStatus::kResolved);
}

TEST_F(SqliteStoreTest, DifferentServicesGroupIntoDifferentIncidentsAndFilter) {
  ASSERT_TRUE(IngestSync({MakeAlert("api", "Down", AlertStatus::kFiring),
                          MakeAlert("db", "Down", AlertStatus::kFiring),
                          MakeAlert("db", "DiskFull", AlertStatus::kResolved)})
                  .ok());
  EXPECT_EQ(store_->ListIncidents({})->size(), 3u);
  IncidentFilter f;
  f.service = "db";
  EXPECT_EQ(store_->ListIncidents(f)->size(), 2u);
  f.status = IncidentStatus::kFiring;
  EXPECT_EQ(store_->ListIncidents(f)->size(), 1u);
  IncidentFilter page;
  page.limit = 2;
  auto p1 = store_->ListIncidents(page);
  ASSERT_EQ(p1->size(), 2u);
  page.before_id = p1->back().incident.id;
  EXPECT_EQ(store_->ListIncidents(page)->size(), 1u);
  EXPECT_EQ(store_->Stats()->open_incidents, 2);
}

TEST_F(SqliteStoreTest, ConcurrentIngestSharesCommitsAndLosesNothing) {
  constexpr int kThreads = 8, kPerThread = 200;
  std::atomic<int> ok{0};
  std::atomic<int64_t> max_batch{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = IngestSync(
            {MakeAlert("svc-" + std::to_string(t), "A" + std::to_string(i), AlertStatus::kFiring)});
        if (r.ok()) {
          ++ok;
          int64_t b = r->batch_size;
          int64_t cur = max_batch.load();
          while (b > cur && !max_batch.compare_exchange_weak(cur, b)) {
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(store_->Stats()->incidents, kThreads * kPerThread);
  EXPECT_GT(max_batch.load(), 1) << "concurrent requests should share a transaction";
}

// Requests queued together share a transaction; one whose alert cannot be applied fails alone.
TEST_F(SqliteStoreTest, OneBadRequestFailsAloneAndItsBatchCommits) {
  constexpr int kRequests = 60;
  std::vector<std::promise<absl::StatusOr<IngestResult>>> promises(kRequests);
  std::vector<std::future<absl::StatusOr<IngestResult>>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  for (int i = 0; i < kRequests; ++i) {
    std::vector<Alert> alerts = {MakeAlert("svc-" + std::to_string(i), "A", AlertStatus::kFiring)};
    if (i % 20 == 7) {
      // A second alert that fails after the first one of the same request opened its incident.
      Alert bad = MakeAlert("bad-" + std::to_string(i), "B", AlertStatus::kFiring);
      bad.labels["poison"] = "1";
      alerts.push_back(bad);
    }
    store_->Ingest(ingest::PrepareItems(std::move(alerts), {}),
                   [&promises, i](absl::StatusOr<IngestResult> r) {
                     // A status of its own (not one sharing the writer's reference-counted
                     // message): Debian's Abseil is not instrumented, so TSan cannot see its
                     // atomic reference count.
                     if (!r.ok()) r = absl::Status(r.status().code(), std::string(r.status().message()));
                     promises[i].set_value(std::move(r));
                   });
  }
  int failed = 0;
  int64_t max_batch = 0;
  for (int i = 0; i < kRequests; ++i) {
    auto r = futures[i].get();
    if (i % 20 == 7) {
      ++failed;
      EXPECT_TRUE(absl::IsUnavailable(r.status())) << r.status();
      EXPECT_NE(r.status().message().find("vault does not open"), std::string::npos) << r.status();
    } else {
      ASSERT_TRUE(r.ok()) << "request " << i << ": " << r.status();
      max_batch = std::max(max_batch, r->batch_size);
    }
  }
  EXPECT_GT(max_batch, 1) << "the requests should have shared transactions";
  // Nothing of a failed request is stored, not even the first alert's incident.
  EXPECT_EQ(store_->Stats()->incidents, kRequests - failed);
  IncidentFilter all;
  all.limit = 1000;
  auto list = store_->ListIncidents(all);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), static_cast<size_t>(kRequests - failed));
  for (const auto& row : *list) {
    EXPECT_EQ(row.incident.service.rfind("bad-", 0), std::string::npos) << row.incident.service;
    for (int i = 7; i < kRequests; i += 20)
      EXPECT_NE(row.incident.service, "svc-" + std::to_string(i)) << "a failed request left its incident";
  }
  // The store keeps going.
  ASSERT_TRUE(IngestSync({MakeAlert("after", "A", AlertStatus::kFiring)}).ok());
}

TEST_F(SqliteStoreTest, UsersAndTokenHashes) {
  auto u = store_->AddUser("alice", Role::kDevops);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(store_->AddUser("alice", Role::kSre).status().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(store_->AddToken(u->id, "abc123").ok());
  auto found = store_->UserByTokenHash("abc123");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->name, "alice");
  EXPECT_EQ(found->role, Role::kDevops);
  EXPECT_EQ(store_->UserByTokenHash("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, ClosedStoreRejectsIngestAndReportsNotReady) {
  store_->Close();
  EXPECT_EQ(IngestSync({MakeAlert("api", "Down", AlertStatus::kFiring)}).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_FALSE(store_->Ping().ok());
}

// A data directory from before vault records holds one sealed blob per incident in `vaults`: opening
// the store re-seals each into records of its incident and deletes the blob; a blob that does not
// open (another key) stops the store with a clear error instead of losing the values.
TEST_F(SqliteStoreTest, OldVaultBlobsAreUpgradedToRecordsWhenTheStoreOpens) {
  auto r = IngestSync({MakeAlert("api", "Down", AlertStatus::kFiring)});
  ASSERT_TRUE(r.ok());
  const int64_t id = r->outcomes[0].incident_id;
  store_.reset();
  auto put_legacy = [&](const std::string& blob) {
    auto db = sqlite::Db::Open(options_.path, false);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(db->Exec("DELETE FROM vault_records").ok());
    auto st = db->Prepare("INSERT INTO vaults (incident_id, sealed, updated_at) VALUES (?1, ?2, 'x')");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(st->Bind(1, id).BindBlob(2, blob).Run().ok());
  };
  put_legacy("unreadable");
  auto refused = OpenSqliteStore(options_, std::make_unique<ReplacingRedactor>());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("vault key"), std::string::npos) << refused.status();
  {
    auto db = sqlite::Db::Open(options_.path, false);
    ASSERT_TRUE(db->Exec("DELETE FROM vaults").ok());
  }
  put_legacy("old-blob");
  Open();
  auto records = store_->GetVaultRecords(id);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_EQ(*records, (std::vector<std::string>{absl::StrCat("upgraded-", id, "-a:old-blob"),
                                                absl::StrCat("upgraded-", id, "-b")}));
  store_.reset();
  auto db = sqlite::Db::Open(options_.path, false);
  auto left = db->Prepare("SELECT count(*) FROM vaults");
  ASSERT_TRUE(left.ok());
  ASSERT_TRUE(*left->Step());
  EXPECT_EQ(left->Int(0), 0);
}

TEST_F(SqliteStoreTest, MigrationsAreAppliedOnce) {
  auto again = MigrateSqlite(options_.path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

}  // namespace
}  // namespace awoooi::store

namespace awoooi::store {
namespace {

TEST_F(SqliteStoreTest, AnalysisIsReadableOnceItsCallbackReportsTheCommit) {
  auto r = IngestSync({MakeAlert("api", "Down", AlertStatus::kFiring)});
  ASSERT_TRUE(r.ok());
  int64_t id = r->outcomes[0].incident_id;
  EXPECT_EQ(store_->GetAnalysis(id).status().code(), absl::StatusCode::kNotFound);
  StoredAnalysis a;
  a.incident_id = id;
  a.incident_version = 1;
  a.json = R"({"proposal":null})";
  a.thinking = "1. step";
  std::promise<absl::StatusOr<int64_t>> done;
  store_->SaveAnalysis(a, std::nullopt, [&done](absl::StatusOr<int64_t> s) { done.set_value(s); });
  auto saved = done.get_future().get();
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(*saved, 0);  // no proposal
  auto got = store_->GetAnalysis(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->json, a.json);
  EXPECT_EQ(got->thinking, "1. step");
  // A write that fails (here: a duplicate user) does not undo the alerts committed beside it.
  ASSERT_TRUE(store_->AddUser("erin", Role::kSre).ok());
  EXPECT_FALSE(store_->AddUser("erin", Role::kSre).ok());
  EXPECT_TRUE(store_->GetIncident(id, 0).ok());
}

TEST_F(SqliteStoreTest, AProposalIsStoredAsRowsWithTypedActionsAndTheirHashes) {
  auto r = IngestSync(
      {MakeAlert("api", "Down", AlertStatus::kFiring), MakeAlert("db", "Down", AlertStatus::kFiring)});
  ASSERT_TRUE(r.ok());
  int64_t id = r->outcomes[0].incident_id, parent = r->outcomes[1].incident_id;
  ASSERT_NE(id, parent);
  brain::Proposal p;
  p.summary = privacy::Redacted::Literal("restart the database");
  p.root_cause.service = privacy::Redacted::Literal("db");
  p.root_cause.kind = "database";
  p.reasoner = "playbook";
  p.confidence = 0.8;
  action::Draft d;
  d.kind = "scale";
  d.target = privacy::Redacted::Literal("db");
  d.params["replicas"] = privacy::Redacted::Literal("3");
  auto scale = action::Build(d);
  ASSERT_TRUE(scale.ok());
  p.actions.push_back({*scale, ""});
  action::Draft inv;
  inv.kind = "investigate";
  p.actions.push_back(
      {*action::Build(inv), "restart_pod was not proposed: target: must be a Kubernetes name"});
  StoredAnalysis a;
  a.incident_id = id;
  a.incident_version = 1;
  a.json = "{}";
  a.parent_incident_id = parent;
  std::promise<absl::StatusOr<int64_t>> done;
  store_->SaveAnalysis(a, p, [&done](absl::StatusOr<int64_t> s) { done.set_value(s); });
  auto proposal_id = done.get_future().get();
  ASSERT_TRUE(proposal_id.ok()) << proposal_id.status();
  ASSERT_GT(*proposal_id, 0);

  auto got = store_->GetProposal(*proposal_id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->incident_id, id);
  EXPECT_EQ(got->summary, "restart the database");
  ASSERT_EQ(got->actions.size(), 2u);
  EXPECT_EQ(got->actions[0].kind, "scale");
  EXPECT_EQ(got->actions[0].params.at("replicas"), "3");
  EXPECT_EQ(got->actions[0].ns, "default");
  EXPECT_EQ(got->actions[0].action_hash, scale->hash());
  EXPECT_EQ(got->actions[0].validation, "valid");
  EXPECT_EQ(got->actions[1].validation, "restart_pod was not proposed: target: must be a Kubernetes name");
  EXPECT_EQ(store_->ListProposals(id, 10)->size(), 1u);
  EXPECT_EQ(store_->GetProposal(*proposal_id + 100).status().code(), absl::StatusCode::kNotFound);

  // The correlation link is on the incident and in the analysis; "I'm on it" is recorded.
  EXPECT_EQ(store_->GetIncident(id, 0)->meta.parent_id, parent);
  EXPECT_EQ(store_->GetAnalysis(id)->proposal_id, *proposal_id);
  auto acked = store_->AcknowledgeIncident(id, "alice");
  ASSERT_TRUE(acked.ok());
  EXPECT_EQ(acked->meta.acknowledged_by, "alice");
  EXPECT_EQ(store_->AcknowledgeIncident(99999, "alice").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*store_->OpenIncidentOf("db"), parent);
  EXPECT_EQ(*store_->OpenIncidentOf("nothing"), 0);
}

}  // namespace
}  // namespace awoooi::store

// ---- Retention (store.retention_days).

namespace awoooi::store {
namespace {

class RetentionTest : public SqliteStoreTest {
 protected:
  // Opens an incident for `service` that fires and resolves; returns its id.
  int64_t ResolvedIncident(const std::string& service) {
    auto fired = IngestSync({MakeAlert(service, "Down", AlertStatus::kFiring, "pod-1"),
                             MakeAlert(service, "Down", AlertStatus::kFiring, "pod-2")});
    EXPECT_TRUE(fired.ok()) << fired.status();
    auto resolved = IngestSync({MakeAlert(service, "Down", AlertStatus::kResolved, "pod-1"),
                                MakeAlert(service, "Down", AlertStatus::kResolved, "pod-2")});
    EXPECT_TRUE(resolved.ok()) << resolved.status();
    EXPECT_TRUE(resolved->outcomes[1].incident_resolved);
    return fired->outcomes[0].incident_id;
  }

  int64_t FiringIncident(const std::string& service) {
    auto fired = IngestSync({MakeAlert(service, "Down", AlertStatus::kFiring)});
    EXPECT_TRUE(fired.ok()) << fired.status();
    return fired->outcomes[0].incident_id;
  }

  // Saves an analysis with a proposal of one scale action; returns the proposal's id.
  int64_t Analyse(int64_t incident_id) {
    brain::Proposal p;
    p.summary = privacy::Redacted::Literal("scale it");
    p.reasoner = "playbook";
    action::Draft d;
    d.kind = "scale";
    d.target = privacy::Redacted::Literal("api");
    d.params["replicas"] = privacy::Redacted::Literal("3");
    auto scale = action::Build(d);
    EXPECT_TRUE(scale.ok());
    p.actions.push_back({*scale, ""});
    StoredAnalysis a;
    a.incident_id = incident_id;
    a.incident_version = 1;
    a.json = "{}";
    std::promise<absl::StatusOr<int64_t>> done;
    store_->SaveAnalysis(a, p, [&done](absl::StatusOr<int64_t> s) { done.set_value(s); });
    auto id = done.get_future().get();
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(0);
  }

  // Makes the incident's last activity `days` old, as if it had been quiet since.
  void Age(int64_t incident_id, int days) {
    auto db = sqlite::Db::Open(options_.path, false);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA busy_timeout=5000").ok());
    auto st = db->Prepare("UPDATE incidents SET updated_at = ?2 WHERE id = ?1");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(
        st->Bind(1, incident_id).Bind(2, FormatRfc3339(absl::Now() - absl::Hours(24) * days)).Run().ok());
  }

  // Rows of `table` whose `column` is `id`, read with a connection of the test's own.
  int64_t Rows(const std::string& table, const std::string& column, int64_t id) {
    auto db = sqlite::Db::Open(options_.path, false);
    EXPECT_TRUE(db.ok());
    auto st = db->Prepare("SELECT count(*) FROM " + table + " WHERE " + column + " = ?1");
    EXPECT_TRUE(st.ok());
    st->Bind(1, id);
    EXPECT_TRUE(*st->Step());
    return st->Int(0);
  }

  absl::StatusOr<PruneResult> Prune(int64_t batch, std::function<bool()> keep_going = nullptr) {
    PruneRequest r;
    r.cutoff = absl::Now() - absl::Hours(24) * 30;
    r.batch_incidents = batch;
    r.keep_going = std::move(keep_going);
    return store_->PruneResolved(r);
  }

  std::vector<audit::Entry> PruneEntries() {
    auto entries = store_->ListAudit({"retention.pruned", "", 100, 0});
    EXPECT_TRUE(entries.ok());
    return entries.value_or(std::vector<audit::Entry>{});
  }
};

TEST_F(RetentionTest, OldResolvedIncidentGoesWithAllItsRowsWhileFiringRecentAndApprovedOnesStay) {
  int64_t old = ResolvedIncident("old");
  int64_t old_proposal = Analyse(old);
  int64_t firing = FiringIncident("still-firing");
  int64_t recent = ResolvedIncident("recent");
  int64_t approved = ResolvedIncident("approved");
  int64_t approved_proposal = Analyse(approved);
  int64_t newest = FiringIncident("newest");
  Analyse(newest);  // the newest proposal and action ids are not the approved incident's
  auto proposal = store_->GetProposal(approved_proposal);
  ASSERT_TRUE(proposal.ok());
  ApprovalRecord rec;
  rec.incident_id = approved;
  rec.proposal_id = approved_proposal;
  rec.action.id = proposal->actions[0].id;
  rec.status = "pending";
  rec.expires_at = absl::Now() + absl::Hours(1);
  ASSERT_TRUE(
      store_->CreateApproval(rec, std::nullopt, {AuditDraft{"approval.requested", "system", ""}}).ok());
  // The old incident's correlated child stays (it is firing) and loses its link.
  StoredAnalysis child;
  child.incident_id = firing;
  child.incident_version = 1;
  child.json = "{}";
  child.parent_incident_id = old;
  std::promise<absl::StatusOr<int64_t>> linked;
  store_->SaveAnalysis(child, std::nullopt, [&linked](absl::StatusOr<int64_t> s) { linked.set_value(s); });
  ASSERT_TRUE(linked.get_future().get().ok());
  for (int64_t id : {old, firing, approved}) Age(id, 90);
  ASSERT_GT(Rows("vault_records", "incident_id", old), 0);
  ASSERT_GT(Rows("actions", "proposal_id", old_proposal), 0);

  auto pruned = Prune(500);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(pruned->incidents, 1);
  EXPECT_EQ(pruned->alerts, 2);
  EXPECT_EQ(pruned->kept, 1);

  EXPECT_EQ(store_->GetIncident(old, 0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetAnalysis(old).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetProposal(old_proposal).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetVaultRecords(old).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Rows("alerts", "incident_id", old), 0);
  EXPECT_EQ(Rows("actions", "proposal_id", old_proposal), 0);
  EXPECT_EQ(Rows("analyses", "incident_id", old), 0);
  EXPECT_EQ(Rows("vault_records", "incident_id", old), 0);

  for (int64_t id : {firing, recent, approved, newest}) {
    auto d = store_->GetIncident(id, 0);
    ASSERT_TRUE(d.ok()) << id << ": " << d.status();
    EXPECT_FALSE(d->alerts.empty());
    EXPECT_TRUE(store_->GetVaultRecords(id).ok());
  }
  EXPECT_EQ(store_->GetIncident(firing, 0)->meta.parent_id, 0);
  EXPECT_EQ(store_->GetProposal(approved_proposal)->actions.size(), 1u);
  EXPECT_EQ(store_->ListApprovals({})->size(), 1u);

  auto entries = PruneEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].actor, "system");
  EXPECT_NE(entries[0].detail.find("\"incidents\":1,\"alerts\":2,\"kept_with_approvals\":1"),
            std::string::npos)
      << entries[0].detail;

  // A second pass finds nothing more and says nothing.
  auto again = Prune(500);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->incidents, 0);
  EXPECT_EQ(PruneEntries().size(), 1u);
}

TEST_F(RetentionTest, APassWorksInBoundedBatchesAndAppendsOneAuditEntry) {
  std::vector<int64_t> old;
  for (int i = 0; i < 10; ++i) old.push_back(ResolvedIncident("svc-" + std::to_string(i)));
  FiringIncident("newest");
  for (int64_t id : old) Age(id, 60);

  // Stopped after two batches of at most 4: exactly 8 went, and the entry says it stopped.
  int asked = 0;
  auto stopped = Prune(4, [&asked] { return ++asked < 2; });
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(stopped->incidents, 8);
  EXPECT_EQ(stopped->batches, 2);
  ASSERT_EQ(PruneEntries().size(), 1u);
  EXPECT_NE(PruneEntries()[0].detail.find("\"outcome\":\"stopped\""), std::string::npos);

  auto rest = Prune(4);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->incidents, 2);
  EXPECT_EQ(rest->batches, 1);
  EXPECT_EQ(PruneEntries().size(), 2u);
  EXPECT_EQ(store_->ListIncidents({})->size(), 1u);
}

TEST_F(RetentionTest, IngestionRunsBetweenBatchesAndIdsAreNeverReused) {
  std::vector<int64_t> old;
  for (int i = 0; i < 6; ++i) old.push_back(ResolvedIncident("svc-" + std::to_string(i)));
  for (int64_t id : old) Age(id, 60);

  // Between batches, alerts are ingested and committed while the pass is still under way.
  std::vector<int64_t> during;
  auto pruned = Prune(2, [&] {
    auto r = IngestSync({MakeAlert("during-" + std::to_string(during.size()), "Down", AlertStatus::kFiring)});
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) during.push_back(r->outcomes[0].incident_id);
    return true;
  });
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(pruned->incidents, 6);
  EXPECT_GE(during.size(), 3u);
  for (int64_t id : during) EXPECT_TRUE(store_->GetIncident(id, 0).ok());

  // The newest incident is kept when it is old too, so the next incident gets a new id.
  int64_t newest = during.back();
  Age(newest, 60);
  ASSERT_TRUE(IngestSync({MakeAlert(store_->GetIncident(newest, 0)->incident.service, "Down",
                                    AlertStatus::kResolved)})
                  .ok());
  Age(newest, 60);
  auto second = Prune(100);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(store_->GetIncident(newest, 0).ok());
  int64_t next = FiringIncident("svc-0");  // a group whose incident was pruned
  EXPECT_GT(next, newest);
}

}  // namespace
}  // namespace awoooi::store

namespace awoooi::store {
namespace {

// The writer appends to the WAL; another thread copies it into the database file. Pages reach the
// database file only through a checkpoint, so the file growing while the WAL is still far below the
// writer's own threshold (8,000 frames) shows the background checkpoint ran.
TEST_F(SqliteStoreTest, TheWalIsCheckpointedInTheBackgroundWhileTheWriterGoesOn) {
  const auto db_file = dir_ / "awoooi.db";
  const auto wal_file = dir_ / "awoooi.db-wal";
  const auto frames = [&] {
    std::error_code ec;
    auto size = std::filesystem::file_size(wal_file, ec);
    return ec ? 0 : static_cast<int64_t>(size / (4096 + 24));
  };
  const auto db_size_before = std::filesystem::file_size(db_file);
  int n = 0;
  while (frames() < 1500) {
    std::vector<Alert> alerts;
    for (int i = 0; i < 20; ++i, ++n)
      alerts.push_back(MakeAlert(absl::StrCat("svc-", n % 300), absl::StrCat("Alert", n),
                                 AlertStatus::kFiring, absl::StrCat("host-", n)));
    ASSERT_TRUE(IngestSync(std::move(alerts)).ok());
    ASSERT_LT(n, 200'000) << "the WAL did not grow";
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::filesystem::file_size(db_file) <= db_size_before &&
         std::chrono::steady_clock::now() < deadline) {
    // Writes keep the checkpointer asked for; it runs at most every 50 ms.
    ASSERT_TRUE(IngestSync({MakeAlert("svc-x", "Tick", AlertStatus::kFiring, absl::StrCat("t-", n++))}).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(std::filesystem::file_size(db_file), db_size_before) << n << " alerts, " << frames() << " frames";
  EXPECT_LT(frames(), 8000) << n;
  // Everything is still there after a reopen (which reads the database file and what is left of the WAL).
  Open();
  auto page = store_->ListIncidents({});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_FALSE(page->empty());
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->alerts, n);
}

}  // namespace
}  // namespace awoooi::store
