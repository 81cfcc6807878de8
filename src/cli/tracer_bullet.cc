#include "cli/tracer_bullet.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "awoooi/core/digest.h"
#include "awoooi/net/http_client.h"
#include "runtime/runtime.h"

namespace awoooi::cli {
namespace {

using nlohmann::json;

constexpr char kRule[] = "============================================================";

// The demo incident (PRODUCT.md "The demo scenario"), marked with this run's id so it is a new
// alert even against a server that has seen the demo before.
std::string DemoPayload(const std::string& test_id) {
  auto alert = [&](const char* name, const char* service, const char* summary, const char* description) {
    return json{{"status", "firing"},
                {"labels",
                 {{"alertname", name},
                  {"service", service},
                  {"namespace", "production"},
                  {"severity", "critical"},
                  {"tracer_bullet", test_id}}},
                {"annotations", {{"summary", summary}, {"description", description}}},
                {"startsAt", FormatRfc3339(absl::Now())},
                {"endsAt", "0001-01-01T00:00:00Z"},
                {"generatorURL", "http://prometheus.example:9090/graph"},
                {"fingerprint", "0000000000000000"}};
  };
  json payload = {
      {"receiver", "awoooi"},
      {"status", "firing"},
      {"alerts",
       {alert("HighErrorRate", "frontend", "frontend 5xx rate > 15%",
              "5xx responses at 17.2% for 10m; top client 192.168.1.100, on-call contact admin@company.com"),
        alert("PostgresTooManyConnections", "postgres-db",
              "postgres-db connections at 98% of max_connections",
              "pg_stat_activity shows 490/500 connections; clients from 10.20.3.14 and 10.20.3.15")}},
      {"groupLabels", json::object()},
      {"commonLabels", {{"namespace", "production"}}},
      {"commonAnnotations", json::object()},
      {"externalURL", "http://alertmanager.example:9093"},
      {"version", "4"},
      {"groupKey", "{}:{}"},
      {"truncatedAlerts", 0}};
  return payload.dump();
}

class Client {
 public:
  Client(std::string url, std::string token) : url_(std::move(url)), token_(std::move(token)) {}
  // {status, body as JSON (null when not JSON)}; an error when the server cannot be reached.
  absl::StatusOr<std::pair<int, json>> Call(const std::string& method, const std::string& path,
                                            const std::string& body = "",
                                            const std::string& token = "") const {
    net::HttpRequest r;
    r.method = method;
    r.url = url_ + path;
    r.body = body;
    r.timeout_ms = 30'000;
    r.connect_timeout_ms = 5'000;
    r.headers.emplace_back("Content-Type", "application/json");
    const std::string& t = token.empty() ? token_ : token;
    if (!t.empty()) r.headers.emplace_back("Authorization", "Bearer " + t);
    auto resp = net::HttpCall(r);
    if (!resp.ok()) return resp.status();
    return std::make_pair(resp->status, json::parse(resp->body, nullptr, false));
  }
  void set_token(std::string t) { token_ = std::move(t); }

 private:
  std::string url_;
  std::string token_;
};

std::string ErrorOf(const json& body) {
  if (body.is_object() && body.contains("error")) return body["error"].value("message", "");
  return body.is_discarded() ? "not JSON" : body.dump().substr(0, 200);
}

struct Step {
  std::string name;
  bool passed = false;
  std::string detail;
};

// Polls `fn` until it returns true or the deadline passes.
template <typename Fn>
bool Until(absl::Duration timeout, Fn fn) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (fn()) return true;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return fn();
}

}  // namespace

