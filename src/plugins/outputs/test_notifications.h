// Notifications for the notifier tests, built the only way the product builds them: every text
// passes a real Privacy Shield (privacy::Shield::Create) first. Test-only, header-only.
//
// Thread-safety: SharedShield() is created once and immutable; the rest are values.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "awoooi/notify/notifier.h"
#include "awoooi/privacy/shield.h"

namespace awoooi::plugins::outputs::testing {

inline const privacy::Shield& SharedShield() {
  static const privacy::Shield* shield = [] {
    auto s = privacy::Shield::Create({});
    return s.ok() ? s->release() : nullptr;
  }();
  return *shield;
}

// Text through the shield (a throwaway scope): what a notification may carry.
inline privacy::Redacted Shielded(std::string_view text) { return SharedShield().RedactEphemeral(text); }

// The demo incident's approval notification, in Traditional Chinese where people read it.
inline notify::Notification DemoNotification() {
  notify::Notification n;
  n.idempotency_key = "evt-42/ops";
  n.event = "approval.requested";
  n.severity = Severity::kCritical;
  n.title = Shielded("postgres-db 資料庫連線逾時：需要核准重新啟動");
  n.text =
      Shielded("frontend 5xx 比例超過 15%，根本原因是 postgres-db。\n建議：重新啟動 postgres-db 的 pod。");
  n.fields = {
      {"Alert", Shielded("frontend 5xx rate > 15%")},  {"Root cause", Shielded("postgres-db (database)")},
      {"Blast radius", Shielded("ingress")},           {"Risk", Shielded("HIGH")},
      {"Signatures", Shielded("0 of 2: devops, sre")}, {"Monthly savings", Shielded("$0")}};
  n.link = "https://awoooi.example.com/approvals/7";
  n.at = absl::FromUnixSeconds(1767323045);  // 2026-01-02T03:04:05Z
  return n;
}

}  // namespace awoooi::plugins::outputs::testing
