#include "server/app.h"

#include <sys/stat.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "awoooi/analysis/health.h"
#include "awoooi/approval/service.h"
#include "awoooi/brain/factory.h"
#include "awoooi/cluster/cluster.h"
#include "awoooi/topology/loader.h"
#include "awoooi/topology/render.h"
#include "awoooi/version.h"
#include "ingest/grouping.h"
#include "runtime/plugins.h"
#include "runtime/runtime.h"
#include "server/auth.h"
#include "server/event_hub.h"
#include "server/http.h"
#include "server/logging.h"
#include "server/metrics.h"
#include "server/outbox_sender.h"
#include "server/pipeline.h"
#include "server/web_assets.h"
#include "spdlog/spdlog.h"

namespace awoooi::server {
namespace {

using nlohmann::json;

// An incident's answer lists its most recent alerts; alert_count says how many there are.
constexpr int64_t kMaxAlertsPerIncidentAnswer = 1000;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

HttpResponse Json(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = Dump(body);
  return r;
}

json LabelsToJson(const LabelSet& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

json TimeOrNull(absl::Time t) { return t == absl::InfinitePast() ? json(nullptr) : json(FormatRfc3339(t)); }

json IncidentToJson(const Incident& i, const store::IncidentMeta& m) {
  return {{"id", i.id},
          {"status", ToString(i.status)},
          {"service", i.service},
          {"alertname", i.alertname},
          {"severity", i.severity},
          {"title", i.title},
          {"opened_at", TimeOrNull(i.opened_at)},
          {"updated_at", TimeOrNull(i.updated_at)},
          {"resolved_at", TimeOrNull(i.resolved_at)},
          {"alert_count", i.alert_count},
          {"firing_count", i.firing_count},
          {"version", i.version},
          {"parent_id", m.parent_id > 0 ? json(m.parent_id) : json(nullptr)},
          {"acknowledged_by", m.acknowledged_by.empty() ? json(nullptr) : json(m.acknowledged_by)},
          {"acknowledged_at", TimeOrNull(m.acknowledged_at)},
          {"group_labels", LabelsToJson(m.group_labels)}};
}

json ProposalToJson(const store::StoredProposal& p) {
  json actions = json::array();
  for (const auto& a : p.actions) {
    json params = json::object();
    for (const auto& [k, v] : a.params) params[k] = v;
    actions.push_back({{"id", a.id},
                       {"ordinal", a.ordinal},
                       {"kind", a.kind},
                       {"target_kind", a.target_kind},
                       {"target", a.target},
                       {"namespace", a.ns},
                       {"params", params},
                       {"expected_effect", a.expected_effect},
                       {"valid", a.validation == "valid"},
                       {"note", a.validation == "valid" ? "" : a.validation},
                       {"action_hash", a.action_hash},
                       {"approval_id", a.approval_id > 0 ? json(a.approval_id) : json(nullptr)},
                       {"status", a.approval_id == 0               ? "proposed"
                                  : a.approval_status == "pending" ? "approval"
                                                                   : a.approval_status}});
  }
  return {{"id", p.id},
          {"incident_id", p.incident_id},
          {"incident_version", p.incident_version},
          {"reasoner", p.reasoner},
          {"confidence", p.confidence},
          {"summary", p.summary},
          {"root_cause",
           {{"service", p.root_cause_service}, {"kind", p.root_cause_kind}, {"evidence", p.evidence}}},
          {"fallback_reason", p.fallback_reason},
          {"created_at", TimeOrNull(p.created_at)},
          {"actions", actions}};
}

json ParsedOr(const std::string& text, json fallback) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

json ApprovalToJson(const store::ApprovalRecord& r, const approval::ApprovalService& service,
                    const store::User* caller) {
  json params = json::object();
  for (const auto& [k, v] : r.action.params) params[k] = v;
  json factors = json::array();
  for (const auto& f : service.FactorsOf(r)) {
    json roles = json::array(), signed_by = json::array();
    for (Role role : f.factor.roles) roles.push_back(std::string(ToString(role)));
    for (const auto& s : f.signed_by) {
      json at = nullptr;
      for (const auto& sig : r.signatures) {
        if (sig.user == s.user) at = TimeOrNull(sig.at);
      }
      signed_by.push_back({{"user", s.user}, {"role", std::string(ToString(s.role))}, {"at", at}});
    }
    factors.push_back(
        {{"roles", roles}, {"count", f.factor.count}, {"signed_by", signed_by}, {"met", f.met()}});
  }
  json signatures = json::array();
  for (const auto& sig : r.signatures) {
    signatures.push_back({{"user", sig.user},
                          {"role", sig.role},
                          {"decision", sig.decision},
                          {"comment", sig.comment},
                          {"at", TimeOrNull(sig.at)},
                          {"action_hash", sig.action_hash},
                          {"state_fingerprint", sig.state_fingerprint}});
  }
  json out = {
      {"id", r.id},
      {"status", r.status},
      {"incident_id", r.incident_id > 0 ? json(r.incident_id) : json(nullptr)},
      {"proposal_id", r.proposal_id > 0 ? json(r.proposal_id) : json(nullptr)},
      {"action",
       {{"id", r.action.id},
        {"kind", r.action.kind},
        {"target_kind", r.action.target_kind},
        {"target", r.action.target},
        {"namespace", r.action.ns},
        {"params", params},
        {"expected_effect", r.action.expected_effect},
        {"action_hash", r.action.action_hash},
        {"pattern", r.pattern}}},
      {"requested_by", r.requested_by.empty() ? json(nullptr) : json(r.requested_by)},
      {"risk", {{"base", r.risk_base}, {"effective", r.risk_effective}, {"reason", r.risk_reason}}},
      {"factors", factors},
      {"signatures", signatures},
      {"dry_run", ParsedOr(r.dry_run_json, json::object())},
      {"blast_radius", ParsedOr(r.blast_radius_json, json::array())},
      {"savings_monthly_usd", r.savings_monthly_usd >= 0 ? json(r.savings_monthly_usd) : json(nullptr)},
      {"created_at", TimeOrNull(r.created_at)},
      {"updated_at", TimeOrNull(r.updated_at)},
      {"expires_at", TimeOrNull(r.expires_at)},
      {"reason", r.reason},
      {"result", r.result_json.empty() ? json(nullptr) : ParsedOr(r.result_json, json(nullptr))}};
  if (caller != nullptr) {
    approval::Eligibility e = service.EligibilityOf(r, *caller);
    out["can_sign"] = e.can_sign;
    out["why_not"] = e.why_not;
  }
  return out;
}

json AuditEntryToJson(const audit::Entry& e) {
  return {{"seq", e.seq},     {"at", TimeOrNull(e.at)},  {"kind", e.kind},
          {"actor", e.actor}, {"subject", e.subject},    {"detail", ParsedOr(e.detail, e.detail)},
          {"hash", e.hash},   {"prev_hash", e.prev_hash}};
}

json InventoryToJsonValue(const cluster::Inventory& inv) {
  return json::parse(cluster::InventoryToJson(inv));
}

// The JSON body of a POST, or a 400 naming the problem.
absl::StatusOr<json> JsonBody(const HttpRequest& r) {
  if (r.body.empty()) return json::object();
  json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) return absl::InvalidArgumentError("the body must be a JSON object");
  return j;
}

std::string ScalarOrDump(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }
int64_t IntOf(const json& v) { return v.get<int64_t>(); }

std::string StringField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The API never shows the raw fingerprint (an unkeyed hash of the raw labels: an oracle for the
// values the shield replaced); this keyed one identifies the alert as well.
json AlertToJson(const store::StoredAlert& a, std::string_view key) {
  return {{"id", a.id},
          {"fingerprint", HmacSha256Hex(key, a.alert.fingerprint).substr(0, 16)},
          {"status", ToString(a.alert.status)},
          {"labels", LabelsToJson(a.alert.labels)},
          {"annotations", LabelsToJson(a.alert.annotations)},
          {"starts_at", TimeOrNull(a.alert.starts_at)},
          {"ends_at", TimeOrNull(a.alert.ends_at)},
          {"generator_url", a.alert.generator_url},
          {"source", a.alert.source},
          {"received_at", TimeOrNull(a.received_at)},
          {"updated_at", TimeOrNull(a.updated_at)},
          {"receive_count", a.receive_count}};
}

// Route patterns: literal segments and "{name}" captures.
struct Route {
  std::string method;
  std::vector<std::string> segments;
  std::string pattern;
  enum class Access { kPublic, kIngest, kViewer } access;
  std::function<void(std::shared_ptr<Exchange>, const std::map<std::string, std::string>&,
                     const store::User*)>
      fn;
  bool events = false;  // a server-sent-events stream: the token may come as ?access_token=
};

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  for (auto part : absl::StrSplit(std::string(path), '/', absl::SkipEmpty())) out.emplace_back(part);
  return out;
}

bool Match(const Route& r, const std::vector<std::string>& segs, std::map<std::string, std::string>* params) {
  if (segs.size() != r.segments.size()) return false;
  for (size_t i = 0; i < segs.size(); ++i) {
    const std::string& p = r.segments[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      (*params)[p.substr(1, p.size() - 2)] = segs[i];
    } else if (p != segs[i]) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<int64_t> ParseId(const std::string& text, std::string_view what = "incident") {
  int64_t id = 0;
  if (!absl::SimpleAtoi(text, &id) || id <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", std::string(what), " id must be a positive integer"));
  }
  return id;
}

absl::StatusOr<int> ParseDepth(const HttpRequest& r, int fallback) {
  auto it = r.query.find("depth");
  if (it == r.query.end()) return fallback;
  int depth = 0;
  if (!absl::SimpleAtoi(it->second, &depth)) {
    return absl::InvalidArgumentError("depth: must be an integer between 1 and 10");
  }
  if (auto s = topology::ValidateDepth(depth); !s.ok()) return s;
  return depth;
}

class AppImpl final : public App {
 public:
  AppImpl(Config config, std::ostream& out) : config_(std::move(config)), out_(out) {}

  absl::Status Init() {
    // Where we listen decides what is safe by default (docs/security.md).
    auto colon = config_.server.listen.rfind(':');
    int port = 0;
    if (colon == std::string::npos || !absl::SimpleAtoi(config_.server.listen.substr(colon + 1), &port) ||
        port < 0 || port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("server.listen: \"", config_.server.listen, "\" is not HOST:PORT"));
    }
    listen_host_ = config_.server.listen.substr(0, colon);
    if (listen_host_.size() > 2 && listen_host_.front() == '[' && listen_host_.back() == ']') {
      listen_host_ = listen_host_.substr(1, listen_host_.size() - 2);
    }
    if (listen_host_.empty() || listen_host_ == "localhost") listen_host_ = "127.0.0.1";
    listen_port_ = static_cast<uint16_t>(port);
    loopback_ = listen_host_ == "::1" || listen_host_.rfind("127.", 0) == 0;
    if (!loopback_ && config_.ingest.auth.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("server.listen is ", config_.server.listen,
                       ", not loopback, and ingest.auth is not set: anyone who can reach the port could post "
                       "alerts. Set ingest.auth "
                       "to token or hmac (docs/security.md shows Alertmanager's http_config for it), or to "
                       "none to accept that."));
    }

    std::string vault_key;
    auto shield = runtime::MakeShield(config_, &vault_key);
    if (!shield.ok()) return shield.status();
    shield_ = std::move(*shield);
    fingerprint_key_ = runtime::DeriveKey(vault_key, "fingerprint");
    group_key_ = std::make_unique<HmacSha256Key>(runtime::DeriveKey(vault_key, "group-key"));
    InitLogging(config_.log.level, config_.log.format, shield_.get());

    const runtime::PluginRegistry& plugins = runtime::BuiltinPlugins();
    auto store = runtime::OpenStore(config_, *shield_, plugins);
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    db_path_ = config_.store.path.empty() ? runtime::DataPath(config_, "awoooi.db") : config_.store.path;

    std::map<std::string, std::string> limits = {
        {"max_alerts_per_request", std::to_string(config_.ingest.limits.max_alerts)},
        {"max_labels", std::to_string(config_.ingest.limits.max_labels)},
        {"max_value_bytes", std::to_string(config_.ingest.limits.max_value_bytes)}};
    auto am = plugins.inputs.Create("alertmanager", PluginSettings("ingest", limits));
    if (!am.ok()) return am.status();
    alertmanager_source_ = std::move(*am);
    auto generic = plugins.inputs.Create("generic", PluginSettings("ingest", limits));
    if (!generic.ok()) return generic.status();
    generic_source_ = std::move(*generic);

    // Topology: the configured file, else the embedded demo world.
    std::string topology_text;
    std::string topology_name =
        config_.topology.file.empty() ? "embedded demo topology" : config_.topology.file;
    if (config_.topology.file.empty()) {
      topology_text = std::string(runtime::DemoTopologyYaml());
    } else {
      std::ifstream in(config_.topology.file);
      if (!in) return absl::NotFoundError(absl::StrCat("topology.file: cannot read ", config_.topology.file));
      std::stringstream ss;
      ss << in.rdbuf();
      topology_text = ss.str();
    }
    auto loaded = topology::LoadTopologyYaml(topology_text);
    if (!loaded.graph) {
      return absl::InvalidArgumentError(
          absl::StrCat("topology.file: ", topology_name, ":\n",
                       topology::DiagnosticsToText(topology_name, loaded.diagnostics)));
    }
    topology::TopologyConfig tc;
    if (!config_.topology.dependency_label.empty()) {
      tc.edge_label_rules.insert(tc.edge_label_rules.begin(),
                                 topology::EdgeLabelRule{"service", config_.topology.dependency_label});
    }
    for (const auto& rule : tc.edge_label_rules) {
      edge_to_labels_.push_back(rule.to_label);
      edge_labels_.push_back(rule.from_label);
      edge_labels_.push_back(rule.to_label);
    }
    topology_ = std::make_unique<topology::Topology>(loaded.graph, tc);
    health_ = std::make_unique<analysis::HealthTracker>(*topology_);
    auto active = store_->ActiveAlerts(100'000);
    if (active.ok()) {
      for (const auto& a : *active) {
        std::string service = ServiceOf(a.alert);
        if (!analysis::ShareableServiceName(service, *shield_)) continue;
        health_->Update(service, a.alert.fingerprint, ParseSeverity(a.alert.Label("severity")), true);
      }
    }

    auto reasoner = brain::MakeReasoner(plugins.brains, config_.brain, *shield_);
    if (!reasoner.ok())
      return absl::InvalidArgumentError(absl::StrCat("config: ", reasoner.status().message()));
    PipelineOptions po;
    po.workers = static_cast<int>(config_.pipeline.workers);
    po.nice = static_cast<int>(config_.pipeline.nice);
    po.depth = static_cast<int>(config_.topology.default_depth);
    po.context_budget_chars = static_cast<int>(config_.topology.context_budget_chars);
    po.min_interval = std::chrono::milliseconds(config_.pipeline.min_interval_ms);
    po.catalog = &catalog_;
    approval::Settings approval_settings = runtime::ApprovalSettings(config_);
    catalog_ = approval_settings.catalog;
    pipeline_ = std::make_unique<Pipeline>(po, *store_, *shield_, *topology_, std::move(*reasoner), events_,
                                           metrics_);

    // Actions: the executors, the approval engine that drives them, the audit key.
    auto executors = runtime::MakeExecutors(config_, store_.get(), plugins);
    if (!executors.ok()) return executors.status();
    executors_ = std::move(*executors);
    auto audit_key = runtime::LoadOrCreateAuditKey(config_);
    if (!audit_key.ok()) return audit_key.status();
    audit_key_ = std::move(*audit_key);
    approval::Dependencies deps;
    deps.store = store_.get();
    deps.shield = shield_.get();
    for (auto& e : executors_) deps.executors.push_back(e.get());
    deps.topology = topology_.get();
    deps.publish = [this](const std::string& event, const std::string& data) {
      events_.Publish(event, data);
    };
    approvals_ = std::make_unique<approval::ApprovalService>(approval_settings, std::move(deps));
    if (int recovered = approvals_->RecoverInterrupted(); recovered > 0) {
      spdlog::warn(
          "{} approval request(s) were left approved or executing by the previous process: "
          "voided or failed, see their reasons",
          recovered);
    }
    pipeline_->OnProposal(
        [this](int64_t incident, int64_t proposal) { approvals_->OnProposal(incident, proposal); });

    // Notifications: the configured channels, fed by the durable outbox.
    std::vector<OutboxChannel> channels;
    for (const PluginSettings& n : config_.notifiers) {
      std::map<std::string, std::string> values = n.values();
      std::string type = n.GetString("type");
      OutboxChannel c;
      auto interval = n.GetDurationMs("min_interval",
                                      type == "slack"     ? 1'000
                                      : type == "discord" ? 500
                                                          : 0,
                                      0, 3'600'000);
      if (!interval.ok()) return interval.status();
      c.min_interval = absl::Milliseconds(*interval);
      values.erase("min_interval");  // the outbox's key, not the notifier's
      auto notifier = plugins.outputs.Create(type, PluginSettings(n.path(), values));
      if (!notifier.ok()) return notifier.status();
      c.notifier = std::move(*notifier);
      channel_names_.push_back(c.notifier->name());
      channels.push_back(std::move(c));
    }
    OutboxOptions oo;
    oo.routes = config_.notify.routes;
    oo.public_url = config_.server.public_url;
    oo.retry.max_attempts = static_cast<int>(config_.notify.max_attempts);
    oo.retry.max_age = absl::Milliseconds(config_.notify.max_age_ms);
    outbox_ = std::make_unique<OutboxSender>(*store_, std::move(channels), std::move(oo));

    authenticator_ = std::make_unique<Authenticator>(*store_);
    if (config_.ingest.auth == "none" && !loopback_) {
      spdlog::warn("INGESTION IS OPEN: ingest.auth is none on {}; anyone who can reach it can post alerts",
                   config_.server.listen);
    }
    if (config_.auth.demo_users && config_.auth.demo_users_implicit && !loopback_) {
      spdlog::warn("demo users are not created on a non-loopback listener without serve --demo");
    } else if (config_.auth.demo_users) {
      // Only this start's demo tokens work: the previous ones are revoked.
      if (auto revoked = store_->RevokeDemoTokens(); !revoked.ok()) return revoked.status();
      out_ << "Demo users (tokens are shown once; each start revokes the previous ones and issues new "
              "ones):\n";
      for (auto [name, role] :
           {std::pair{"alice", Role::kDevops}, std::pair{"bob", Role::kSre}, std::pair{"carol", Role::kCto},
            std::pair{"dave", Role::kCiso}, std::pair{"admin", Role::kAdmin}}) {
        auto token = runtime::IssueToken(*store_, name, role, absl::InfiniteFuture(), /*demo=*/true);
        if (!token.ok()) return token.status();
        out_ << "  " << name << " (" << ToString(role) << "): " << *token << "\n";
        demo_tokens_[name] = *token;
      }
    }
    BuildRoutes();

    HttpServerOptions ho;
    ho.host = listen_host_;
    ho.port = listen_port_;
    ho.max_body_bytes = config_.server.max_body_bytes;
    ho.max_header_bytes = config_.server.max_header_bytes;
    ho.request_timeout_ms = config_.server.request_timeout_ms;
    ho.max_connections = config_.server.max_connections;
    ho.max_connections_per_client = config_.server.max_connections_per_client;
    ho.per_client_cap_exempts_loopback = config_.server.per_client_cap_exempts_loopback;
    ho.fd_reserve = config_.server.fd_reserve;
    ho.max_event_viewers = config_.server.max_event_viewers;
    ho.max_event_viewers_per_user = config_.server.max_event_viewers_per_user;
    ho.event_write_timeout_ms = config_.server.event_write_timeout_ms;
    ho.max_event_backlog_bytes = config_.server.max_event_backlog_bytes;
    ho.on_headers = [this](const HttpRequest& head, std::optional<uint64_t>) { return CheckHeaders(head); };
    ho.threads = config_.server.threads > 0
                     ? static_cast<int>(config_.server.threads)
                     : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
    http_ = HttpServer::Create(
        ho, [this](std::shared_ptr<Exchange> ex) { Dispatch(std::move(ex)); },
        [this](const HttpRequest& r, int status, double secs) {
          metrics_.ObserveRequest(RouteName(r), r.method, status, secs);
          if (status >= 500) {
            spdlog::warn("request_id={} method={} route={} status={} seconds={:.4f}", r.request_id, r.method,
                         RouteName(r), status, secs);
          } else {
            spdlog::debug("request_id={} method={} route={} status={} seconds={:.4f}", r.request_id, r.method,
                          RouteName(r), status, secs);
          }
        });
    return absl::OkStatus();
  }

  absl::Status Listen() override {
    if (auto s = http_->Listen(); !s.ok()) return s;
    spdlog::info("awoooi {} listening on http://{}:{} (data: {})", AWOOOI_VERSION,
                 config_.server.listen.substr(0, config_.server.listen.rfind(':')), http_->port(), db_path_);
    return absl::OkStatus();
  }
  uint16_t port() const override { return http_->port(); }
  const std::map<std::string, std::string>& demo_tokens() const override { return demo_tokens_; }

  void Run() override {
    maintenance_ = std::thread([this] { Maintenance(); });
    http_->Run();
    {
      std::lock_guard<std::mutex> lock(maintenance_mu_);
      stopping_ = true;
    }
    maintenance_cv_.notify_all();
    maintenance_.join();
    // The HTTP side has drained: stop the analyses (a running one finishes or is cancelled and
    // queues its result), then commit everything queued, acknowledged alerts first among it.
    pipeline_->Stop();
    approvals_->Drain();
    approvals_.reset();
    outbox_.reset();
    store_->Close();
    spdlog::info("awoooi stopped");
  }

  void Shutdown() override {
    spdlog::info("shutting down: finishing in-flight requests (grace {} ms)",
                 config_.server.shutdown_grace_ms);
    events_.CloseAll();
    http_->Shutdown(config_.server.shutdown_grace_ms);
  }

 private:
  // Expires approvals past their deadline, signs audit checkpoints (every
  // audit.checkpoint_every entries or audit.checkpoint_interval, also when nothing happened) and
  // runs the store's retention pass (store.retention_days) a minute after start, then hourly.
  void Maintenance() {
    auto last_checkpoint = std::chrono::steady_clock::now();
    auto next_retention = last_checkpoint + std::chrono::minutes(1);
    int64_t last_size = -1;
    if (auto cps = store_->ListCheckpoints(); cps.ok() && !cps->empty()) last_size = cps->back().tree_size;
    std::unique_lock<std::mutex> lock(maintenance_mu_);
    while (!stopping_) {
      maintenance_cv_.wait_for(lock, std::chrono::seconds(1));
      if (stopping_) break;
      lock.unlock();
      approvals_->ExpireDue();
      auto newest = store_->ListAudit({"", "", 1, 0});
      int64_t size = newest.ok() && !newest->empty() ? newest->front().seq : 0;
      auto now = std::chrono::steady_clock::now();
      if (size - std::max<int64_t>(last_size, 0) >= config_.audit.checkpoint_every || last_size < 0 ||
          now - last_checkpoint >= std::chrono::milliseconds(config_.audit.checkpoint_interval_ms)) {
        if (auto c = store_->AddCheckpoint(*audit_key_); c.ok()) {
          last_size = c->tree_size;
          last_checkpoint = now;
        }
      }
      if (config_.store.retention_days > 0 && now >= next_retention) {
        next_retention = now + std::chrono::hours(1);
        PruneStore();
      }
      lock.lock();
    }
  }

  // One retention pass; stops between batches when the server is stopping.
  void PruneStore() {
    store::PruneRequest request;
    request.cutoff = absl::Now() - absl::Hours(24) * config_.store.retention_days;
    request.batch_incidents = config_.store.retention_batch;
    request.keep_going = [this] {
      std::lock_guard<std::mutex> lock(maintenance_mu_);
      return !stopping_;
    };
    auto r = store_->PruneResolved(request);
    if (!r.ok()) {
      spdlog::warn("retention: {}", r.status().ToString());
    } else if (r->incidents > 0) {
      spdlog::info("retention: pruned {} resolved incidents ({} alerts) quiet for {} days in {} batches",
                   r->incidents, r->alerts, config_.store.retention_days, r->batches);
    }
  }

  std::string RouteName(const HttpRequest& r) {
    auto segs = SplitPath(r.path);
    for (const auto& route : routes_) {
      std::map<std::string, std::string> p;
      if (Match(route, segs, &p)) return route.pattern;
    }
    return "unmatched";
  }

  void Add(std::string method, std::string pattern, Route::Access access, decltype(Route::fn) fn) {
    routes_.push_back(Route{std::move(method), SplitPath(pattern), pattern, access, std::move(fn)});
  }

  // DNS rebinding: a page on another origin resolves its own name to our address; its requests
  // then carry its Host. On loopback, only loopback names (and server.allowed_hosts) are accepted.
  bool HostAllowed(const HttpRequest& r) const {
    std::string host = absl::AsciiStrToLower(std::string(r.Header("host")));
    if (host.empty()) return !loopback_;  // HTTP/1.0 without Host
    if (!host.empty() && host.front() == '[') {
      host = host.substr(0, host.find(']') + 1);
    } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
      host = host.substr(0, colon);
    }
    for (const auto& allowed : config_.server.allowed_hosts) {
      if (host == allowed) return true;
    }
    if (!loopback_) return config_.server.allowed_hosts.empty();
    return host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host.rfind("127.", 0) == 0 ||
           host == listen_host_;
  }

  void Dispatch(std::shared_ptr<Exchange> ex) {
    const HttpRequest& r = ex->request();
    if (!HostAllowed(r)) {
      ex->Respond(ErrorResponse(421, "misdirected_request",
                                "this server does not answer for that Host (DNS-rebinding protection; see "
                                "server.allowed_hosts)"));
      return;
    }
    auto segs = SplitPath(r.path);
    std::string allowed;
    for (const auto& route : routes_) {
      std::map<std::string, std::string> params;
      if (!Match(route, segs, &params)) continue;
      if (route.method != r.method && !(route.method == "GET" && r.method == "HEAD")) {
        allowed += (allowed.empty() ? "" : ", ") + route.method;
        continue;
      }
      store::User user;
      const store::User* who = nullptr;
      if (route.access == Route::Access::kViewer) {
        std::string header(r.Header("authorization"));
        if (header.empty() && route.events) {
          // EventSource cannot set headers; only event streams take the token from the URL.
          auto q = r.query.find("access_token");
          if (q != r.query.end()) header = "Bearer " + q->second;
        }
        auto u = authenticator_->Authenticate(header);
        if (!u.ok()) {
          auto resp = ErrorResponse(u.status());
          resp.headers.emplace_back("WWW-Authenticate", "Bearer");
          ex->Respond(std::move(resp));
          return;
        }
        user = *u;
        who = &user;
      }
      route.fn(std::move(ex), params, who);
      return;
    }
    if (!allowed.empty()) {
      auto resp =
          ErrorResponse(405, "method_not_allowed",
                        absl::StrCat(r.method.substr(0, 16), " is not allowed here; allowed: ", allowed));
      resp.headers.emplace_back("Allow", allowed);
      ex->Respond(std::move(resp));
      return;
    }
    // Not an API route: the dashboard's files and client-side routes (/incidents/7).
    if ((r.method == "GET" || r.method == "HEAD") && FindWebAsset(r.path) != nullptr) return ServeWeb(ex);
    ex->Respond(ErrorResponse(404, "not_found", "no such route (see /api/openapi.json)"));
  }

  // The embedded dashboard (web/, built by Vite; server/web_assets.h).
  static void ServeWeb(const std::shared_ptr<Exchange>& ex) {
    const HttpRequest& r = ex->request();
    const WebAsset* asset = FindWebAsset(r.path);
    if (asset == nullptr)
      return ex->Respond(ErrorResponse(404, "not_found", "no such route (see /api/openapi.json)"));
    HttpResponse resp;
    resp.content_type = std::string(asset->content_type);
    resp.headers.emplace_back("Cache-Control", std::string(WebCacheControl(*asset)));
    resp.headers.emplace_back("X-Content-Type-Options", "nosniff");
    resp.headers.emplace_back("Vary", "Accept-Encoding");
    if (!asset->gzip.empty() && r.Header("accept-encoding").find("gzip") != std::string_view::npos) {
      resp.headers.emplace_back("Content-Encoding", "gzip");
      resp.body = std::string(asset->gzip);
    } else {
      resp.body = std::string(asset->body);
    }
    if (asset->content_type.starts_with("text/html")) {
      resp.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
      resp.headers.emplace_back("Referrer-Policy", "no-referrer");
    }
    ex->Respond(std::move(resp));
  }

  // Runs on an I/O thread once a request's headers are read, before its body is: ingestion that
  // cannot succeed (wrong Content-Type, missing or wrong bearer token) is refused without reading
  // up to server.max_body_bytes. HMAC needs the body, so it is still checked in Ingest().
  // Exactly application/json (a charset parameter is fine): text/plain or a missing type is how a
  // web page on another origin posts without a CORS preflight.
  static std::optional<HttpResponse> ContentTypeError(const HttpRequest& r) {
    std::string ct = absl::AsciiStrToLower(std::string(r.Header("content-type")));
    std::string media(absl::StripAsciiWhitespace(ct.substr(0, ct.find(';'))));
    if (media == "application/json") return std::nullopt;
    return ErrorResponse(415, "unsupported_media_type",
                         ct.empty() ? std::string("Content-Type must be application/json")
                                    : absl::StrCat("Content-Type must be application/json, not ",
                                                   privacy::RedactedIdentifier(ct.substr(0, 60)).str()));
  }

  std::optional<HttpResponse> CheckHeaders(const HttpRequest& head) {
    if (head.method != "POST") return std::nullopt;
    auto segs = SplitPath(head.path);
    for (const auto& route : routes_) {
      std::map<std::string, std::string> params;
      if (route.method != "POST" || !Match(route, segs, &params)) continue;
      if (route.access != Route::Access::kIngest) {
        // Every other POST that carries a body carries JSON, and says so.
        std::string_view length = head.Header("content-length");
        bool has_body = (!length.empty() && length != "0") || !head.Header("transfer-encoding").empty();
        if (has_body) return ContentTypeError(head);
        return std::nullopt;
      }
      if (auto bad = ContentTypeError(head)) return bad;
      if (config_.ingest.auth == "token") {
        if (auto s = CheckIngestAuth(head); !s.ok()) {
          auto resp = ErrorResponse(s);
          resp.headers.emplace_back("WWW-Authenticate", "Bearer");
          return resp;
        }
      }
      return std::nullopt;
    }
    return std::nullopt;
  }

  absl::Status CheckIngestAuth(const HttpRequest& r) {
    if (config_.ingest.auth == "token") {
      std::string_view token = BearerToken(r.Header("authorization"));
      if (token.empty() || Sha256Hex(token) != Sha256Hex(config_.ingest.token)) {
        return absl::UnauthenticatedError("ingestion needs the configured bearer token");
      }
    } else if (config_.ingest.auth == "hmac") {
      // The signature covers the timestamp, and a timestamp outside the window is refused: a
      // captured request cannot be replayed later.
      std::string_view ts = r.Header("x-awoooi-timestamp");
      int64_t when = 0;
      if (ts.empty() || !absl::SimpleAtoi(absl::string_view(ts.data(), ts.size()), &when)) {
        return absl::UnauthenticatedError("missing X-AWOOOI-Timestamp (unix seconds) on a signed request");
      }
      // Compared in seconds, and the timestamp bounded first: no overflow whatever the header says.
      const int64_t now_s = absl::ToUnixSeconds(absl::Now());
      const int64_t window_s = config_.ingest.hmac_window_ms / 1000;
      if (when < now_s - window_s || when > now_s + window_s) {
        return absl::UnauthenticatedError(
            "X-AWOOOI-Timestamp is outside the accepted window (replayed or clock skew)");
      }
      if (!ingest::VerifyHmacSha256(absl::StrCat(std::string(ts), ".", r.body), config_.ingest.hmac_secret,
                                    r.Header("x-awoooi-signature"))) {
        return absl::UnauthenticatedError(
            "missing or wrong X-AWOOOI-Signature (sha256=<hex HMAC-SHA256 of timestamp + \".\" + body>)");
      }
    }
    return absl::OkStatus();
  }

  void Ingest(std::shared_ptr<Exchange> ex, bool alertmanager) {
    const HttpRequest& r = ex->request();
    auto started = std::chrono::steady_clock::now();
    if (auto bad = ContentTypeError(r)) {
      ex->Respond(std::move(*bad));
      return;
    }
    if (auto s = CheckIngestAuth(r); !s.ok()) {
      ex->Respond(ErrorResponse(s));
      return;
    }
    absl::Time now = absl::Now();
    auto alerts = (alertmanager ? alertmanager_source_ : generic_source_)->Parse(r.body, now);
    if (!alerts.ok()) {
      ex->Respond(ErrorResponse(alerts.status()));
      return;
    }
    struct Seen {
      std::string service, fingerprint;
      Severity severity;
      bool firing;
      LabelSet labels;  // only kept when learning edges needs them
    };
    auto seen = std::make_shared<std::vector<Seen>>();
    seen->reserve(alerts->size());
    for (const auto& a : *alerts) {
      // The topology (health, learned edges) is shown by the API and every prompt: only names that
      // are plain identifiers the shield finds nothing in may enter it.
      std::string service = ServiceOf(a);
      if (!analysis::ShareableServiceName(service, *shield_)) service.clear();
      Seen s{
          service, a.fingerprint, ParseSeverity(a.Label("severity")), a.status == AlertStatus::kFiring, {}};
      // Only alerts that name a dependency can teach an edge; the rest skip the copy.
      if (s.firing && std::any_of(edge_to_labels_.begin(), edge_to_labels_.end(),
                                  [&](const std::string& l) { return !a.Label(l).empty(); })) {
        s.labels = analysis::ShareableEdgeLabels(a.labels, edge_labels_, *shield_);
      }
      seen->push_back(std::move(s));
    }
    std::string source = alertmanager ? "alertmanager" : "generic";
    int64_t n = static_cast<int64_t>(alerts->size());
    store_->Ingest(
        ingest::PrepareItems(std::move(*alerts), config_.ingest.grouping, group_key_.get()),
        [this, ex, seen, source, n, started](absl::StatusOr<store::IngestResult> result) {
          double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
          if (!result.ok()) {
            metrics_.ObserveIngest(source, n, secs, 0, false);
            ex->Respond(ErrorResponse(result.status()));
            return;
          }
          metrics_.ObserveIngest(source, n, secs, result->batch_size, true);
          std::string body = absl::StrCat("{\"status\":\"stored\",\"alerts\":", n, ",\"incidents\":[");
          std::set<int64_t> ids;
          for (const auto& o : result->outcomes) ids.insert(o.incident_id);
          bool first = true;
          for (int64_t id : ids) {
            absl::StrAppend(&body, first ? "" : ",", id);
            first = false;
          }
          body += "]}";
          HttpResponse resp;
          resp.body = std::move(body);
          ex->Respond(std::move(resp));
          // Bookkeeping off the writer thread.
          http_->Post([this, seen, outcomes = std::move(result->outcomes)] { AfterIngest(*seen, outcomes); });
        });
  }

  template <typename SeenT>
  void AfterIngest(const std::vector<SeenT>& seen, const std::vector<store::IngestOutcome>& outcomes) {
    std::set<int64_t> changed;
    for (size_t i = 0; i < outcomes.size() && i < seen.size(); ++i) {
      const auto& o = outcomes[i];
      const auto& s = seen[i];
      if (o.status_changed) health_->Update(s.service, s.fingerprint, s.severity, s.firing);
      if (!s.labels.empty() && o.alert_created) (void)topology_->LearnFromAlertLabels(s.labels);
      const char* type = o.incident_opened     ? "incident.opened"
                         : o.incident_reopened ? "incident.reopened"
                         : o.incident_resolved ? "incident.resolved"
                         : o.status_changed    ? "incident.updated"
                                               : nullptr;
      if (type) {
        events_.Publish(
            type, absl::StrCat("{\"incident_id\":", o.incident_id, ",\"version\":", o.incident_version, "}"));
      }
      // A new alert, a status change or a (re)opened incident is material: analyse again.
      if ((o.alert_created || o.status_changed) && s.firing) changed.insert(o.incident_id);
    }
    for (int64_t id : changed) pipeline_->Schedule(id);
  }

  void BuildRoutes() {
    using A = Route::Access;
    Add("GET", "/healthz", A::kPublic, [](auto ex, auto&, auto) {
      ex->Respond(Json(200, {{"status", "ok"}}));
    });
    Add("GET", "/readyz", A::kPublic, [this](auto ex, auto&, auto) {
      auto s = store_->Ping();
      if (!s.ok()) spdlog::warn("not ready: {}", std::string(s.message()));  // details in the log only
      ex->Respond(s.ok() ? Json(200, {{"status", "ready"}})
                         : ErrorResponse(absl::UnavailableError("the store is not available")));
    });
    Add("GET", "/metrics", A::kPublic, [this](auto ex, auto&, auto) {
      std::map<std::string, double> gauges;
      if (auto st = store_->Stats(); st.ok()) {
        gauges["awoooi_open_incidents"] = static_cast<double>(st->open_incidents);
        gauges["awoooi_ingest_queue_alerts"] = static_cast<double>(st->queued_alerts);
      }
      gauges["awoooi_http_connections"] = static_cast<double>(http_->open_connections());
      gauges["awoooi_event_viewers"] = static_cast<double>(events_.subscribers());
      gauges["awoooi_analyses_pending"] = static_cast<double>(pipeline_->pending());
      if (auto counts = store_->DeliveryCounts(); counts.ok()) {
        for (const auto& [key, n] : *counts) {
          // Channel names are configuration (identifiers), not data.
          gauges[absl::StrCat("awoooi_notifications{channel=\"", privacy::RedactedIdentifier(key.first).str(),
                              "\",status=\"", key.second, "\"}")] = static_cast<double>(n);
        }
      }
      HttpServerStats hs = http_->stats();
      gauges["awoooi_http_max_connections"] = static_cast<double>(hs.max_connections);
      std::map<std::string, double> counters = {
          {"awoooi_http_connections_refused_total{reason=\"server_full\"}",
           static_cast<double>(hs.refused_server_full)},
          {"awoooi_http_connections_refused_total{reason=\"per_client\"}",
           static_cast<double>(hs.refused_per_client)},
          {"awoooi_http_accept_errors_total", static_cast<double>(hs.accept_errors)},
          {"awoooi_http_refused_at_headers_total", static_cast<double>(hs.refused_at_headers)},
          {"awoooi_event_streams_refused_total", static_cast<double>(hs.viewers_refused)},
          {"awoooi_event_streams_closed_total{reason=\"write_timeout\"}",
           static_cast<double>(hs.viewers_write_timeout)},
          {"awoooi_event_streams_closed_total{reason=\"backlog\"}",
           static_cast<double>(hs.viewers_backlog_cut)}};
      HttpResponse r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = metrics_.Render(gauges, counters);
      ex->Respond(std::move(r));
    });
    Add("GET", "/api/openapi.json", A::kPublic, [](auto ex, auto&, auto) {
      HttpResponse r;
      r.body = std::string(runtime::OpenApiJson());
      ex->Respond(std::move(r));
    });
    Add("GET", "/", A::kPublic, [](auto ex, auto&, auto) { ServeWeb(ex); });
    Add("POST", "/api/v1/alerts/alertmanager", A::kIngest,
        [this](auto ex, auto&, auto) { Ingest(ex, true); });
    Add("POST", "/api/v1/alerts", A::kIngest, [this](auto ex, auto&, auto) { Ingest(ex, false); });
    Add("GET", "/api/v1/whoami", A::kViewer, [](auto ex, auto&, const store::User* u) {
      ex->Respond(Json(200, {{"user", u->name}, {"role", ToString(u->role)}}));
    });
    Add("GET", "/api/v1/incidents", A::kViewer, [this](auto ex, auto&, auto) {
      const HttpRequest& r = ex->request();
      store::IncidentFilter f;
      if (auto it = r.query.find("status"); it != r.query.end() && !it->second.empty()) {
        auto s = ParseIncidentStatus(it->second);
        if (!s) {
          ex->Respond(ErrorResponse(absl::InvalidArgumentError("status: must be firing or resolved")));
          return;
        }
        f.status = s;
      }
      if (auto it = r.query.find("service"); it != r.query.end()) f.service = it->second;
      if (auto it = r.query.find("limit"); it != r.query.end()) {
        if (!absl::SimpleAtoi(it->second, &f.limit) || f.limit < 1 || f.limit > 1000) {
          ex->Respond(
              ErrorResponse(absl::InvalidArgumentError("limit: must be an integer between 1 and 1000")));
          return;
        }
      }
      if (auto it = r.query.find("before"); it != r.query.end()) {
        if (!absl::SimpleAtoi(it->second, &f.before_id) || f.before_id < 1) {
          ex->Respond(ErrorResponse(absl::InvalidArgumentError("before: must be an incident id")));
          return;
        }
      }
      auto list = store_->ListIncidents(f);
      if (!list.ok()) {
        ex->Respond(ErrorResponse(list.status()));
        return;
      }
      json items = json::array();
      for (const auto& row : *list) items.push_back(IncidentToJson(row.incident, row.meta));
      json body = {{"incidents", items}};
      body["next_before"] = (static_cast<int64_t>(list->size()) == f.limit && !list->empty())
                                ? json(list->back().incident.id)
                                : json(nullptr);
      ex->Respond(Json(200, body));
    });
    Add("GET", "/api/v1/incidents/{id}", A::kViewer, [this](auto ex, auto& p, auto) {
      auto id = ParseId(p.at("id"));
      if (!id.ok()) return ex->Respond(ErrorResponse(id.status()));
      auto d = store_->GetIncident(*id, kMaxAlertsPerIncidentAnswer);
      if (!d.ok()) return ex->Respond(ErrorResponse(d.status()));
      json j = IncidentToJson(d->incident, d->meta);
      j["alerts"] = json::array();
      for (const auto& a : d->alerts) j["alerts"].push_back(AlertToJson(a, fingerprint_key_));
      ex->Respond(Json(200, j));
    });
    Add("GET", "/api/v1/incidents/{id}/analysis", A::kViewer, [this](auto ex, auto& p, auto) {
      auto id = ParseId(p.at("id"));
      if (!id.ok()) return ex->Respond(ErrorResponse(id.status()));
      auto a = store_->GetAnalysis(*id);
      if (absl::IsNotFound(a.status())) {
        if (auto d = store_->GetIncident(*id, 1); !d.ok()) return ex->Respond(ErrorResponse(d.status()));
        return ex->Respond(ErrorResponse(
            404, "not_found", absl::StrCat("incident ", *id, " has no analysis yet; it is queued")));
      }
      if (!a.ok()) return ex->Respond(ErrorResponse(a.status()));
      json doc = json::parse(a->json, nullptr, false);
      if (doc.is_object()) {
        doc["proposal_id"] = a->proposal_id > 0 ? json(a->proposal_id) : json(nullptr);
        doc["parent_id"] = a->parent_incident_id > 0 ? json(a->parent_incident_id) : json(nullptr);
      }
      ex->Respond(Json(200, doc));
    });
    Add("POST", "/api/v1/incidents/{id}/acknowledge", A::kViewer,
        [this](auto ex, auto& p, const store::User* u) {
          auto id = ParseId(p.at("id"));
          if (!id.ok()) return ex->Respond(ErrorResponse(id.status()));
          if (u->role == Role::kViewer) {
            return ex->Respond(
                ErrorResponse(absl::PermissionDeniedError("viewers cannot acknowledge incidents")));
          }
          auto row = store_->AcknowledgeIncident(*id, u->name);
          if (!row.ok()) return ex->Respond(ErrorResponse(row.status()));
          events_.Publish("incident.acknowledged", absl::StrCat("{\"incident_id\":", *id,
                                                                ",\"version\":", row->incident.version, "}"));
          ex->Respond(Json(200, IncidentToJson(row->incident, row->meta)));
        });
    Add("GET", "/api/v1/incidents/{id}/proposals", A::kViewer, [this](auto ex, auto& p, auto) {
      auto id = ParseId(p.at("id"));
      if (!id.ok()) return ex->Respond(ErrorResponse(id.status()));
      if (auto d = store_->GetIncident(*id, 1); !d.ok()) return ex->Respond(ErrorResponse(d.status()));
      auto list = store_->ListProposals(*id, 50);
      if (!list.ok()) return ex->Respond(ErrorResponse(list.status()));
      json items = json::array();
      for (const auto& prop : *list) items.push_back(ProposalToJson(prop));
      ex->Respond(Json(200, {{"proposals", items}}));
    });
    Add("GET", "/api/v1/proposals/{id}", A::kViewer, [this](auto ex, auto& p, auto) {
      auto id = ParseId(p.at("id"), "proposal");
      if (!id.ok()) return ex->Respond(ErrorResponse(id.status()));
      auto prop = store_->GetProposal(*id);
      if (!prop.ok()) return ex->Respond(ErrorResponse(prop.status()));
      ex->Respond(Json(200, ProposalToJson(*prop)));
    });
    Add("GET", "/api/v1/incidents/{id}/thinking", A::kViewer, [this](auto ex, auto& p, const store::User* u) {
      auto id = ParseId(p.at("id"));
      if (!id.ok()) return ex->Respond(ErrorResponse(id.status()));
      if (auto d = store_->GetIncident(*id, 1); !d.ok()) return ex->Respond(ErrorResponse(d.status()));
      auto stream = ex->StartEvents(u->name);
      if (stream) pipeline_->WatchThinking(*id, std::move(stream));
    });
    routes_.back().events = true;
    Add("GET", "/api/v1/events", A::kViewer, [this](auto ex, auto&, const store::User* u) {
      auto stream = ex->StartEvents(u->name);
      if (stream) events_.Subscribe(std::move(stream));
    });
    routes_.back().events = true;

    // ---- Approvals, hand-requested actions, trust, audit (approval/service.h).
    Add("GET", "/api/v1/approvals", A::kViewer, [this](auto ex, auto&, const store::User* u) {
      const HttpRequest& r = ex->request();
      store::ApprovalFilter f;
      if (auto it = r.query.find("status"); it != r.query.end() && !it->second.empty()) {
        if (!approval::ParseState(it->second)) {
          return ex->Respond(
              ErrorResponse(absl::InvalidArgumentError("status: must be pending, approved, executing, "
                                                       "succeeded, failed, rejected, voided or expired")));
        }
        f.status = it->second;
      }
      if (auto it = r.query.find("incident_id");
          it != r.query.end() && !absl::SimpleAtoi(it->second, &f.incident_id)) {
        return ex->Respond(ErrorResponse(absl::InvalidArgumentError("incident_id: must be an integer")));
      }
      if (auto it = r.query.find("limit");
          it != r.query.end() && (!absl::SimpleAtoi(it->second, &f.limit) || f.limit < 1 || f.limit > 1000)) {
        return ex->Respond(
            ErrorResponse(absl::InvalidArgumentError("limit: must be an integer between 1 and 1000")));
      }
      if (auto it = r.query.find("before");
          it != r.query.end() && !absl::SimpleAtoi(it->second, &f.before_id)) {
        return ex->Respond(ErrorResponse(absl::InvalidArgumentError("before: must be an approval id")));
      }
      auto list = store_->ListApprovals(f);
      if (!list.ok()) return ex->Respond(ErrorResponse(list.status()));
      json items = json::array();
      for (const auto& a : *list) items.push_back(ApprovalToJson(a, *approvals_, u));
      json body = {{"approvals", items}};
      body["next_before"] = static_cast<int64_t>(list->size()) == f.limit && !list->empty()
                                ? json(list->back().id)
                                : json(nullptr);
      ex->Respond(Json(200, body));
    });
    Add("GET", "/api/v1/approvals/{id}", A::kViewer, [this](auto ex, auto& p, const store::User* u) {
      auto id = ParseId(p.at("id"), "approval");
      if (!id.ok()) return ex->Respond(ErrorResponse(id.status()));
      auto a = store_->GetApproval(*id);
      if (!a.ok()) return ex->Respond(ErrorResponse(a.status()));
      ex->Respond(Json(200, ApprovalToJson(*a, *approvals_, u)));
    });
    auto decide = [this](bool approve) {
      return [this, approve](std::shared_ptr<Exchange> ex, const std::map<std::string, std::string>& p,
                             const store::User* u) {
        auto id = ParseId(p.at("id"), "approval");
        if (!id.ok()) return ex->Respond(ErrorResponse(id.status()));
        auto body = JsonBody(ex->request());
        if (!body.ok()) return ex->Respond(ErrorResponse(body.status()));
        store::User user = *u;  // identity and role from the token, never from the body
        auto done = [this, ex, user](absl::StatusOr<store::ApprovalRecord> r) {
          if (!r.ok()) return ex->Respond(ErrorResponse(r.status()));
          ex->Respond(Json(200, ApprovalToJson(*r, *approvals_, &user)));
        };
        if (approve) {
          approvals_->Approve(*id, user, StringField(*body, "state_fingerprint"),
                              StringField(*body, "action_hash"),
                              StringField(*body, "comment").substr(0, 2000), done);
        } else {
          approvals_->Reject(*id, user, StringField(*body, "comment").substr(0, 2000), done);
        }
      };
    };
    Add("POST", "/api/v1/approvals/{id}/approve", A::kViewer, decide(true));
    Add("POST", "/api/v1/approvals/{id}/reject", A::kViewer, decide(false));
    Add("POST", "/api/v1/actions", A::kViewer, [this](auto ex, auto&, const store::User* u) {
      auto body = JsonBody(ex->request());
      if (!body.ok()) return ex->Respond(ErrorResponse(body.status()));
      // The request's text goes through the shield like any other outside text.
      privacy::Vault scratch;
      action::Draft d;
      d.kind = privacy::RedactedIdentifier(StringField(*body, "kind").substr(0, 64)).str();
      d.target_kind = privacy::RedactedIdentifier(StringField(*body, "target_kind").substr(0, 32)).str();
      int64_t incident_id = 0;
      if (auto it = body->find("incident_id"); it != body->end() && !it->is_null()) {
        if (!it->is_number_integer() || IntOf(*it) < 1) {
          return ex->Respond(
              ErrorResponse(absl::InvalidArgumentError("incident_id: must be a positive integer")));
        }
        incident_id = IntOf(*it);
      }
      // A snapshot: a raw value typed here gets a foreign label ("[~IP_1]") that never rehydrates,
      // so it can never come to mean a value ingestion labels later (see privacy::VaultUse).
      auto opened = store::OpenIncidentVault(*store_, *shield_, incident_id);
      if (!opened.ok()) {
        spdlog::error("incident {}: its vault does not open: {}", incident_id,
                      std::string(opened.status().message()));
        return ex->Respond(
            ErrorResponse(absl::InternalError("the incident's vault cannot be opened (see the log)")));
      }
      privacy::Vault vault = std::move(*opened);
      d.target = shield_->RedactPreservingLabels(StringField(*body, "target"), vault);
      if (auto params = body->find("params"); params != body->end()) {
        if (!params->is_object())
          return ex->Respond(ErrorResponse(absl::InvalidArgumentError("params: must be an object")));
        for (const auto& [k, v] : params->items()) {
          std::string text = ScalarOrDump(v);
          d.params[privacy::RedactedIdentifier(k.substr(0, 64)).str()] =
              shield_->RedactPreservingLabels(text, vault);
        }
      }
      d.expected_effect =
          shield_->RedactPreservingLabels(StringField(*body, "expected_effect").substr(0, 500), vault);
      store::User user = *u;
      approvals_->Request(user, std::move(d), incident_id,
                          [this, ex, user](absl::StatusOr<store::ApprovalRecord> r) {
                            if (!r.ok()) return ex->Respond(ErrorResponse(r.status()));
                            ex->Respond(Json(201, ApprovalToJson(*r, *approvals_, &user)));
                          });
    });
    Add("GET", "/api/v1/trust", A::kViewer, [this](auto ex, auto&, auto) {
      auto list = store_->ListTrust();
      if (!list.ok()) return ex->Respond(ErrorResponse(list.status()));
      const auto& t = approvals_->settings().trust;
      json items = json::array();
      for (const auto& r : *list) {
        items.push_back({{"pattern", r.pattern},
                         {"score", r.score},
                         {"approvals", r.approvals},
                         {"rejections", r.rejections},
                         {"medium_runs_automatically", r.score >= t.medium_to_low},
                         {"high_needs_one_signature", r.score >= t.high_to_medium},
                         {"updated_at", TimeOrNull(r.updated_at)}});
      }
      ex->Respond(Json(
          200, {{"patterns", items},
                {"thresholds", {{"medium_to_low", t.medium_to_low}, {"high_to_medium", t.high_to_medium}}}}));
    });
    Add("GET", "/api/v1/audit", A::kViewer, [this](auto ex, auto&, auto) {
      const HttpRequest& r = ex->request();
      store::AuditFilter f;
      if (auto it = r.query.find("kind"); it != r.query.end()) f.kind = it->second;
      if (auto it = r.query.find("subject"); it != r.query.end()) f.subject = it->second;
      if (auto it = r.query.find("limit");
          it != r.query.end() && (!absl::SimpleAtoi(it->second, &f.limit) || f.limit < 1 || f.limit > 1000)) {
        return ex->Respond(
            ErrorResponse(absl::InvalidArgumentError("limit: must be an integer between 1 and 1000")));
      }
      if (auto it = r.query.find("before");
          it != r.query.end() && !absl::SimpleAtoi(it->second, &f.before_seq)) {
        return ex->Respond(ErrorResponse(absl::InvalidArgumentError("before: must be an entry number")));
      }
      auto list = store_->ListAudit(f);
      if (!list.ok()) return ex->Respond(ErrorResponse(list.status()));
      json items = json::array();
      for (const auto& e : *list) items.push_back(AuditEntryToJson(e));
      json body = {{"entries", items}};
      body["next_before"] = static_cast<int64_t>(list->size()) == f.limit && !list->empty()
                                ? json(list->back().seq)
                                : json(nullptr);
      ex->Respond(Json(200, body));
    });
    Add("GET", "/api/v1/audit/verify", A::kViewer, [this](auto ex, auto&, auto) {
      auto r = runtime::VerifyAudit(*store_, audit_key_.get());
      if (!r.ok()) return ex->Respond(ErrorResponse(r.status()));
      ex->Respond(Json(200, {{"ok", r->ok},
                             {"entries", r->entries},
                             {"checkpoints", r->checkpoints},
                             {"first_bad", r->first_bad > 0 ? json(r->first_bad) : json(nullptr)},
                             {"reason", r->reason},
                             {"key_id", audit_key_->key_id()}}));
    });
    Add("GET", "/api/v1/audit/checkpoints", A::kViewer, [this](auto ex, auto&, auto) {
      auto list = store_->ListCheckpoints();
      if (!list.ok()) return ex->Respond(ErrorResponse(list.status()));
      json items = json::array();
      for (const auto& c : *list) {
        items.push_back({{"id", c.id},
                         {"tree_size", c.tree_size},
                         {"root", c.root},
                         {"key_id", c.key_id},
                         {"signature", c.signature},
                         {"at", TimeOrNull(c.at)}});
      }
      ex->Respond(Json(200, {{"checkpoints", items}, {"public_key", audit_key_->public_key_hex()}}));
    });

    // ---- The simulated cluster: its state, and changes "by someone else" (admin) for demos and tests.
    auto control = [this]() -> cluster::Control* {
      for (auto& e : executors_) {
        if (e->control() != nullptr) return e->control();
      }
      return nullptr;
    };
    Add("GET", "/api/v1/cluster", A::kViewer, [control](auto ex, auto&, auto) {
      cluster::Control* c = control();
      if (c == nullptr)
        return ex->Respond(ErrorResponse(absl::NotFoundError("no simulated cluster is configured")));
      ex->Respond(Json(200, InventoryToJsonValue(c->Snapshot())));
    });
    Add("POST", "/api/v1/cluster/pods/{namespace}/{name}/restart", A::kViewer,
        [control](auto ex, auto& p, const store::User* u) {
          if (!IsAdmin(u->role))
            return ex->Respond(ErrorResponse(absl::PermissionDeniedError("admins only")));
          cluster::Control* c = control();
          if (c == nullptr)
            return ex->Respond(ErrorResponse(absl::NotFoundError("no simulated cluster is configured")));
          if (auto s = c->RestartPod(p.at("namespace"), p.at("name")); !s.ok())
            return ex->Respond(ErrorResponse(s));
          ex->Respond(Json(200, {{"status", "restarted"}}));
        });
    Add("POST", "/api/v1/cluster/workloads/{namespace}/{name}/scale", A::kViewer,
        [control](auto ex, auto& p, const store::User* u) {
          if (!IsAdmin(u->role))
            return ex->Respond(ErrorResponse(absl::PermissionDeniedError("admins only")));
          cluster::Control* c = control();
          if (c == nullptr)
            return ex->Respond(ErrorResponse(absl::NotFoundError("no simulated cluster is configured")));
          auto body = JsonBody(ex->request());
          if (!body.ok()) return ex->Respond(ErrorResponse(body.status()));
          auto it = body->find("replicas");
          if (it == body->end() || !it->is_number_integer()) {
            return ex->Respond(ErrorResponse(absl::InvalidArgumentError("replicas: an integer is required")));
          }
          if (auto s = c->Scale(p.at("namespace"), p.at("name"), IntOf(*it)); !s.ok()) {
            return ex->Respond(ErrorResponse(s));
          }
          ex->Respond(Json(200, {{"status", "scaled"}}));
        });

    // ---- The notification outbox (notify/outbox.h).
    Add("GET", "/api/v1/notifications", A::kViewer, [this](auto ex, auto&, auto) {
      const HttpRequest& r = ex->request();
      store::DeliveryFilter f;
      if (auto it = r.query.find("status"); it != r.query.end() && !it->second.empty()) {
        if (it->second != "pending" && it->second != "delivered" && it->second != "dead") {
          return ex->Respond(
              ErrorResponse(absl::InvalidArgumentError("status: must be pending, delivered or dead")));
        }
        f.status = it->second;
      }
      if (auto it = r.query.find("channel"); it != r.query.end()) f.channel = it->second;
      if (auto it = r.query.find("limit");
          it != r.query.end() && (!absl::SimpleAtoi(it->second, &f.limit) || f.limit < 1 || f.limit > 1000)) {
        return ex->Respond(
            ErrorResponse(absl::InvalidArgumentError("limit: must be an integer between 1 and 1000")));
      }
      if (auto it = r.query.find("before");
          it != r.query.end() && !absl::SimpleAtoi(it->second, &f.before_id)) {
        return ex->Respond(ErrorResponse(absl::InvalidArgumentError("before: must be a delivery id")));
      }
      auto list = store_->ListDeliveries(f);
      if (!list.ok()) return ex->Respond(ErrorResponse(list.status()));
      json items = json::array();
      for (const auto& d : *list) {
        json fields = json::array();
        for (const auto& [k, v] : d.notification.fields) fields.push_back({{"name", k}, {"value", v}});
        items.push_back(
            {{"id", d.id},
             {"notification_id", d.notification_id},
             {"channel", d.channel},
             {"status", d.status},
             {"attempts", d.attempts},
             {"next_attempt_at", d.status == "pending" ? TimeOrNull(d.next_attempt_at) : json(nullptr)},
             {"http_status", d.http_status},
             {"last_error", d.last_error},
             {"created_at", TimeOrNull(d.created_at)},
             {"delivered_at", TimeOrNull(d.delivered_at)},
             {"idempotency_key", notify::IdempotencyKey(d.notification_id, d.channel)},
             {"event", d.notification.event},
             {"severity", std::string(ToString(d.notification.severity))},
             {"subject", d.notification.subject},
             {"title", d.notification.title},
             {"text", d.notification.text},
             {"fields", fields}});
      }
      json body = {{"deliveries", items}, {"channels", channel_names_}};
      body["next_before"] = static_cast<int64_t>(list->size()) == f.limit && !list->empty()
                                ? json(list->back().id)
                                : json(nullptr);
      ex->Respond(Json(200, body));
    });
    Add("GET", "/api/v1/topology", A::kViewer, [this](auto ex, auto&, auto) {
      HttpResponse r;
      r.body = topology::SnapshotToJson(topology_->Snapshot());
      ex->Respond(std::move(r));
    });
    Add("GET", "/api/v1/topology/{service}/blast-radius", A::kViewer, [this](auto ex, auto& p, auto) {
      auto depth = ParseDepth(ex->request(), static_cast<int>(config_.topology.default_depth));
      if (!depth.ok()) return ex->Respond(ErrorResponse(depth.status()));
      auto r = topology_->BlastRadius(p.at("service"), *depth);
      if (!r.ok()) return ex->Respond(ErrorResponse(r.status()));
      HttpResponse resp;
      resp.body = topology::BlastRadiusToJson(*r);
      ex->Respond(std::move(resp));
    });
    Add("GET", "/api/v1/topology/{service}/root-cause", A::kViewer, [this](auto ex, auto& p, auto) {
      auto depth = ParseDepth(ex->request(), static_cast<int>(config_.topology.default_depth));
      if (!depth.ok()) return ex->Respond(ErrorResponse(depth.status()));
      auto r = topology_->RootCause(p.at("service"), *depth);
      if (!r.ok()) return ex->Respond(ErrorResponse(r.status()));
      HttpResponse resp;
      resp.body = topology::RootCauseToJson(*r);
      ex->Respond(std::move(resp));
    });
  }

  Config config_;
  std::ostream& out_;
  std::unique_ptr<privacy::Shield> shield_;
  std::unique_ptr<store::Store> store_;
  std::string db_path_;
  std::unique_ptr<topology::Topology> topology_;
  std::vector<std::string> edge_to_labels_;  // labels that name a dependency (learned edges)
  std::vector<std::string> edge_labels_;     // every label an edge rule reads
  std::unique_ptr<analysis::HealthTracker> health_;
  std::unique_ptr<ingest::AlertSource> alertmanager_source_, generic_source_;
  action::Catalog catalog_;
  Metrics metrics_;
  EventHub events_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<Authenticator> authenticator_;
  std::map<std::string, std::string> demo_tokens_;
  std::string listen_host_;
  uint16_t listen_port_ = 0;
  bool loopback_ = true;
  std::string fingerprint_key_;               // keys the alert fingerprints the API shows
  std::unique_ptr<HmacSha256Key> group_key_;  // keys the stored group keys
  std::vector<std::unique_ptr<action::Executor>> executors_;
  std::unique_ptr<audit::CheckpointKey> audit_key_;
  std::unique_ptr<approval::ApprovalService> approvals_;
  std::unique_ptr<OutboxSender> outbox_;
  std::vector<std::string> channel_names_;
  std::thread maintenance_;
  std::mutex maintenance_mu_;
  std::condition_variable maintenance_cv_;
  bool stopping_ = false;  // guarded by maintenance_mu_
  std::vector<Route> routes_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<App>> App::Create(Config config, std::ostream& out) {
  auto app = std::make_unique<AppImpl>(std::move(config), out);
  if (auto s = app->Init(); !s.ok()) return s;
  return app;
}

}  // namespace awoooi::server