int RunTracerBullet(const TracerBulletOptions& options, const Faces& faces, std::ostream& out) {
  const std::string test_id = "tb2-" + absl::FormatTime("%Y%m%d%H%M%S", absl::Now(), absl::UTCTimeZone());
  out << kRule << "\nTRACER BULLET 2.0 - FULL LOOP TEST\nTest ID: " << test_id << "\n" << kRule << "\n";
  std::vector<Step> steps = {{"trigger_alert"},
                             {"graphrag_analysis"},
                             {"generate_approval"},
                             {"multisig_approval"},
                             {"mcp_execution"}};
  auto finish = [&](std::size_t failed_at, const std::string& why) {
    if (failed_at < steps.size()) {
      steps[failed_at].detail = why;
      for (std::size_t i = failed_at + 1; i < steps.size(); ++i)
        steps[i].detail = "not run: an earlier step failed";
    }
    int passed = 0;
    for (const auto& s : steps) {
      passed += s.passed;
      out << (s.passed ? "[x] [" : "[ ] [") << s.name << "] " << (s.passed ? "PASS" : "FAIL");
      if (!s.detail.empty()) out << (s.passed ? " - " : ": ") << s.detail;
      out << "\n";
    }
    int failed = static_cast<int>(steps.size()) - passed;
    out << kRule << "\nTEST SUMMARY\n"
        << kRule << "\nTotal Steps: " << steps.size() << "\nPassed: " << passed << "\nFailed: " << failed
        << "\nStatus: " << (failed == 0 ? "ALL PASSED" : "FAILED") << "\n";
    return failed == 0 ? 0 : 1;
  };

  // The server: the given one, or our own.
  auto config = runtime::LoadConfig(options.config_file, runtime::ProcessEnvironment());
  if (!config.ok()) return finish(0, std::string(config.status().message()));
  std::unique_ptr<RunningServer> own;
  std::map<std::string, std::string> tokens;
  std::string url = options.url;
  std::filesystem::path scratch;
  if (url.empty()) {
    if (!faces.start) return finish(0, "this build cannot start a server in-process; pass --url");
    runtime::Config c = *config;
    if (!options.data_dir.empty()) {
      c.data_dir = options.data_dir;
    } else {
      scratch =
          std::filesystem::temp_directory_path() / ("awoooi-" + test_id + "-" + std::to_string(::getpid()));
      c.data_dir = scratch.string();
    }
    c.server.listen = "127.0.0.1:0";
    c.auth.demo_users = true;
    c.pipeline.min_interval_ms = 0;
    auto started = faces.start(std::move(c));
    if (!started.ok())
      return finish(0, absl::StrCat("could not start a server: ", started.status().message()));
    own = std::move(*started);
    url = own->url();
    tokens = own->demo_tokens();
  } else {
    // Sign as the demo users: mint tokens for them in the server's data directory.
    runtime::Config c = *config;
    if (!options.data_dir.empty()) c.data_dir = options.data_dir;
    auto shield = runtime::MakeShield(c);
    auto store = shield.ok() ? runtime::OpenStore(c, **shield)
                             : absl::StatusOr<std::unique_ptr<store::Store>>(shield.status());
    if (store.ok()) {
      for (auto [name, role] :
           {std::pair{"alice", Role::kDevops}, std::pair{"bob", Role::kSre}, std::pair{"carol", Role::kCto},
            std::pair{"dave", Role::kCiso}, std::pair{"admin", Role::kAdmin}}) {
        auto t = runtime::IssueToken(**store, name, role);
        if (t.ok()) tokens[name] = *t;
      }
      (*store)->Close();
    }
  }
  std::string reader = !options.token.empty() ? options.token : tokens.count("alice") ? tokens["alice"] : "";
  Client client(url, reader);
  const absl::Duration step_timeout = absl::Seconds(options.timeout_seconds);
  int result = 0;
  auto run = [&]() -> int {
    // 1. trigger_alert
    // A run id unique beyond the second, so every run's alert is new to the server.
    auto posted = client.Call("POST", "/api/v1/alerts/alertmanager",
                              DemoPayload(absl::StrCat(test_id, "-", ToHex(RandomBytes(4)))));
    if (!posted.ok()) return finish(0, absl::StrCat("cannot reach ", url, ": ", posted.status().message()));
    if (posted->first != 200)
      return finish(0, absl::StrCat("HTTP ", posted->first, ": ", ErrorOf(posted->second)));
    int64_t incident_id = 0;
    for (const auto& id : posted->second.value("incidents", json::array())) {
      auto d = client.Call("GET", absl::StrCat("/api/v1/incidents/", id.get<int64_t>()));
      if (d.ok() && d->first == 200 && d->second.value("service", "") == "frontend")
        incident_id = id.get<int64_t>();
    }
    if (incident_id == 0) return finish(0, "the alert was stored but no frontend incident came back");
    auto detail = client.Call("GET", absl::StrCat("/api/v1/incidents/", incident_id));
    int64_t version = detail.ok() && detail->first == 200 ? detail->second.value("version", int64_t{0}) : 0;
    steps[0].passed = true;
    steps[0].detail = absl::StrCat("incident ", incident_id, " (version ", version, "), stored durably");

    // 2. graphrag_analysis
    json analysis;
    bool analysed = Until(step_timeout, [&] {
      auto a = client.Call("GET", absl::StrCat("/api/v1/incidents/", incident_id, "/analysis"));
      if (!a.ok() || a->first != 200 || a->second.value("incident_version", int64_t{0}) < version)
        return false;
      analysis = a->second;
      return analysis.contains("proposal") && !analysis["proposal"].is_null();
    });
    if (!analysed) return finish(1, "no analysis with a proposal within the step's timeout");
    std::string root = analysis["root_cause"].is_object() && !analysis["root_cause"]["root_causes"].empty()
                           ? analysis["root_cause"]["root_causes"][0].value("service", "")
                           : "";
    auto blast = analysis["blast_radius"].is_object() ? analysis["blast_radius"]["affected"].size() : 0;
    if (root.empty()) return finish(1, "the analysis found no root cause");
    std::string text = analysis.dump();
    for (const char* raw : {"192.168.1.100", "admin@company.com", "10.20.3.14"}) {
      if (text.find(raw) != std::string::npos) return finish(1, "a raw value reached the analysis document");
    }
    steps[1].passed = true;
    steps[1].detail =
        absl::StrCat("root cause ", root, ", blast radius ", blast, " service(s), reasoner ",
                     analysis["proposal"].value("reasoner", ""), ", no raw value in the document");

    // 3. generate_approval
    int64_t proposal_id = analysis.value("proposal_id", int64_t{0});
    json approval;
    bool offered = Until(step_timeout, [&] {
      auto list =
          client.Call("GET", absl::StrCat("/api/v1/approvals?incident_id=", incident_id, "&limit=50"));
      if (!list.ok() || list->first != 200) return false;
      for (const auto& a : list->second["approvals"]) {
        if (a.value("proposal_id", json()).is_number() && a["proposal_id"].get<int64_t>() == proposal_id &&
            a["action"].value("kind", "") != "investigate") {
          approval = a;
          return true;
        }
      }
      return false;
    });
    if (!offered) return finish(2, absl::StrCat("no approval request for proposal ", proposal_id));
    int64_t approval_id = approval["id"].get<int64_t>();
    std::string risk = approval["risk"].value("effective", "");
    const std::string initial = approval.value("status", "");
    if (initial != "pending" &&
        !(initial == "approved" || initial == "executing" || initial == "succeeded")) {
      return finish(2, absl::StrCat("approval ", approval_id, " is already ", initial, ": ",
                                    approval.value("reason", "")));
    }
    if (initial != "pending" && risk != "LOW") {
      return finish(2, absl::StrCat("approval ", approval_id, " was decided before anyone signed it"));
    }
    if (approval["status"] == "pending" && !approval["dry_run"].value("passed", false)) {
      return finish(2, absl::StrCat("approval ", approval_id, " is blocked: ", approval.value("reason", "")));
    }
    steps[2].passed = true;
    steps[2].detail = absl::StrCat("approval ", approval_id, ": ", approval["action"].value("kind", ""), " ",
                                   approval["action"].value("target", ""), ", risk ", risk, ", dry-run ",
                                   approval["dry_run"].value("summary", ""));

    // 4. multisig_approval: every demo user who may sign, signs, until no factor is open.
    std::vector<std::string> signers;
    for (const char* who : {"alice", "bob", "carol", "dave", "admin"}) {
      auto current = client.Call("GET", absl::StrCat("/api/v1/approvals/", approval_id), "", tokens[who]);
      if (!current.ok() || current->first != 200) continue;
      approval = current->second;
      if (approval.value("status", "") != "pending") break;
      if (!approval.value("can_sign", false)) continue;
      json body = {{"state_fingerprint", approval["dry_run"].value("state_fingerprint", "")},
                   {"action_hash", approval["action"].value("action_hash", "")},
                   {"comment", "tracer bullet " + test_id}};
      auto signed_now = client.Call("POST", absl::StrCat("/api/v1/approvals/", approval_id, "/approve"),
                                    body.dump(), tokens[who]);
      if (!signed_now.ok()) return finish(3, std::string(signed_now.status().message()));
      if (signed_now->first != 200) {
        return finish(3, absl::StrCat(who, " could not sign: HTTP ", signed_now->first, ": ",
                                      ErrorOf(signed_now->second)));
      }
      approval = signed_now->second;
      signers.push_back(absl::StrCat(who, " (", approval["signatures"].back().value("role", ""), ")"));
    }
    std::string status = approval.value("status", "");
    if (status == "pending") {
      return finish(3, tokens.empty() ? "no demo user tokens to sign with (pass --data-dir of the server)"
                                      : "the demo users could not meet every factor");
    }
    if (status == "voided" || status == "rejected" || status == "expired") {
      return finish(
          3, absl::StrCat("approval ", approval_id, " ended ", status, ": ", approval.value("reason", "")));
    }
    std::string who;
    for (const auto& s : signers) who += (who.empty() ? "" : ", ") + s;
    steps[3].passed = true;
    steps[3].detail =
        absl::StrCat("signed by ", signers.empty() ? std::string("nobody (automatic: trusted pattern)") : who,
                     "; dry-run re-checked before execution");

    // 5. mcp_execution
    bool executed = Until(step_timeout, [&] {
      auto a = client.Call("GET", absl::StrCat("/api/v1/approvals/", approval_id));
      if (!a.ok() || a->first != 200) return false;
      approval = a->second;
      std::string st = approval.value("status", "");
      return st == "succeeded" || st == "failed" || st == "voided";
    });
    if (!executed) return finish(4, "the execution did not finish within the step's timeout");
    if (approval["status"] != "succeeded") {
      return finish(4, absl::StrCat("execution ", approval.value("status", ""), ": ",
                                    approval["result"].is_object() ? approval["result"].value("detail", "")
                                                                   : approval.value("reason", "")));
    }
    auto verify = client.Call("GET", "/api/v1/audit/verify");
    if (!verify.ok() || verify->first != 200 || !verify->second.value("ok", false)) {
      return finish(4, "executed, but the audit trail does not verify");
    }
    steps[4].passed = true;
    steps[4].detail = absl::StrCat(approval["result"].value("detail", ""), "; audit trail verified (",
                                   verify->second.value("entries", 0), " entries)");
    return finish(steps.size(), "");
  };
  result = run();
  own.reset();
  if (!scratch.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
  }
  return result;
}

}  // namespace awoooi::cli
