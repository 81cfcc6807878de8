#include "awoooi/topology/context.h"

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "topology/reason.h"

namespace awoooi::topology {
namespace {

using privacy::Redacted;
using privacy::RedactedIdentifier;
using privacy::RedactedNumber;

Redacted Id(std::string_view s) { return RedactedIdentifier(s); }

Redacted Path(const std::vector<std::string>& path, bool upstream) {
  Redacted out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out += upstream ? Redacted::Literal(" <- ") : Redacted::Literal(" -> ");
    out += Id(path[i]);
  }
  return out;
}

Redacted CandidatePart(const RootCauseCandidate& c, const RootCauseResult& rc) {
  return Redacted::Literal("root cause #") + RedactedNumber(c.rank) + Redacted::Literal(": ") +
         Id(c.service) + Redacted::Literal(" (") + Id(ToString(c.kind)) + Redacted::Literal(", ") +
         Id(ToString(c.severity)) + Redacted::Literal(", ") + Id(ToString(c.role)) +
         Redacted::Literal(", depth ") + RedactedNumber(c.depth) + Redacted::Literal(")\n  path: ") +
         Path(c.path, false) + Redacted::Literal("\n  reason: ") + CandidateReason(c, rc.service, rc.depth) +
         Redacted::Literal("\n");
}

Redacted AlertPart(const ContextAlert& a) {
  Redacted out = Redacted::Literal("alert [") + Id(ToString(a.severity)) + Redacted::Literal("] ") +
                 (a.service.empty() ? Redacted::Literal("(no service)") : Id(a.service)) +
                 Redacted::Literal(": ") + a.alertname;
  if (!a.summary.empty()) out += Redacted::Literal(" - ") + a.summary;
  if (!a.firing) out += Redacted::Literal(" (resolved)");
  return out + Redacted::Literal("\n");
}

bool IsPlainIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == ':' || c == '/' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<Redacted> OwnersPart(const std::optional<ServiceView>& service) {
  if (!service || service->owners.empty()) return std::nullopt;
  Redacted out = Redacted::Literal("owners of ") + Id(service->name) + Redacted::Literal(":");
  int hidden = 0, shown = 0;
  for (const std::string& owner : service->owners) {
    if (!IsPlainIdentifier(owner)) {
      ++hidden;
      continue;
    }
    out += (shown++ == 0 ? Redacted::Literal(" ") : Redacted::Literal(", ")) + Id(owner);
  }
  if (hidden > 0) out += Redacted::Literal(" (+") + RedactedNumber(hidden) + Redacted::Literal(" not shown)");
  return out + Redacted::Literal("\n");
}

}  // namespace

Redacted BuildRetrievalContext(const Topology& topology, const ContextRequest& request) {
  std::vector<Redacted> parts;
  std::optional<ServiceView> incident = topology.Service(request.service);

  // 1. The incident service.
  if (request.service.empty()) {
    parts.push_back(Redacted::Literal("incident: (no service label)\n"));
  } else if (!incident) {
    parts.push_back(Redacted::Literal("incident: ") + Id(request.service) +
                    Redacted::Literal(" (not in the topology)\n"));
  } else {
    Redacted p = Redacted::Literal("incident: ") + Id(incident->name) + Redacted::Literal(" (") +
                 Id(ToString(incident->kind)) + Redacted::Literal(", health ") +
                 Id(ToString(incident->health));
    if (!incident->ns.empty()) p += Redacted::Literal(", namespace ") + Id(incident->ns);
    parts.push_back(p + Redacted::Literal(")\n"));
  }

  // 2. The top root cause.
  const RootCauseResult* rc = request.root_cause;
  const RootCauseCandidate* top =
      rc != nullptr && !rc->root_causes.empty() ? &rc->root_causes.front() : nullptr;
  if (top != nullptr) parts.push_back(CandidatePart(*top, *rc));

  // 3. Firing alerts on the incident service and the top root cause's path.
  absl::flat_hash_set<std::string> on_path{request.service};
  if (top != nullptr) on_path.insert(top->path.begin(), top->path.end());
  std::vector<const ContextAlert*> alerts;
  if (request.alerts != nullptr) {
    for (const ContextAlert& a : *request.alerts) alerts.push_back(&a);
  }
  std::stable_sort(alerts.begin(), alerts.end(), [](const ContextAlert* a, const ContextAlert* b) {
    return std::tuple(!a->firing, -static_cast<int>(a->severity), std::string_view(a->service)) <
           std::tuple(!b->firing, -static_cast<int>(b->severity), std::string_view(b->service));
  });
  std::vector<const ContextAlert*> other_alerts;
  for (const ContextAlert* a : alerts) {
    if (a->firing && on_path.contains(a->service)) {
      parts.push_back(AlertPart(*a));
    } else {
      other_alerts.push_back(a);
    }
  }

  // 4. Who to call.
  if (auto p = OwnersPart(incident)) parts.push_back(*std::move(p));
  if (top != nullptr && top->service != request.service) {
    if (auto p = OwnersPart(topology.Service(top->service))) parts.push_back(*std::move(p));
  }

  // 5. The other candidates.
  if (rc != nullptr) {
    for (std::size_t i = 1; i < rc->root_causes.size(); ++i)
      parts.push_back(CandidatePart(rc->root_causes[i], *rc));
  }

  // 6. Who else is hurt.
  if (const BlastRadiusResult* br = request.blast_radius; br != nullptr) {
    parts.push_back(Redacted::Literal("blast radius (depth ") + RedactedNumber(br->depth) +
                    Redacted::Literal("): ") + RedactedNumber(static_cast<long long>(br->affected.size())) +
                    Redacted::Literal(" services depend on ") + Id(br->service) + Redacted::Literal("\n"));
    for (const AffectedService& a : br->affected) {
      Redacted p = Redacted::Literal("  depth ") + RedactedNumber(a.depth) + Redacted::Literal(": ") +
                   Id(a.service) + Redacted::Literal(" (") + Id(ToString(a.kind));
      if (a.health != Severity::kNone) p += Redacted::Literal(", ") + Id(ToString(a.health));
      parts.push_back(p + Redacted::Literal(") via ") + Path(a.path, true) + Redacted::Literal("\n"));
    }
  }

  // 7. Everything else the incident carries.
  for (const ContextAlert* a : other_alerts) parts.push_back(AlertPart(*a));

  std::size_t total = 0;
  for (const Redacted& p : parts) total += p.size();
  Redacted out;
  if (total <= request.budget_chars) {
    for (const Redacted& p : parts) out += p;
    return out;
  }
  // Leave room for the note, sized for the largest count it could carry.
  const Redacted widest_note = Redacted::Literal("[context truncated: ") +
                               RedactedNumber(static_cast<long long>(parts.size())) +
                               Redacted::Literal(" parts omitted]\n");
  const std::size_t room =
      request.budget_chars > widest_note.size() ? request.budget_chars - widest_note.size() : 0;
  long long omitted = 0;
  for (const Redacted& p : parts) {
    if (out.size() + p.size() <= room) {
      out += p;
    } else {
      ++omitted;
    }
  }
  if (request.budget_chars >= widest_note.size()) {
    out += Redacted::Literal("[context truncated: ") + RedactedNumber(omitted) +
           Redacted::Literal(" parts omitted]\n");
  }
  return out;
}

}  // namespace awoooi::topology
