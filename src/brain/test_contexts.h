// Realistic reasoning contexts for the brain's tests (test-only, header-only): the demo world of
// PRODUCT.md and a few single-alert incidents, built the way the pipeline builds them — every text
// through the shield in the incident's vault.
//
// Thread-safety: functions over values; the vault is the caller's.
#pragma once

#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "awoooi/brain/reasoner.h"
#include "awoooi/privacy/shield.h"

namespace awoooi::brain::testing {

// One shield for a whole test binary: compiling its detectors takes a noticeable fraction of a
// second, and a Shield is immutable and thread-safe.
inline const privacy::Shield& SharedShield() {
  static const privacy::Shield* shield = [] {
    auto s = privacy::Shield::Create({});
    if (!s.ok()) std::abort();
    return s->release();
  }();
  return *shield;
}

class ContextBuilder {
 public:
  ContextBuilder(const privacy::Shield& shield, privacy::Vault& vault) : shield_(shield), vault_(vault) {
    context_.vault = &vault_;
  }

  privacy::Redacted R(std::string_view text) { return shield_.Redact(text, vault_); }

  ContextBuilder& Incident(std::string_view service, std::string kind, std::string_view alertname,
                           std::string severity) {
    context_.incident_id = 42;
    context_.service = R(service);
    context_.service_kind = std::move(kind);
    context_.alertname = R(alertname);
    context_.severity = std::move(severity);
    return *this;
  }
  ContextBuilder& Alert(std::map<std::string, std::string> labels,
                        std::map<std::string, std::string> annotations, std::string status = "firing") {
    ContextAlert a;
    a.status = std::move(status);
    for (const auto& [k, v] : labels) a.labels[k] = R(v);
    for (const auto& [k, v] : annotations) a.annotations[k] = R(v);
    context_.alerts.push_back(std::move(a));
    return *this;
  }
  ContextBuilder& RootCause(std::string_view service, std::string kind, std::string_view ns,
                            std::string_view path, std::string_view reason,
                            std::string severity = "critical") {
    ServiceFinding f;
    f.service = R(service);
    f.kind = std::move(kind);
    f.namespace_ = R(ns);
    f.rank = static_cast<int>(context_.root_causes.size()) + 1;
    f.depth = 2;
    f.severity = std::move(severity);
    f.path = R(path);
    f.reason = R(reason);
    context_.root_causes.push_back(std::move(f));
    return *this;
  }
  ContextBuilder& Affected(std::string_view service, std::string kind, std::string_view ns) {
    ServiceFinding f;
    f.service = R(service);
    f.kind = std::move(kind);
    f.namespace_ = R(ns);
    f.depth = 1;
    context_.blast_radius.push_back(std::move(f));
    return *this;
  }
  ContextBuilder& Known(const std::vector<std::string>& services) {
    for (const auto& s : services) context_.known_services.push_back(R(s));
    return *this;
  }
  ContextBuilder& Document(std::string_view text) {
    context_.document = R(text);
    return *this;
  }
  ReasoningContext Build() const { return context_; }

 private:
  const privacy::Shield& shield_;
  privacy::Vault& vault_;
  ReasoningContext context_;
};

inline const std::vector<std::string>& DemoServices() {
  static const std::vector<std::string> kServices = {"ingress",     "frontend",  "auth-service",
                                                     "product-api", "order-api", "postgres-db"};
  return kServices;
}

// PRODUCT.md's demo: frontend 5xx > 15% with an IP and an e-mail in the annotations; postgres-db is
// the root cause; ingress is in the blast radius.
inline ReasoningContext DemoContext(const privacy::Shield& shield, privacy::Vault& vault) {
  ContextBuilder b(shield, vault);
  b.Incident("frontend", "frontend", "HighErrorRate5xx", "critical")
      .Alert({{"alertname", "HighErrorRate5xx"},
              {"service", "frontend"},
              {"namespace", "production"},
              {"severity", "critical"}},
             {{"summary", "frontend 5xx rate > 15%"},
              {"description", "User 192.168.1.100 with email admin@company.com sees 502 from frontend"}})
      .Alert({{"alertname", "PostgresDown"},
              {"service", "postgres-db"},
              {"namespace", "production"},
              {"severity", "critical"}},
             {{"summary", "postgres-db is not accepting connections"}})
      .RootCause("postgres-db", "database", "production", "frontend -> order-api -> postgres-db",
                 "PostgresDown firing (critical)")
      .Affected("ingress", "ingress", "production")
      .Known(DemoServices())
      .Document(
          "Incident on frontend (frontend): HighErrorRate5xx critical. Root cause candidates: postgres-db "
          "(database, rank 1) via frontend -> order-api -> postgres-db. Blast radius: ingress. Annotation: "
          "User "
          "192.168.1.100 with email admin@company.com sees 502 from frontend.");
  return b.Build();
}

}  // namespace awoooi::brain::testing
