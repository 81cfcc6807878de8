#include "server/app.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "awoooi/topology/loader.h"
#include "awoooi/topology/render.h"
#include "awoooi/version.h"
#include "ingest/alert_parser.h"
#include "ingest/alert_redactor.h"
#include "ingest/grouping.h"
#include "awoooi/brain/factory.h"
#include "plugins/stores/sqlite/sqlite_store.h"
#include "server/auth.h"
#include "server/event_hub.h"
#include "server/http.h"
#include "server/logging.h"
#include "server/metrics.h"
#include "server/pipeline.h"
#include "spdlog/spdlog.h"

namespace awoooi::server {
namespace {

using nlohmann::json;

struct EmbeddedFile {
  const char* name;
  const char* text;
};
constexpr EmbeddedFile kServerFiles[] = {
#include "awoooi/server_files.inc"
};

std::string_view Embedded(std::string_view name) {
  for (const auto& f : kServerFiles) {
    if (name == f.name) return f.text;
  }
  return {};
}

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

json IncidentToJson(const Incident& i) {
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
          {"version", i.version}};
}

json AlertToJson(const store::StoredAlert& a) {
  return {{"id", a.id},
          {"fingerprint", a.alert.fingerprint},
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
  std::function<void(std::shared_ptr<Exchange>, const std::map<std::string, std::string>&, const store::User*)> fn;
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

absl::StatusOr<int64_t> ParseId(const std::string& text) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(text, &id) || id <= 0) {
    return absl::InvalidArgumentError("the incident id must be a positive integer");
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

// Tracks which services have firing alerts (by fingerprint), to feed the topology's health.
// O(log n) per update: per-severity counts, not a scan of the service's alerts.
class HealthTracker {
 public:
  explicit HealthTracker(topology::Topology& t) : topology_(t) {}
  void Update(const std::string& service, const std::string& fingerprint, Severity severity, bool firing) {
    if (service.empty()) return;
    std::lock_guard<std::mutex> lock(mu_);
    auto& sa = firing_[service];
    auto it = sa.by_fingerprint.find(fingerprint);
    if (it != sa.by_fingerprint.end()) {
      --sa.counts[static_cast<int>(it->second)];
      if (firing) it->second = severity;
      else sa.by_fingerprint.erase(it);
    } else if (firing) {
      sa.by_fingerprint.emplace(fingerprint, severity);
    }
    if (firing) ++sa.counts[static_cast<int>(severity)];
    Severity worst = Severity::kNone;
    for (int i = 4; i > 0; --i) {
      if (sa.counts[i] > 0) {
        worst = static_cast<Severity>(i);
        break;
      }
    }
    if (worst == sa.reported) {
      if (sa.by_fingerprint.empty()) firing_.erase(service);
      return;
    }
    sa.reported = worst;
    if (sa.by_fingerprint.empty()) firing_.erase(service);
    if (worst == Severity::kNone) topology_.ClearHealth(service);
    else (void)topology_.SetHealth(service, worst);
  }

 private:
  struct ServiceAlerts {
    absl::flat_hash_map<std::string, Severity> by_fingerprint;
    int64_t counts[5] = {0, 0, 0, 0, 0};
    Severity reported = Severity::kNone;
  };
  topology::Topology& topology_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, ServiceAlerts> firing_;  // guarded by mu_
};

class AppImpl final : public App {
 public:
  AppImpl(Config config, std::ostream& out) : config_(std::move(config)), out_(out) {}

  absl::Status Init() {
    std::error_code ec;
    std::filesystem::create_directories(config_.data_dir, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("data_dir: cannot create ", config_.data_dir, ": ", ec.message()));
    std::string key_file = config_.privacy.vault_key_file.empty()
                               ? (std::filesystem::path(config_.data_dir) / "vault.key").string()
                               : config_.privacy.vault_key_file;
    auto key = LoadOrCreateVaultKey(key_file);
    if (!key.ok()) return key.status();
    privacy::ShieldConfig shield_config;
    shield_config.vault_key = *key;
    shield_config.custom_patterns = config_.privacy.custom_patterns;
    auto shield = privacy::Shield::Create(shield_config);
    if (!shield.ok()) return absl::InvalidArgumentError(absl::StrCat("privacy: ", shield.status().message()));
    shield_ = std::move(*shield);
    InitLogging(config_.log.level, config_.log.format, shield_.get());

    store::SqliteOptions so;
    so.path = config_.store.path.empty() ? (std::filesystem::path(config_.data_dir) / "awoooi.db").string()
                                         : config_.store.path;
    so.fsync = config_.store.fsync;
    so.max_queue_alerts = config_.store.max_queue_alerts;
    so.max_batch_alerts = config_.store.max_batch_alerts;
    so.reopen_window = absl::Milliseconds(config_.store.reopen_window_ms);
    auto store = store::OpenSqliteStore(so, std::make_unique<ingest::ShieldAlertRedactor>(*shield_));
    if (!store.ok()) return absl::Status(store.status().code(), absl::StrCat("store: ", store.status().message()));
    store_ = std::move(*store);
    db_path_ = so.path;

    // Topology: the configured file, else the embedded demo world.
    std::string topology_text;
    std::string topology_name = config_.topology.file.empty() ? "embedded demo topology" : config_.topology.file;
    if (config_.topology.file.empty()) {
      topology_text = std::string(DemoTopologyYaml());
    } else {
      std::ifstream in(config_.topology.file);
      if (!in) return absl::NotFoundError(absl::StrCat("topology.file: cannot read ", config_.topology.file));
      std::stringstream ss;
      ss << in.rdbuf();
      topology_text = ss.str();
    }
    auto loaded = topology::LoadTopologyYaml(topology_text);
    if (!loaded.graph) {
      return absl::InvalidArgumentError(absl::StrCat("topology.file: ", topology_name, ":\n",
                                                     topology::DiagnosticsToText(topology_name, loaded.diagnostics)));
    }
    topology::TopologyConfig tc;
    if (!config_.topology.dependency_label.empty()) {
      tc.edge_label_rules.insert(tc.edge_label_rules.begin(),
                                 topology::EdgeLabelRule{"service", config_.topology.dependency_label});
    }
    for (const auto& rule : tc.edge_label_rules) edge_to_labels_.push_back(rule.to_label);
    topology_ = std::make_unique<topology::Topology>(loaded.graph, tc);
    health_ = std::make_unique<HealthTracker>(*topology_);
    auto active = store_->ActiveAlerts(100'000);
    if (active.ok()) {
      for (const auto& a : *active) {
        health_->Update(ingest::ServiceOf(a.alert), a.alert.fingerprint, ParseSeverity(a.alert.Label("severity")), true);
      }
    }

    auto reasoner = brain::MakeReasoner(config_.brain, *shield_);
    if (!reasoner.ok()) return absl::InvalidArgumentError(absl::StrCat("config: ", reasoner.status().message()));
    PipelineOptions po;
    po.workers = static_cast<int>(config_.pipeline.workers);
    po.depth = static_cast<int>(config_.topology.default_depth);
    po.context_budget_chars = static_cast<int>(config_.topology.context_budget_chars);
    po.min_interval = std::chrono::milliseconds(config_.pipeline.min_interval_ms);
    pipeline_ = std::make_unique<Pipeline>(po, *store_, *shield_, *topology_, std::move(*reasoner), events_, metrics_);

    authenticator_ = std::make_unique<Authenticator>(*store_);
    if (config_.auth.demo_users) {
      out_ << "Demo users (tokens are shown once; each start issues new ones):\n";
      for (auto [name, role] : {std::pair{"alice", Role::kDevops}, std::pair{"bob", Role::kSre},
                                std::pair{"carol", Role::kCto}, std::pair{"dave", Role::kCiso},
                                std::pair{"admin", Role::kAdmin}}) {
        auto token = IssueToken(*store_, name, role);
        if (!token.ok()) return token.status();
        out_ << "  " << name << " (" << ToString(role) << "): " << *token << "\n";
      }
    }
    BuildRoutes();

    HttpServerOptions ho;
    auto colon = config_.server.listen.rfind(':');
    int port = 0;
    if (colon == std::string::npos || !absl::SimpleAtoi(config_.server.listen.substr(colon + 1), &port) || port < 0 ||
        port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("server.listen: \"", config_.server.listen, "\" is not HOST:PORT"));
    }
    ho.host = config_.server.listen.substr(0, colon);
    if (ho.host.size() > 2 && ho.host.front() == '[' && ho.host.back() == ']') ho.host = ho.host.substr(1, ho.host.size() - 2);
    if (ho.host.empty() || ho.host == "localhost") ho.host = "127.0.0.1";
    ho.port = static_cast<uint16_t>(port);
    ho.max_body_bytes = config_.server.max_body_bytes;
    ho.max_header_bytes = config_.server.max_header_bytes;
    ho.request_timeout_ms = config_.server.request_timeout_ms;
    ho.max_connections = config_.server.max_connections;
    ho.threads = config_.server.threads > 0 ? static_cast<int>(config_.server.threads)
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

  void Run() override {
    http_->Run();
    // The HTTP side has drained: stop the analyses (a running one finishes or is cancelled and
    // queues its result), then commit everything queued, acknowledged alerts first among it.
    pipeline_->Stop();
    store_->Close();
    spdlog::info("awoooi stopped");
  }

  void Shutdown() override {
    spdlog::info("shutting down: finishing in-flight requests (grace {} ms)", config_.server.shutdown_grace_ms);
    events_.CloseAll();
    http_->Shutdown(config_.server.shutdown_grace_ms);
  }

 private:
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

  void Dispatch(std::shared_ptr<Exchange> ex) {
    const HttpRequest& r = ex->request();
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
        if (header.empty()) {
          auto q = r.query.find("access_token");  // EventSource cannot set headers
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
      auto resp = ErrorResponse(405, "method_not_allowed", absl::StrCat(r.method.substr(0, 16), " is not allowed here; allowed: ", allowed));
      resp.headers.emplace_back("Allow", allowed);
      ex->Respond(std::move(resp));
      return;
    }
    ex->Respond(ErrorResponse(404, "not_found", "no such route (see /api/openapi.json)"));
  }

  absl::Status CheckIngestAuth(const HttpRequest& r) {
    if (config_.ingest.auth == "token") {
      std::string_view token = BearerToken(r.Header("authorization"));
      if (token.empty() || Sha256Hex(token) != Sha256Hex(config_.ingest.token)) {
        return absl::UnauthenticatedError("ingestion needs the configured bearer token");
      }
    } else if (config_.ingest.auth == "hmac") {
      if (!ingest::VerifyHmacSha256(r.body, config_.ingest.hmac_secret, r.Header("x-awoooi-signature"))) {
        return absl::UnauthenticatedError("missing or wrong X-AWOOOI-Signature (sha256=<hex HMAC-SHA256 of the body>)");
      }
    }
    return absl::OkStatus();
  }

  void Ingest(std::shared_ptr<Exchange> ex, bool alertmanager) {
    const HttpRequest& r = ex->request();
    auto started = std::chrono::steady_clock::now();
    std::string_view ct = r.Header("content-type");
    if (!ct.empty() && ct.find("json") == std::string_view::npos) {
      ex->Respond(ErrorResponse(415, "unsupported_media_type",
                                absl::StrCat("Content-Type must be application/json, not ", std::string(ct.substr(0, 100)))));
      return;
    }
    if (auto s = CheckIngestAuth(r); !s.ok()) {
      ex->Respond(ErrorResponse(s));
      return;
    }
    absl::Time now = absl::Now();
    auto alerts = alertmanager ? ingest::ParseAlertmanagerWebhook(r.body, config_.ingest.limits, now)
                               : ingest::ParseGenericAlerts(r.body, config_.ingest.limits, now);
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
      Seen s{ingest::ServiceOf(a), a.fingerprint, ParseSeverity(a.Label("severity")), a.status == AlertStatus::kFiring, {}};
      // Only alerts that name a dependency can teach an edge; the rest skip the copy.
      if (s.firing && std::any_of(edge_to_labels_.begin(), edge_to_labels_.end(),
                                  [&](const std::string& l) { return !a.Label(l).empty(); })) {
        s.labels = a.labels;
      }
      seen->push_back(std::move(s));
    }
    std::string source = alertmanager ? "alertmanager" : "generic";
    int64_t n = static_cast<int64_t>(alerts->size());
    store_->Ingest(ingest::PrepareItems(std::move(*alerts), config_.ingest.grouping),
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
      const char* type = o.incident_opened ? "incident.opened"
                         : o.incident_reopened ? "incident.reopened"
                         : o.incident_resolved ? "incident.resolved"
                         : o.status_changed ? "incident.updated" : nullptr;
      if (type) {
        events_.Publish(type, absl::StrCat("{\"incident_id\":", o.incident_id, ",\"version\":", o.incident_version, "}"));
      }
      // A new alert, a status change or a (re)opened incident is material: analyse again.
      if ((o.alert_created || o.status_changed) && s.firing) changed.insert(o.incident_id);
    }
    for (int64_t id : changed) pipeline_->Schedule(id);
  }

  void BuildRoutes() {
    using A = Route::Access;
    Add("GET", "/healthz", A::kPublic, [](auto ex, auto&, auto) { ex->Respond(Json(200, {{"status", "ok"}})); });
    Add("GET", "/readyz", A::kPublic, [this](auto ex, auto&, auto) {
      auto s = store_->Ping();
      ex->Respond(s.ok() ? Json(200, {{"status", "ready"}}) : ErrorResponse(absl::UnavailableError(s.message())));
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
      HttpResponse r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = metrics_.Render(gauges);
      ex->Respond(std::move(r));
    });
    Add("GET", "/api/openapi.json", A::kPublic, [](auto ex, auto&, auto) {
      HttpResponse r;
      r.body = std::string(OpenApiJson());
      ex->Respond(std::move(r));
    });
    Add("GET", "/", A::kPublic, [](auto ex, auto&, auto) {
      ex->Respond(Json(200, {{"name", "awoooi"},
                             {"version", AWOOOI_VERSION},
                             {"api", "/api/v1"},
                             {"openapi", "/api/openapi.json"},
                             {"health", "/healthz"},
                             {"metrics", "/metrics"}}));
    });
    Add("POST", "/api/v1/alerts/alertmanager", A::kIngest, [this](auto ex, auto&, auto) { Ingest(ex, true); });
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
          ex->Respond(ErrorResponse(absl::InvalidArgumentError("limit: must be an integer between 1 and 1000")));
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
      for (const auto& i : *list) items.push_back(IncidentToJson(i));
      json body = {{"incidents", items}};
      body["next_before"] = (static_cast<int64_t>(list->size()) == f.limit && !list->empty()) ? json(list->back().id)
                                                                                              : json(nullptr);
      ex->Respond(Json(200, body));
    });
    Add("GET", "/api/v1/incidents/{id}", A::kViewer, [this](auto ex, auto& p, auto) {
      auto id = ParseId(p.at("id"));
      if (!id.ok()) return ex->Respond(ErrorResponse(id.status()));
      auto d = store_->GetIncident(*id, kMaxAlertsPerIncidentAnswer);
      if (!d.ok()) return ex->Respond(ErrorResponse(d.status()));
      json j = IncidentToJson(d->incident);
      j["alerts"] = json::array();
      for (const auto& a : d->alerts) j["alerts"].push_back(AlertToJson(a));
      ex->Respond(Json(200, j));
    });
    Add("GET", "/api/v1/incidents/{id}/analysis", A::kViewer, [this](auto ex, auto& p, auto) {
      auto id = ParseId(p.at("id"));
      if (!id.ok()) return ex->Respond(ErrorResponse(id.status()));
      auto a = store_->GetAnalysis(*id);
      if (absl::IsNotFound(a.status())) {
        if (auto d = store_->GetIncident(*id, 1); !d.ok()) return ex->Respond(ErrorResponse(d.status()));
        return ex->Respond(ErrorResponse(404, "not_found", absl::StrCat("incident ", *id, " has no analysis yet; it is queued")));
      }
      if (!a.ok()) return ex->Respond(ErrorResponse(a.status()));
      HttpResponse r;
      r.body = a->json;
      ex->Respond(std::move(r));
    });
    Add("GET", "/api/v1/incidents/{id}/thinking", A::kViewer, [this](auto ex, auto& p, auto) {
      auto id = ParseId(p.at("id"));
      if (!id.ok()) return ex->Respond(ErrorResponse(id.status()));
      if (auto d = store_->GetIncident(*id, 1); !d.ok()) return ex->Respond(ErrorResponse(d.status()));
      auto stream = ex->StartEvents();
      if (stream) pipeline_->WatchThinking(*id, std::move(stream));
    });
    Add("GET", "/api/v1/events", A::kViewer, [this](auto ex, auto&, auto) {
      auto stream = ex->StartEvents();
      if (stream) events_.Subscribe(std::move(stream));
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
  std::unique_ptr<HealthTracker> health_;
  Metrics metrics_;
  EventHub events_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<Authenticator> authenticator_;
  std::vector<Route> routes_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace

std::string_view DemoTopologyYaml() { return Embedded("demo-topology.yaml"); }
std::string_view OpenApiJson() { return Embedded("openapi.json"); }

absl::StatusOr<std::string> LoadOrCreateVaultKey(const std::string& path) {
  std::ifstream in(path);
  if (in) {
    std::string hex;
    in >> hex;
    if (hex.size() != 64) return absl::InvalidArgumentError(absl::StrCat(path, ": expected 64 hex digits"));
    if (!std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c); })) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": expected 64 hex digits"));
    }
    return absl::HexStringToBytes(hex);
  }
  std::string key = privacy::GenerateVaultKey();
  std::string hex = ToHex(key);
  std::error_code ec;
  if (auto dir = std::filesystem::path(path).parent_path(); !dir.empty()) std::filesystem::create_directories(dir, ec);
  mode_t old = ::umask(077);
  std::ofstream out(path);
  out << hex << "\n";
  out.close();
  ::umask(old);
  if (!out) return absl::UnavailableError(absl::StrCat("privacy.vault_key_file: cannot write ", path));
  return key;
}

absl::StatusOr<std::unique_ptr<App>> App::Create(Config config, std::ostream& out) {
  auto app = std::make_unique<AppImpl>(std::move(config), out);
  if (auto s = app->Init(); !s.ok()) return s;
  return app;
}

}  // namespace awoooi::server
