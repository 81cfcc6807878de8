#include "plugins/actions/kubernetes/kubernetes_executor.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "awoooi/core/digest.h"
#include "awoooi/net/http_client.h"
#include "awoooi/privacy/shield.h"
#include "plugins/actions/kubernetes/api_client.h"
#include "plugins/actions/kubernetes/kubeconfig.h"
#include "plugins/actions/kubernetes/label_selector.h"

namespace awoooi::action {
namespace {

using json = nlohmann::json;
using kubernetes::ApiClient;
using kubernetes::ApiReply;
using kubernetes::LabelSelector;
using kubernetes::QueryEscape;
using privacy::Redacted;

constexpr absl::Duration kPlanLifetime = absl::Minutes(15);
constexpr std::size_t kMaxPlans = 1024;
constexpr std::size_t kMaxOutputBytes = 4096;
constexpr char kStrategicMerge[] = "application/strategic-merge-patch+json";
constexpr char kJson[] = "application/json";
constexpr char kRestartedAt[] = "kubectl.kubernetes.io/restartedAt";

template <std::size_t N>
Redacted L(const char (&text)[N]) {
  return Redacted::Literal(text);
}
Redacted Num(long long v) { return privacy::RedactedNumber(v); }

struct Config {
  std::string name;
  int64_t timeout_ms = 15'000;
  int64_t eviction_backoff_ms = 1'000;
  int64_t max_duration_ms = 300'000;
  bool fallback_delete = false;
};

// ---------------------------------------------------------------------------------------------------------------
// JSON access that never throws.

const json* At(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}
std::string Str(const json& j, std::initializer_list<const char*> path) {
  const json* v = At(j, path);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}
int64_t Int(const json& j, std::initializer_list<const char*> path, int64_t fallback) {
  const json* v = At(j, path);
  return v != nullptr && v->is_number_integer() ? v->get<int64_t>() : fallback;
}
bool Bool(const json& j, std::initializer_list<const char*> path) {
  const json* v = At(j, path);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}
std::map<std::string, std::string> Labels(const json& obj) {
  std::map<std::string, std::string> out;
  if (const json* l = At(obj, {"metadata", "labels"}); l != nullptr && l->is_object()) {
    for (auto it = l->begin(); it != l->end(); ++it) {
      if (it->is_string()) out[it.key()] = it->get<std::string>();
    }
  }
  return out;
}
const json& Items(const json& list) {
  static const json* empty = new json(json::array());
  const json* items = At(list, {"items"});
  return items != nullptr && items->is_array() ? *items : *empty;
}
// False for an operator the API does not define (the selector then selects nothing: fail closed).
bool ParseSelector(const json* j, LabelSelector* out) {
  *out = LabelSelector{};
  if (j == nullptr || j->is_null()) return true;
  if (!j->is_object()) return false;
  out->present = true;
  if (const json* ml = At(*j, {"matchLabels"}); ml != nullptr && ml->is_object()) {
    for (auto it = ml->begin(); it != ml->end(); ++it) {
      if (it->is_string()) out->match_labels[it.key()] = it->get<std::string>();
    }
  }
  if (const json* me = At(*j, {"matchExpressions"}); me != nullptr && me->is_array()) {
    for (const json& e : *me) {
      kubernetes::LabelRequirement r{Str(e, {"key"}), Str(e, {"operator"}), {}};
      if (r.op != "In" && r.op != "NotIn" && r.op != "Exists" && r.op != "DoesNotExist") return false;
      if (const json* vs = At(e, {"values"}); vs != nullptr && vs->is_array()) {
        for (const json& v : *vs) {
          if (v.is_string()) r.values.push_back(v.get<std::string>());
        }
      }
      out->expressions.push_back(std::move(r));
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Objects, their API paths and their names for people.

struct ObjectRef {
  std::string resource;  // pods, deployments, statefulsets, nodes, persistentvolumeclaims
  std::string ns, name;  // real values

  std::string Collection() const {
    std::string prefix =
        resource == "deployments" || resource == "statefulsets" ? "/apis/apps/v1" : "/api/v1";
    if (resource == "nodes") return prefix + "/nodes";
    return absl::StrCat(prefix, "/namespaces/", ns, "/", resource);
  }
  std::string Path() const { return absl::StrCat(Collection(), "/", name); }
  const char* Group() const { return resource == "deployments" || resource == "statefulsets" ? "apps" : ""; }
};

Redacted KindWord(std::string_view resource) {
  if (resource == "deployments") return L("deployment");
  if (resource == "statefulsets") return L("statefulset");
  if (resource == "pods") return L("pod");
  if (resource == "nodes") return L("node");
  if (resource == "persistentvolumeclaims") return L("PVC");
  return L("object");
}

// ---------------------------------------------------------------------------------------------------------------
// A parsed answer.

struct Reply {
  int code = 0;
  json body;            // the object, list or Status (null when the body is not JSON)
  std::string message;  // Status.message (may carry real values: redact before use)
  std::string reason;   // Status.reason
  std::string retry_after;
  bool ok() const { return code >= 200 && code < 300; }
};

Reply Parse(ApiReply raw) {
  Reply r;
  r.code = raw.code;
  r.retry_after = std::move(raw.retry_after);
  r.body = json::parse(raw.body, nullptr, /*allow_exceptions=*/false);
  if (r.body.is_discarded()) r.body = nullptr;
  if (Str(r.body, {"kind"}) == "Status") {
    r.message = Str(r.body, {"message"});
    r.reason = Str(r.body, {"reason"});
  }  // a non-Status error body is not quoted: cutting it could cut a real value in half
  return r;
}

// The Status reason for an absl::Status message: a word from the API's vocabulary, never data.
std::string ReasonWord(const Reply& r) {
  std::string w;
  for (char c : r.reason.substr(0, 40)) {
    if (absl::ascii_isalpha(static_cast<unsigned char>(c))) w.push_back(c);
  }
  return w;
}

// A short, JSON form of an answer for ExecutionResult.output (objects lose all but identity and the
// fields actions change; Status bodies are kept whole).
json Summarize(const json& body) {
  if (!body.is_object()) return body;
  if (Str(body, {"kind"}) == "Status") {
    json out = body;
    out.erase("metadata");
    return out;
  }
  json out = json::object();
  for (const char* k : {"apiVersion", "kind"}) {
    if (body.contains(k)) out[k] = body[k];
  }
  if (const json* md = At(body, {"metadata"}); md != nullptr && md->is_object()) {
    json m = json::object();
    for (const char* k :
         {"name", "namespace", "uid", "resourceVersion", "generation", "deletionTimestamp", "finalizers"}) {
      if (md->contains(k)) m[k] = (*md)[k];
    }
    out["metadata"] = m;
  }
  json spec = json::object();
  for (const char* k : {"replicas", "paused", "unschedulable"}) {
    if (const json* v = At(body, {"spec", k}); v != nullptr) spec[k] = *v;
  }
  if (const json* a = At(body, {"spec", "template", "metadata", "annotations", kRestartedAt}); a != nullptr) {
    spec["template"]["metadata"]["annotations"][kRestartedAt] = *a;
  }
  if (!spec.empty()) out["spec"] = spec;
  json status = json::object();
  for (const char* k : {"replicas", "phase"}) {
    if (const json* v = At(body, {"status", k}); v != nullptr) status[k] = *v;
  }
  if (!status.empty()) out["status"] = status;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// One DryRun or Execute: the API calls with the context's deadline and cancel, the objects seen.

class Session {
 public:
  Session(const ApiClient& api, const ExecutionContext& ctx, const RealAction& real, const Action& action,
          absl::Time deadline)
      : api_(api), ctx_(ctx), real_(real), action_(action), deadline_(deadline) {}

  absl::StatusOr<Reply> Call(std::string_view method, const std::string& path, const std::string& body,
                             std::string_view content_type, std::string_view what, absl::Time deadline) {
    auto raw = api_.Call(method, path, body, content_type, what, std::min(deadline, deadline_), ctx_.cancel);
    if (!raw.ok()) return raw.status();
    return Parse(*std::move(raw));
  }
  absl::StatusOr<Reply> Call(std::string_view method, const std::string& path, const json& body,
                             std::string_view content_type, std::string_view what) {
    return Call(method, path, body.is_null() ? std::string() : body.dump(), content_type, what, deadline_);
  }
  absl::StatusOr<Reply> Get(const std::string& path, std::string_view what) {
    return Call("GET", path, std::string(), "", what, deadline_);
  }

  // The fingerprint covers every object looked at: identity, uid and resourceVersion; absent
  // objects count too (their later creation is a change).
  void Observe(std::string_view resource, const json& obj) {
    seen_.insert(absl::StrCat(std::string(resource), " ", Str(obj, {"metadata", "namespace"}), "/",
                              Str(obj, {"metadata", "name"}), " uid=", Str(obj, {"metadata", "uid"}),
                              " rv=", Str(obj, {"metadata", "resourceVersion"})));
  }
  void ObserveAbsent(const ObjectRef& ref) {
    seen_.insert(absl::StrCat(ref.resource, " ", ref.ns, "/", ref.name, " absent"));
  }
  std::string Fingerprint() const { return Sha256Hex(absl::StrJoin(seen_, "\n")); }

  // Text from the API server or a real name, in the incident's vault.
  Redacted R(std::string_view real_text) const { return ctx_.shield->Redact(real_text, *ctx_.vault); }
  // A real object name for people: the action's own label when it is the target, else redacted.
  Redacted Name(const std::string& real_name) const {
    if (real_name == real_.target()) return action_.target().name;
    return R(real_name);
  }
  Redacted Ns() const { return action_.target().ns; }

  const RealAction& real() const { return real_; }
  const Action& action() const { return action_; }
  const ExecutionContext& ctx() const { return ctx_; }
  absl::Time deadline() const { return deadline_; }

  // Waits `ms` unless the deadline or the cancel flag comes first (false then).
  bool Sleep(int64_t ms, absl::Time until) const {
    absl::Time end = std::min(absl::Now() + absl::Milliseconds(ms), until);
    while (absl::Now() < end) {
      if (ctx_.cancel != nullptr && ctx_.cancel->load()) return false;
      absl::SleepFor(std::min(absl::Milliseconds(50), end - absl::Now()));
    }
    return !(ctx_.cancel != nullptr && ctx_.cancel->load()) && absl::Now() < until;
  }

 private:
  const ApiClient& api_;
  const ExecutionContext& ctx_;
  const RealAction& real_;
  const Action& action_;
  absl::Time deadline_;
  std::set<std::string> seen_;
};

// ---------------------------------------------------------------------------------------------------------------
// What a dry-run saw, for the Execute that follows it.

struct Plan {
  absl::Time made = absl::InfinitePast();
  bool found = false;  // the object to act on exists
  ObjectRef object;    // the pod, workload, node or PVC acted on
  std::string uid, resource_version;
  ObjectRef owner;  // restart_pod: the pod's workload (resource empty when unknown)
  bool paused = false;
  int64_t replicas_before = 0;
  int64_t pods = 0;
};

struct Inspection {
  DryRunReport report;
  Plan plan;
  void Add(std::string name, bool passed, Redacted detail) {
    report.checks.push_back(Check{std::move(name), passed, std::move(detail)});
  }
  bool HasFailed() const {
    return std::any_of(report.checks.begin(), report.checks.end(), [](const Check& c) { return !c.passed; });
  }
};

enum class Read { kOk, kNotFound, kDenied };

// Classifies the answer to a read: 2xx, 404 and refusals (401/403: a failed "rbac" check) are
// outcomes; anything else means the dry-run cannot run.
absl::StatusOr<Read> Classify(const Session& s, const Reply& r, std::string_view what, Inspection* in) {
  if (r.ok()) return Read::kOk;
  if (r.code == 404) return Read::kNotFound;
  if (r.code == 401) {
    in->Add("rbac", false, L("the API server did not accept the credentials (401 Unauthorized)"));
    return Read::kDenied;
  }
  if (r.code == 403) {
    in->Add("rbac", false, L("not permitted to read what the action needs: ") + s.R(r.message));
    return Read::kDenied;
  }
  return absl::UnavailableError(
      absl::StrCat("GET ", std::string(what), ": the API server answered ", r.code, " ", ReasonWord(r)));
}

// A list read: the list, or nullopt when a check failed (recorded in `in`).
absl::StatusOr<std::optional<json>> ReadList(Session& s, const std::string& path, const std::string& what,
                                             Inspection* in) {
  auto r = s.Get(path, what);
  if (!r.ok()) return r.status();
  auto c = Classify(s, *r, what, in);
  if (!c.ok()) return c.status();
  if (*c == Read::kDenied) return std::nullopt;
  if (*c == Read::kNotFound) {
    in->Add("exists", false, L("the API server does not serve ") + privacy::RedactedIdentifier(what));
    return std::nullopt;
  }
  return std::move(r->body);
}

// SelfSubjectAccessReview for the exact verb, resource and subresource.
absl::Status CheckAccess(Session& s, const char* verb, const ObjectRef& ref, const char* subresource,
                         Inspection* in, bool* allowed) {
  json review = {{"apiVersion", "authorization.k8s.io/v1"},
                 {"kind", "SelfSubjectAccessReview"},
                 {"spec",
                  {{"resourceAttributes",
                    {{"verb", verb},
                     {"group", ref.Group()},
                     {"resource", ref.resource},
                     {"subresource", subresource},
                     {"namespace", ref.resource == "nodes" ? "" : ref.ns},
                     {"name", ref.name}}}}}};
  auto r = s.Call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review, kJson,
                  "selfsubjectaccessreviews");
  if (!r.ok()) return r.status();
  Redacted what = privacy::RedactedIdentifier(verb) + L(" ") +
                  privacy::RedactedIdentifier(
                      *subresource != '\0' ? absl::StrCat(ref.resource, "/", subresource) : ref.resource);
  if (ref.resource != "nodes") what += L(" in namespace ") + s.Ns();
  if (r->code == 401 || r->code == 403) {
    *allowed = false;
    in->Add("rbac", false, L("cannot ask the API server whether it may ") + what + L(": ") + s.R(r->message));
    return absl::OkStatus();
  }
  if (!r->ok()) {
    return absl::UnavailableError(absl::StrCat("POST selfsubjectaccessreviews: the API server answered ",
                                               r->code, " ", ReasonWord(*r)));
  }
  *allowed = Bool(r->body, {"status", "allowed"});
  if (*allowed) {
    in->Add("rbac", true, L("may ") + what);
  } else {
    Redacted detail = L("may not ") + what;
    std::string why = Str(r->body, {"status", "reason"});
    if (!why.empty()) detail += L(" (") + s.R(why) + L(")");
    in->Add("rbac", false, detail);
  }
  return absl::OkStatus();
}

bool MentionsDryRun(const std::string& message) {
  std::string m = absl::AsciiStrToLower(message);
  return absl::StrContains(m, "dry run") || absl::StrContains(m, "dryrun") ||
         absl::StrContains(m, "dry-run") || absl::StrContains(m, "sideeffects");
}

// The first DisruptionBudget cause of a 429, else the Status message.
std::string EvictionRefusal(const Reply& r) {
  if (const json* causes = At(r.body, {"details", "causes"}); causes != nullptr && causes->is_array()) {
    for (const json& c : *causes) {
      std::string m = Str(c, {"message"});
      if (!m.empty()) return m;
    }
  }
  return r.message;
}

// Sends the mutating request with ?dryRun=All and records the "server_dry_run" check. An admission
// webhook that cannot dry-run answers 400 about dry run: then the report is `supported = false`.
absl::StatusOr<Reply> ServerDryRun(Session& s, std::string_view method, const std::string& path,
                                   const json& body, std::string_view content_type, std::string_view what,
                                   Inspection* in) {
  const std::string sep = absl::StrContains(path, "?") ? "&" : "?";
  auto r = s.Call(method, path + sep + "dryRun=All", body, content_type, what);
  if (!r.ok()) return r.status();
  if (r->ok()) {
    in->Add("server_dry_run", true, L("the API server accepted the request (dryRun=All, nothing changed)"));
  } else if (r->code == 400 && MentionsDryRun(r->message)) {
    in->report.supported = false;
    in->Add("server_dry_run", false, L("dry-run not supported: ") + s.R(r->message));
  } else if (r->code >= 500 && !(r->code == 500 && absl::StrContains(r->message, "PodDisruptionBudget"))) {
    return absl::UnavailableError(absl::StrCat(std::string(method), " ", std::string(what),
                                               " (dry run): the API server answered ", r->code, " ",
                                               ReasonWord(*r)));
  } else {
    std::string why = r->code == 429 ? EvictionRefusal(*r) : r->message;
    in->Add("server_dry_run", false,
            L("the API server refused it (") + Num(r->code) + L(" ") +
                privacy::RedactedIdentifier(ReasonWord(*r)) + L("): ") + s.R(why));
  }
  return r;
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution: a service to its workload, a workload to its pods.

struct Workload {
  ObjectRef ref;
  json obj;
  bool by_label = false;
};

// nullopt when a check failed (recorded in `in`).
absl::StatusOr<std::optional<Workload>> ResolveWorkload(Session& s, Inspection* in) {
  const RealAction& real = s.real();
  const TargetKind tk = real.target_kind();
  std::vector<std::string> kinds;
  if (tk == TargetKind::kDeployment || tk == TargetKind::kService) kinds.push_back("deployments");
  if (tk == TargetKind::kStatefulSet || tk == TargetKind::kService) kinds.push_back("statefulsets");
  for (const std::string& resource : kinds) {
    ObjectRef ref{resource, real.ns(), real.target()};
    auto r = s.Get(ref.Path(), resource);
    if (!r.ok()) return r.status();
    auto c = Classify(s, *r, resource, in);
    if (!c.ok()) return c.status();
    if (*c == Read::kDenied) return std::nullopt;
    if (*c == Read::kOk) {
      s.Observe(resource, r->body);
      return Workload{ref, r->body, false};
    }
    s.ObserveAbsent(ref);
  }
  if (tk != TargetKind::kService) {
    in->Add(
        "exists", false,
        KindWord(kinds.front()) + L(" ") + s.action().target().name + L(" not found in namespace ") + s.Ns());
    return std::nullopt;
  }
  // By label app=<name>: exactly one Deployment or StatefulSet.
  std::vector<Workload> found;
  for (const std::string& resource : kinds) {
    ObjectRef coll{resource, real.ns(), ""};
    auto list = ReadList(s, coll.Collection() + "?labelSelector=" + QueryEscape("app=" + real.target()),
                         resource, in);
    if (!list.ok()) return list.status();
    if (!list->has_value()) return std::nullopt;
    for (const json& item : Items(**list)) {
      s.Observe(resource, item);
      found.push_back(Workload{ObjectRef{resource, real.ns(), Str(item, {"metadata", "name"})}, item, true});
    }
  }
  if (found.size() == 1) return found.front();
  if (found.empty()) {
    in->Add("exists", false,
            L("no Deployment or StatefulSet named ") + s.action().target().name + L(" or labelled app=") +
                s.action().target().name + L(" in namespace ") + s.Ns());
    return std::nullopt;
  }
  Redacted names;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (i > 0) names += L(", ");
    names += KindWord(found[i].ref.resource) + L(" ") + s.R(found[i].ref.name);
  }
  in->Add("exists", false,
          L("several workloads are labelled app=") + s.action().target().name + L(" (") + names +
              L("): target one of them with target_kind deployment or statefulset"));
  return std::nullopt;
}

Redacted WorkloadWords(const Session& s, const Workload& w) {
  Redacted out = KindWord(w.ref.resource) + L(" ") + s.Name(w.ref.name);
  if (w.by_label) out += L(" (labelled app=") + s.action().target().name + L(")");
  return out;
}

// The workload's pods that are not being deleted; nullopt when a check failed.
absl::StatusOr<std::optional<std::vector<json>>> PodsOf(Session& s, const Workload& w, Inspection* in) {
  LabelSelector sel;
  if (!ParseSelector(At(w.obj, {"spec", "selector"}), &sel) || !sel.present) {
    in->Add("exists", false, WorkloadWords(s, w) + L(" has a selector this executor cannot evaluate"));
    return std::nullopt;
  }
  ObjectRef pods{"pods", w.ref.ns, ""};
  auto list =
      ReadList(s, pods.Collection() + "?labelSelector=" + QueryEscape(kubernetes::ToQuery(sel)), "pods", in);
  if (!list.ok()) return list.status();
  if (!list->has_value()) return std::nullopt;
  std::vector<json> out;
  for (const json& p : Items(**list)) {
    if (At(p, {"metadata", "deletionTimestamp"}) != nullptr) continue;
    s.Observe("pods", p);
    out.push_back(p);
  }
  return out;
}

const json* ControllerOf(const json& obj) {
  if (const json* refs = At(obj, {"metadata", "ownerReferences"}); refs != nullptr && refs->is_array()) {
    for (const json& r : *refs) {
      if (Bool(r, {"controller"})) return &r;
    }
  }
  return nullptr;
}

json EvictionBody(const Plan& p) {
  return {{"apiVersion", "policy/v1"},
          {"kind", "Eviction"},
          {"metadata", {{"name", p.object.name}, {"namespace", p.object.ns}}},
          {"deleteOptions", {{"preconditions", {{"uid", p.uid}}}}}};
}
json DeletePodBody(const Plan& p) {
  return {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}, {"preconditions", {{"uid", p.uid}}}};
}
json RestartPatch(const Plan& p, const std::string& when) {
  return {{"metadata", {{"resourceVersion", p.resource_version}}},
          {"spec", {{"template", {{"metadata", {{"annotations", {{kRestartedAt, when}}}}}}}}}};
}
json ScaleBody(const Plan& p, int64_t replicas) {
  return {{"apiVersion", "autoscaling/v1"},
          {"kind", "Scale"},
          {"metadata",
           {{"name", p.object.name}, {"namespace", p.object.ns}, {"resourceVersion", p.resource_version}}},
          {"spec", {{"replicas", replicas}}}};
}
json CordonPatch() { return {{"spec", {{"unschedulable", true}}}}; }
json DeletePvcBody(const Plan& p) {
  return {{"apiVersion", "v1"},
          {"kind", "DeleteOptions"},
          {"preconditions", {{"uid", p.uid}, {"resourceVersion", p.resource_version}}}};
}
std::string Rfc3339Now() { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone()); }

// ---------------------------------------------------------------------------------------------------------------
// The dry-run of each kind. `reads_only` (after an execution) gathers the state for the fingerprint
// and asks nothing else.

absl::Status InspectRestartPod(Session& s, const Config& cfg, bool reads_only, Inspection* in) {
  const RealAction& real = s.real();
  json pod;
  std::optional<Workload> owner;
  Redacted pod_name;
  if (real.target_kind() == TargetKind::kPod) {
    ObjectRef ref{"pods", real.ns(), real.target()};
    auto r = s.Get(ref.Path(), "pods");
    if (!r.ok()) return r.status();
    auto c = Classify(s, *r, "pods", in);
    if (!c.ok()) return c.status();
    if (*c == Read::kDenied) return absl::OkStatus();
    if (*c == Read::kNotFound) {
      s.ObserveAbsent(ref);
      in->Add("exists", false, L("pod ") + s.action().target().name + L(" not found in namespace ") + s.Ns());
      return absl::OkStatus();
    }
    pod = r->body;
    s.Observe("pods", pod);
    pod_name = s.action().target().name;
  } else {
    auto w = ResolveWorkload(s, in);
    if (!w.ok()) return w.status();
    if (!w->has_value()) return absl::OkStatus();
    owner = **w;
    auto pods = PodsOf(s, *owner, in);
    if (!pods.ok()) return pods.status();
    if (!pods->has_value()) return absl::OkStatus();
    std::vector<json> running;
    for (const json& p : **pods) {
      if (Str(p, {"status", "phase"}) == "Running") running.push_back(p);
    }
    if (running.empty()) {
      in->Add("exists", false, L("no Running pod of ") + WorkloadWords(s, *owner) + L(" to restart"));
      return absl::OkStatus();
    }
    // The oldest Running pod (then by name): the one that has run longest with whatever state it gathered.
    std::sort(running.begin(), running.end(), [](const json& a, const json& b) {
      auto ka = std::make_pair(Str(a, {"metadata", "creationTimestamp"}), Str(a, {"metadata", "name"}));
      auto kb = std::make_pair(Str(b, {"metadata", "creationTimestamp"}), Str(b, {"metadata", "name"}));
      return ka < kb;
    });
    pod = running.front();
    pod_name = s.R(Str(pod, {"metadata", "name"}));
  }
  Plan& plan = in->plan;
  plan.found = true;
  plan.object = ObjectRef{"pods", real.ns(), Str(pod, {"metadata", "name"})};
  plan.uid = Str(pod, {"metadata", "uid"});
  plan.resource_version = Str(pod, {"metadata", "resourceVersion"});
  plan.pods = 1;
  Redacted where = L("pod ") + pod_name;
  if (owner) {
    plan.owner = owner->ref;
    where += L(" of ") + WorkloadWords(s, *owner) + L(" (its oldest Running pod)");
  }
  in->Add("exists", true,
          where + L(", phase ") + privacy::RedactedIdentifier(Str(pod, {"status", "phase"})) +
              L(", namespace ") + s.Ns());
  const json* controller = ControllerOf(pod);
  if (controller == nullptr) {
    in->Add("controller", false,
            L("pod ") + pod_name +
                L(" has no controller: evicting it deletes it for good (nothing recreates it)"));
  } else {
    in->Add("controller", true,
            L("controlled by ") + privacy::RedactedIdentifier(Str(*controller, {"kind"})) + L(" ") +
                s.R(Str(*controller, {"name"})) + L(", which starts a replacement"));
  }
  if (reads_only) return absl::OkStatus();

  bool may_evict = false;
  if (auto st = CheckAccess(s, "create", plan.object, "eviction", in, &may_evict); !st.ok()) return st;
  if (cfg.fallback_delete) {
    bool may_delete = false;
    Inspection scratch;
    if (auto st = CheckAccess(s, "delete", plan.object, "", &scratch, &may_delete); !st.ok()) return st;
    if (!may_delete) {
      in->Add(
          "rbac", false,
          L("restart_pod_fallback is delete, but this identity may not delete pods in namespace ") + s.Ns());
    }
  }

  // PodDisruptionBudgets, as the Eviction API applies them.
  auto pdbs = ReadList(s, absl::StrCat("/apis/policy/v1/namespaces/", real.ns(), "/poddisruptionbudgets"),
                       "poddisruptionbudgets", in);
  if (!pdbs.ok()) return pdbs.status();
  if (pdbs->has_value()) {
    std::vector<json> matching;
    const auto labels = Labels(pod);
    for (const json& b : Items(**pdbs)) {
      LabelSelector sel;
      if (ParseSelector(At(b, {"spec", "selector"}), &sel) && kubernetes::Matches(sel, labels)) {
        s.Observe("poddisruptionbudgets", b);
        matching.push_back(b);
      }
    }
    const Redacted fallback_note = L(" — restart_pod_fallback: delete would delete the pod instead");
    if (matching.empty()) {
      in->Add("pdb", true, L("no PodDisruptionBudget covers pod ") + pod_name);
    } else if (matching.size() > 1) {
      Redacted names;
      for (std::size_t i = 0; i < matching.size(); ++i) {
        if (i > 0) names += L(", ");
        names += s.R(Str(matching[i], {"metadata", "name"}));
      }
      Redacted d = Num(static_cast<long long>(matching.size())) + L(" PodDisruptionBudgets (") + names +
                   L(") cover pod ") + pod_name + L(": the Eviction API refuses such pods (500)");
      if (cfg.fallback_delete) d += fallback_note;
      in->Add("pdb", cfg.fallback_delete, d);
    } else {
      const json& b = matching.front();
      const int64_t allowed = Int(b, {"status", "disruptionsAllowed"}, 0);
      Redacted name = s.R(Str(b, {"metadata", "name"}));
      if (allowed > 0) {
        in->Add("pdb", true,
                L("PodDisruptionBudget ") + name + L(" allows ") + Num(allowed) + L(" disruption(s) now"));
      } else {
        Redacted d = L("PodDisruptionBudget ") + name + L(" allows no disruption now (") +
                     Num(Int(b, {"status", "currentHealthy"}, 0)) + L(" healthy, ") +
                     Num(Int(b, {"status", "desiredHealthy"}, 0)) +
                     L(" needed): the eviction would be refused (429) and retried until the deadline");
        if (cfg.fallback_delete) d += fallback_note;
        in->Add("pdb", cfg.fallback_delete, d);
      }
    }
  }

  in->report.pods_affected = 1;
  in->Add("blast_radius", true,
          L("1 pod: ") + pod_name + (owner ? L(" (its controller starts a replacement)") : L("")));
  in->report.summary = L("restarts pod ") + pod_name +
                       (owner ? L(" of ") + WorkloadWords(s, *owner) : L("")) +
                       L(" through the Eviction API; no data loss");
  if (!may_evict) {
    in->Add("server_dry_run", false, L("not sent: this identity may not create pods/eviction"));
    return absl::OkStatus();
  }
  auto dr = ServerDryRun(s, "POST", plan.object.Path() + "/eviction", EvictionBody(plan), kJson,
                         "pods/eviction", in);
  if (!dr.ok()) return dr.status();
  if ((dr->code == 429 || dr->code == 500) && cfg.fallback_delete) {
    // The fallback is what would run: dry-run the deletion instead.
    in->report.checks.pop_back();
    auto del = ServerDryRun(s, "DELETE", plan.object.Path(), DeletePodBody(plan), kJson, "pods", in);
    if (!del.ok()) return del.status();
  }
  return absl::OkStatus();
}

absl::Status InspectRolloutRestart(Session& s, bool reads_only, Inspection* in) {
  auto w = ResolveWorkload(s, in);
  if (!w.ok()) return w.status();
  if (!w->has_value()) return absl::OkStatus();
  const Workload& wl = **w;
  Plan& plan = in->plan;
  plan.found = true;
  plan.object = wl.ref;
  plan.uid = Str(wl.obj, {"metadata", "uid"});
  plan.resource_version = Str(wl.obj, {"metadata", "resourceVersion"});
  const Redacted who = WorkloadWords(s, wl);
  in->Add("exists", true,
          who + L(", ") + Num(Int(wl.obj, {"spec", "replicas"}, 1)) + L(" replica(s), namespace ") + s.Ns());
  if (wl.ref.resource == "deployments") {
    plan.paused = Bool(wl.obj, {"spec", "paused"});
    if (plan.paused) {
      in->Add("paused", false,
              who + L(" is paused: a rollout restart would restart nothing (resume it first: kubectl rollout "
                      "resume)"));
    } else {
      in->Add("paused", true, who + L(" is not paused"));
    }
  } else if (Str(wl.obj, {"spec", "updateStrategy", "type"}) == "OnDelete") {
    in->Add("update_strategy", false,
            who + L(" uses updateStrategy OnDelete: changing its template restarts no pod"));
  }
  auto pods = PodsOf(s, wl, in);
  if (!pods.ok()) return pods.status();
  if (!pods->has_value()) return absl::OkStatus();
  plan.pods = static_cast<int64_t>((*pods)->size());
  if (reads_only) return absl::OkStatus();

  bool allowed = false;
  if (auto st = CheckAccess(s, "patch", wl.ref, "", in, &allowed); !st.ok()) return st;
  in->report.pods_affected = plan.paused ? 0 : plan.pods;
  in->Add("blast_radius", true,
          plan.paused ? L("no pod restarts while ") + who + L(" is paused")
                      : Num(plan.pods) + L(" pod(s) of ") + who +
                            L(" are replaced, a few at a time as its update strategy allows"));
  in->report.summary = L("restarts the ") + Num(plan.pods) + L(" pod(s) of ") + who +
                       L(" (rolling, as kubectl rollout restart); no data loss");
  if (!allowed) {
    in->Add("server_dry_run", false,
            L("not sent: this identity may not patch ") + KindWord(wl.ref.resource) + L("s"));
    return absl::OkStatus();
  }
  auto dr = ServerDryRun(s, "PATCH", wl.ref.Path(), RestartPatch(plan, Rfc3339Now()), kStrategicMerge,
                         wl.ref.resource, in);
  return dr.ok() ? absl::OkStatus() : dr.status();
}

absl::Status InspectScale(Session& s, bool reads_only, Inspection* in) {
  auto w = ResolveWorkload(s, in);
  if (!w.ok()) return w.status();
  if (!w->has_value()) return absl::OkStatus();
  const Workload& wl = **w;
  const Redacted who = WorkloadWords(s, wl);
  auto scale = s.Get(wl.ref.Path() + "/scale", wl.ref.resource + "/scale");
  if (!scale.ok()) return scale.status();
  auto c = Classify(s, *scale, wl.ref.resource + "/scale", in);
  if (!c.ok()) return c.status();
  if (*c == Read::kDenied) return absl::OkStatus();
  if (*c == Read::kNotFound) {
    in->Add("exists", false, who + L(" has no scale subresource (it was deleted meanwhile?)"));
    return absl::OkStatus();
  }
  s.Observe(wl.ref.resource + "/scale", scale->body);
  Plan& plan = in->plan;
  plan.found = true;
  plan.object = wl.ref;
  plan.uid = Str(wl.obj, {"metadata", "uid"});
  plan.resource_version = Str(scale->body, {"metadata", "resourceVersion"});
  plan.replicas_before = Int(scale->body, {"spec", "replicas"}, 0);
  const int64_t want = s.real().integer("replicas");
  in->Add("exists", true, who + L(", namespace ") + s.Ns());
  if (want == plan.replicas_before) {
    in->Add("replicas", true, who + L(" already has ") + Num(want) + L(" replica(s): no change"));
  } else {
    in->Add("replicas", true,
            L("from ") + Num(plan.replicas_before) + L(" to ") + Num(want) + L(" replica(s)"));
  }
  if (reads_only) return absl::OkStatus();

  bool allowed = false;
  if (auto st = CheckAccess(s, "update", wl.ref, "scale", in, &allowed); !st.ok()) return st;
  const int64_t delta = want - plan.replicas_before;
  in->report.pods_affected = delta < 0 ? -delta : delta;
  Redacted change = delta < 0   ? L("removes ") + Num(-delta) + L(" pod(s)")
                    : delta > 0 ? L("adds ") + Num(delta) + L(" pod(s)")
                                : L("changes no pod");
  in->Add("blast_radius", true, change);
  in->report.summary = L("scales ") + who + L(" from ") + Num(plan.replicas_before) + L(" to ") + Num(want) +
                       L(" replica(s) (") + change + L("); no data loss");
  if (!allowed) {
    in->Add("server_dry_run", false, L("not sent: this identity may not update the scale subresource"));
    return absl::OkStatus();
  }
  auto dr = ServerDryRun(s, "PUT", wl.ref.Path() + "/scale", ScaleBody(plan, want), kJson,
                         wl.ref.resource + "/scale", in);
  return dr.ok() ? absl::OkStatus() : dr.status();
}

absl::Status InspectCordon(Session& s, bool reads_only, Inspection* in) {
  const RealAction& real = s.real();
  ObjectRef ref{"nodes", "", real.target()};
  const Redacted name = s.action().target().name;
  auto r = s.Get(ref.Path(), "nodes");
  if (!r.ok()) return r.status();
  auto c = Classify(s, *r, "nodes", in);
  if (!c.ok()) return c.status();
  if (*c == Read::kDenied) return absl::OkStatus();
  if (*c == Read::kNotFound) {
    s.ObserveAbsent(ref);
    in->Add("exists", false, L("node ") + name + L(" not found"));
    return absl::OkStatus();
  }
  s.Observe("nodes", r->body);
  Plan& plan = in->plan;
  plan.found = true;
  plan.object = ref;
  plan.uid = Str(r->body, {"metadata", "uid"});
  plan.resource_version = Str(r->body, {"metadata", "resourceVersion"});
  in->Add("exists", true, L("node ") + name);
  if (Bool(r->body, {"spec", "unschedulable"}))
    in->Add("state", true, L("node ") + name + L(" is already cordoned"));

  // The pods on the node (for people: they keep running). Not being allowed to list them is no failure.
  auto pods = s.Get("/api/v1/pods?fieldSelector=" + QueryEscape("spec.nodeName=" + real.target()), "pods");
  if (!pods.ok()) return pods.status();
  int64_t on_node = -1;
  if (pods->ok()) {
    on_node = 0;
    for (const json& p : Items(pods->body)) {
      s.Observe("pods", p);
      ++on_node;
    }
  } else if (pods->code >= 500) {
    return absl::UnavailableError(
        absl::StrCat("GET pods: the API server answered ", pods->code, " ", ReasonWord(*pods)));
  }
  plan.pods = on_node;
  if (reads_only) return absl::OkStatus();

  bool allowed = false;
  if (auto st = CheckAccess(s, "patch", ref, "", in, &allowed); !st.ok()) return st;
  Redacted running =
      on_node >= 0 ? Num(on_node) + L(" pod(s) on it keep running") : L("its pods keep running");
  in->Add("blast_radius", true, running + L("; no new pod is scheduled there until it is uncordoned"));
  in->report.summary = L("cordons node ") + name + L(" (") + running + L("); no data loss");
  if (!allowed) {
    in->Add("server_dry_run", false, L("not sent: this identity may not patch nodes"));
    return absl::OkStatus();
  }
  auto dr = ServerDryRun(s, "PATCH", ref.Path(), CordonPatch(), kStrategicMerge, "nodes", in);
  return dr.ok() ? absl::OkStatus() : dr.status();
}

absl::Status InspectDeletePvc(Session& s, bool reads_only, Inspection* in) {
  const RealAction& real = s.real();
  ObjectRef ref{"persistentvolumeclaims", real.ns(), real.target()};
  const Redacted name = s.action().target().name;
  auto r = s.Get(ref.Path(), "persistentvolumeclaims");
  if (!r.ok()) return r.status();
  auto c = Classify(s, *r, "persistentvolumeclaims", in);
  if (!c.ok()) return c.status();
  if (*c == Read::kDenied) return absl::OkStatus();
  if (*c == Read::kNotFound) {
    s.ObserveAbsent(ref);
    in->Add("exists", false, L("PVC ") + name + L(" not found in namespace ") + s.Ns());
    return absl::OkStatus();
  }
  const json& pvc = r->body;
  s.Observe("persistentvolumeclaims", pvc);
  Plan& plan = in->plan;
  plan.found = true;
  plan.object = ref;
  plan.uid = Str(pvc, {"metadata", "uid"});
  plan.resource_version = Str(pvc, {"metadata", "resourceVersion"});
  Redacted size = s.R(Str(pvc, {"status", "capacity", "storage"}));
  Redacted volume = s.R(Str(pvc, {"spec", "volumeName"}));
  in->Add("exists", true,
          L("PVC ") + name + L(" (") + size + L(", ") +
              privacy::RedactedIdentifier(Str(pvc, {"status", "phase"})) + L(", volume ") + volume +
              L("), namespace ") + s.Ns());
  if (At(pvc, {"metadata", "deletionTimestamp"}) != nullptr) {
    in->Add("state", true, L("PVC ") + name + L(" is already being deleted"));
  }
  // Pods that mount it: the claim stays Terminating until they are gone (kubernetes.io/pvc-protection).
  ObjectRef pods_ref{"pods", real.ns(), ""};
  auto pods = ReadList(s, pods_ref.Collection(), "pods", in);
  if (!pods.ok()) return pods.status();
  if (!pods->has_value()) return absl::OkStatus();
  Redacted users;
  int64_t n = 0;
  for (const json& p : Items(**pods)) {
    const json* vols = At(p, {"spec", "volumes"});
    if (vols == nullptr || !vols->is_array()) continue;
    for (const json& v : *vols) {
      if (Str(v, {"persistentVolumeClaim", "claimName"}) != real.target()) continue;
      s.Observe("pods", p);
      if (n > 0) users += L(", ");
      if (n < 5) users += s.R(Str(p, {"metadata", "name"}));
      ++n;
      break;
    }
  }
  plan.pods = n;
  if (reads_only) return absl::OkStatus();

  bool allowed = false;
  if (auto st = CheckAccess(s, "delete", ref, "", in, &allowed); !st.ok()) return st;
  in->report.pods_affected = n;
  in->report.data_loss = true;
  Redacted used =
      n == 0 ? L("no pod uses it")
             : Num(n) + L(" pod(s) use it (") + users + L("): the claim stays Terminating until they stop");
  in->Add("blast_radius", true,
          L("the data on PVC ") + name + L(" may be lost (the volume's reclaim policy decides); ") + used);
  in->report.summary = L("deletes PVC ") + name + L(" (") + size + L("): DATA LOSS; ") + used;
  if (!allowed) {
    in->Add("server_dry_run", false, L("not sent: this identity may not delete persistentvolumeclaims"));
    return absl::OkStatus();
  }
  auto dr = ServerDryRun(s, "DELETE", ref.Path(), DeletePvcBody(plan), kJson, "persistentvolumeclaims", in);
  return dr.ok() ? absl::OkStatus() : dr.status();
}

absl::Status Inspect(Session& s, const Config& cfg, bool reads_only, Inspection* in) {
  switch (s.real().kind()) {
    case Kind::kRestartPod:
      return InspectRestartPod(s, cfg, reads_only, in);
    case Kind::kRolloutRestart:
      return InspectRolloutRestart(s, reads_only, in);
    case Kind::kScale:
      return InspectScale(s, reads_only, in);
    case Kind::kCordonNode:
      return InspectCordon(s, reads_only, in);
    case Kind::kDeletePvc:
      return InspectDeletePvc(s, reads_only, in);
    default:
      return absl::InvalidArgumentError("not a Kubernetes action");
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Execution.

struct Outcome {
  bool ok = false;
  Redacted detail;
  std::optional<Reply> answer;  // what the API server last answered
};

Outcome Failed(Redacted detail, std::optional<Reply> answer = std::nullopt) {
  return Outcome{false, std::move(detail), std::move(answer)};
}

// A transport error of a mutating call: whether it happened is unknown after a timeout.
Outcome TransportFailure(const absl::Status& st, const Redacted& what) {
  switch (st.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      return Failed(what +
                    L(": timed out waiting for the API server (the deadline passed); whether it was applied "
                      "is unknown — check before retrying"));
    case absl::StatusCode::kCancelled:
      return Failed(what + L(": cancelled"));
    default:
      return Failed(what + L(": the API server could not be reached"));
  }
}

// Any non-2xx answer to a mutating call, in words.
Outcome Refused(const Session& s, const Reply& r, const Redacted& what) {
  Redacted msg = s.R(r.message);
  Redacted code = L(" (") + Num(r.code) + L(" ") + privacy::RedactedIdentifier(ReasonWord(r)) + L(")");
  switch (r.code) {
    case 409:
      return Failed(what + L(": the object changed since the dry-run") + code + L(": ") + msg, r);
    case 404:
      return Failed(what + L(": it no longer exists") + code, r);
    case 403:
      return Failed(what + L(": forbidden") + code + L(": ") + msg, r);
    case 401:
      return Failed(what + L(": the API server did not accept the credentials") + code, r);
    case 422:
      return Failed(what + L(": the API server rejected it as invalid") + code + L(": ") + msg, r);
    default:
      if (r.code >= 500) return Failed(what + L(": the API server failed") + code + L(": ") + msg, r);
      return Failed(what + L(": refused") + code + L(": ") + msg, r);
  }
}

Outcome ExecuteRestartPod(Session& s, const Config& cfg, const Plan& plan) {
  const Redacted pod = L("pod ") + s.Name(plan.object.name);
  const Redacted what = L("restart ") + pod;
  // With the delete fallback, part of the time is kept for the deletion.
  absl::Time evict_until = s.deadline();
  if (cfg.fallback_delete) {
    absl::Duration reserve = std::min(absl::Milliseconds(cfg.timeout_ms), (s.deadline() - absl::Now()) / 4);
    evict_until = s.deadline() - reserve;
  }
  const absl::Time first = absl::Now();
  // The last attempt starts with some time to spare, so that it is answered before the deadline.
  const absl::Duration margin = std::min(absl::Seconds(2), (evict_until - first) / 4);
  int attempts = 0;
  Reply last;
  bool several_pdbs = false;
  for (;;) {
    ++attempts;
    auto r = s.Call("POST", plan.object.Path() + "/eviction", EvictionBody(plan).dump(), kJson,
                    "pods/eviction", evict_until);
    if (!r.ok()) {
      if (r.status().code() == absl::StatusCode::kDeadlineExceeded && last.code == 429) {
        return Failed(
            pod + L(" not restarted: a PodDisruptionBudget refused the eviction ") + Num(attempts - 1) +
                L(" time(s) (429: ") + s.R(EvictionRefusal(last)) +
                L("); the last attempt got no answer before the deadline, so whether it went through is "
                  "unknown — check before retrying"),
            last);
      }
      return TransportFailure(r.status(), what);
    }
    last = *r;
    if (r->ok()) {
      Redacted d = pod + L(" evicted");
      if (attempts > 1) d += L(" after ") + Num(attempts) + L(" attempts (a PodDisruptionBudget held it)");
      d += plan.owner.resource.empty() ? L("") : L("; its controller starts a replacement");
      return Outcome{true, d, last};
    }
    if (r->code == 500 && absl::StrContains(r->message, "PodDisruptionBudget")) {
      several_pdbs = true;  // not retried: it stays so until someone changes the budgets
      break;
    }
    if (r->code != 429) return Refused(s, *r, what);
    int64_t wait_ms = net::ParseRetryAfterMs(r->retry_after);
    if (wait_ms < 0) wait_ms = cfg.eviction_backoff_ms;
    if (absl::Now() + absl::Milliseconds(wait_ms) + margin >= evict_until) break;
    if (!s.Sleep(wait_ms, evict_until)) {
      if (s.ctx().cancel != nullptr && s.ctx().cancel->load()) return Failed(what + L(": cancelled"), last);
      break;
    }
  }
  const Redacted why = several_pdbs
                           ? L("several PodDisruptionBudgets cover it and the Eviction API refuses such pods "
                               "(500, not retried)")
                           : L("a PodDisruptionBudget refused the eviction ") + Num(attempts) +
                                 L(" time(s) over ") + Num(absl::ToInt64Milliseconds(absl::Now() - first)) +
                                 L(" ms (429: ") + s.R(EvictionRefusal(last)) + L(")");
  if (!cfg.fallback_delete) return Failed(pod + L(" not restarted: ") + why, last);
  auto del = s.Call("DELETE", plan.object.Path(), DeletePodBody(plan), kJson, "pods");
  if (!del.ok()) return TransportFailure(del.status(), L("delete ") + pod);
  if (!del->ok()) return Refused(s, *del, L("delete ") + pod + L(" (after the eviction was refused)"));
  return Outcome{true, pod + L(" deleted (restart_pod_fallback: delete) because ") + why, *del};
}

Outcome ExecuteRolloutRestart(Session& s, const Plan& plan) {
  const Redacted who = KindWord(plan.object.resource) + L(" ") + s.Name(plan.object.name);
  if (plan.paused) {
    return Failed(who +
                  L(" is paused: not restarted (a paused deployment does not roll out; resume it first: "
                    "kubectl rollout resume)"));
  }
  const std::string when = Rfc3339Now();
  auto r =
      s.Call("PATCH", plan.object.Path(), RestartPatch(plan, when), kStrategicMerge, plan.object.resource);
  if (!r.ok()) return TransportFailure(r.status(), L("rollout restart of ") + who);
  if (!r->ok()) return Refused(s, *r, L("rollout restart of ") + who);
  return Outcome{true,
                 who + L(" restarting its ") + Num(plan.pods) + L(" pod(s) (restartedAt ") +
                     privacy::RedactedIdentifier(when) + L(")"),
                 *r};
}

Outcome ExecuteScale(Session& s, const Plan& plan) {
  const Redacted who = KindWord(plan.object.resource) + L(" ") + s.Name(plan.object.name);
  const int64_t want = s.real().integer("replicas");
  auto r = s.Call("PUT", plan.object.Path() + "/scale", ScaleBody(plan, want), kJson,
                  plan.object.resource + "/scale");
  if (!r.ok()) return TransportFailure(r.status(), L("scale ") + who);
  if (!r->ok()) return Refused(s, *r, who + L(" not scaled"));
  return Outcome{
      true, who + L(" scaled from ") + Num(plan.replicas_before) + L(" to ") + Num(want) + L(" replica(s)"),
      *r};
}

Outcome ExecuteCordon(Session& s, const Plan& plan) {
  const Redacted who = L("node ") + s.Name(plan.object.name);
  auto r = s.Call("PATCH", plan.object.Path(), CordonPatch(), kStrategicMerge, "nodes");
  if (!r.ok()) return TransportFailure(r.status(), L("cordon ") + who);
  if (!r->ok()) return Refused(s, *r, who + L(" not cordoned"));
  return Outcome{true, who + L(" cordoned: no new pod is scheduled there"), *r};
}

Outcome ExecuteDeletePvc(Session& s, const Plan& plan) {
  const Redacted who = L("PVC ") + s.Name(plan.object.name);
  auto r = s.Call("DELETE", plan.object.Path(), DeletePvcBody(plan), kJson, "persistentvolumeclaims");
  if (!r.ok()) return TransportFailure(r.status(), L("delete ") + who);
  if (!r->ok()) return Refused(s, *r, who + L(" not deleted"));
  if (At(r->body, {"metadata", "deletionTimestamp"}) != nullptr && plan.pods > 0) {
    return Outcome{true,
                   who + L(" deletion accepted: it stays Terminating until the ") + Num(plan.pods) +
                       L(" pod(s) using it stop"),
                   *r};
  }
  return Outcome{true, who + L(" deleted"), *r};
}

// ---------------------------------------------------------------------------------------------------------------
// Nothing that leaves carries a real value: every text was redacted in the incident's vault, and one
// that still contains a real value of the action is withheld.

bool CarriesSecret(const Redacted& text, const std::vector<std::string>& secrets) {
  return std::any_of(secrets.begin(), secrets.end(),
                     [&](const std::string& v) { return !v.empty() && absl::StrContains(text.str(), v); });
}
void Scrub(Redacted* text, const std::vector<std::string>& secrets) {
  if (CarriesSecret(*text, secrets)) *text = L("(withheld: this text carried a real value of the action)");
}

class KubernetesExecutor : public Executor {
 public:
  KubernetesExecutor(Config cfg, kubernetes::ClusterAccess access)
      : cfg_(std::move(cfg)), api_(std::move(access), cfg_.timeout_ms) {}

  std::string name() const override { return cfg_.name; }

  bool Supports(const Action& action) const override {
    switch (action.kind()) {
      case Kind::kRestartPod:
      case Kind::kRolloutRestart:
      case Kind::kScale:
      case Kind::kCordonNode:
      case Kind::kDeletePvc:
        return action.target().kind != TargetKind::kNone;
      default:
        return false;
    }
  }

  absl::StatusOr<DryRunReport> DryRun(const Action& action, const ExecutionContext& ctx) override {
    if (ctx.shield == nullptr || ctx.vault == nullptr) {
      return absl::InvalidArgumentError("the execution context needs a shield and a vault");
    }
    if (!Supports(action))
      return absl::InvalidArgumentError("not an action the Kubernetes executor carries out");
    auto real = Rehydrate(action, *ctx.shield, *ctx.vault);
    if (!real.ok()) return real.status();
    Session s(api_, ctx, *real, action, Deadline(ctx));
    Inspection in;
    if (auto st = Inspect(s, cfg_, /*reads_only=*/false, &in); !st.ok()) return st;
    in.report.state_fingerprint = s.Fingerprint();
    if (in.report.summary.empty()) {
      // The dry run stopped early: say why in one line.
      for (const Check& c : in.report.checks) {
        if (!c.passed) {
          in.report.summary = L("not possible: ") + c.detail;
          break;
        }
      }
    }
    for (Check& c : in.report.checks) Scrub(&c.detail, real->secrets());
    Scrub(&in.report.summary, real->secrets());
    in.plan.made = absl::Now();
    Remember(PlanKey(action, *real), std::move(in.plan));
    return std::move(in.report);
  }

  absl::StatusOr<ExecutionResult> Execute(const Action& action, const ExecutionContext& ctx) override {
    ExecutionResult result;
    result.started_at = absl::Now();
    if (ctx.shield == nullptr || ctx.vault == nullptr) {
      return absl::InvalidArgumentError("the execution context needs a shield and a vault");
    }
    if (!Supports(action))
      return absl::InvalidArgumentError("not an action the Kubernetes executor carries out");
    auto real = Rehydrate(action, *ctx.shield, *ctx.vault);
    if (!real.ok()) return real.status();
    std::optional<Plan> plan = Take(PlanKey(action, *real));
    if (!plan) {
      return absl::FailedPreconditionError(
          "no dry-run of this action by this executor in the last 15 minutes: "
          "the execution acts only on what a dry-run saw, so dry-run it first");
    }
    Session s(api_, ctx, *real, action, Deadline(ctx));
    Outcome o;
    if (!plan->found) {
      o = Failed(L("not executed: the dry-run found nothing to act on"));
    } else {
      switch (action.kind()) {
        case Kind::kRestartPod:
          o = ExecuteRestartPod(s, cfg_, *plan);
          break;
        case Kind::kRolloutRestart:
          o = ExecuteRolloutRestart(s, *plan);
          break;
        case Kind::kScale:
          o = ExecuteScale(s, *plan);
          break;
        case Kind::kCordonNode:
          o = ExecuteCordon(s, *plan);
          break;
        case Kind::kDeletePvc:
          o = ExecuteDeletePvc(s, *plan);
          break;
        default:
          return absl::InvalidArgumentError("not a Kubernetes action");
      }
    }
    result.outcome = o.ok ? ExecutionOutcome::kSucceeded : ExecutionOutcome::kFailed;
    result.detail = o.detail;
    if (o.answer) {
      Redacted out = L("HTTP ") + Num(o.answer->code) + L(" ") +
                     s.R(Summarize(o.answer->body).dump(-1, ' ', false, json::error_handler_t::replace));
      result.output =
          out.size() <= kMaxOutputBytes ? out : L("(the API server's answer was too long to keep)");
    }
    if (o.ok && absl::Now() < s.deadline()) {
      // The state after the action, read as the dry-run reads it (best effort).
      Session after(api_, ctx, *real, action, s.deadline());
      Inspection in;
      if (Inspect(after, cfg_, /*reads_only=*/true, &in).ok()) result.state_fingerprint = after.Fingerprint();
    }
    Scrub(&result.detail, real->secrets());
    Scrub(&result.output, real->secrets());
    result.finished_at = absl::Now();
    return result;
  }

 private:
  absl::Time Deadline(const ExecutionContext& ctx) const {
    return std::min(ctx.deadline, absl::Now() + absl::Milliseconds(cfg_.max_duration_ms));
  }

  // The same action (labels) with the same real values: a label means different things in different
  // incidents.
  static std::string PlanKey(const Action& action, const RealAction& real) {
    std::string key = absl::StrCat(action.hash(), "\n", real.target(), "\n", real.ns());
    for (const auto& [name, value] : action.params())
      absl::StrAppend(&key, "\n", name, "=", real.param(name));
    return Sha256Hex(key);
  }

  void Remember(std::string key, Plan plan) {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    for (auto it = plans_.begin(); it != plans_.end();) {
      it = now - it->second.made > kPlanLifetime ? plans_.erase(it) : std::next(it);
    }
    while (plans_.size() >= kMaxPlans) {
      auto oldest = std::min_element(plans_.begin(), plans_.end(), [](const auto& a, const auto& b) {
        return a.second.made < b.second.made;
      });
      plans_.erase(oldest);
    }
    plans_[std::move(key)] = std::move(plan);
  }

  std::optional<Plan> Take(const std::string& key) {
    absl::MutexLock lock(&mu_);
    auto it = plans_.find(key);
    if (it == plans_.end()) return std::nullopt;
    Plan p = std::move(it->second);
    plans_.erase(it);
    if (absl::Now() - p.made > kPlanLifetime) return std::nullopt;
    return p;
  }

  const Config cfg_;
  const ApiClient api_;
  absl::Mutex mu_;
  std::map<std::string, Plan> plans_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

const std::vector<std::string_view>& KubernetesSettingKeys() {
  static const std::vector<std::string_view> kKeys = {
      "type",        "name",    "kubeconfig",       "context",
      "in_cluster",  "timeout", "eviction_backoff", "restart_pod_fallback",
      "max_duration"};
  return kKeys;
}

absl::StatusOr<std::unique_ptr<Executor>> MakeKubernetesExecutor(const PluginSettings& settings) {
  if (auto s = settings.RejectUnknown(KubernetesSettingKeys()); !s.ok()) return s;
  Config cfg;
  cfg.name = settings.GetString("name", "kubernetes");
  auto timeout = settings.GetDurationMs("timeout", 15'000, 100, 600'000);
  if (!timeout.ok()) return timeout.status();
  cfg.timeout_ms = *timeout;
  auto backoff = settings.GetDurationMs("eviction_backoff", 1'000, 10, 60'000);
  if (!backoff.ok()) return backoff.status();
  cfg.eviction_backoff_ms = *backoff;
  auto max_duration = settings.GetDurationMs("max_duration", 300'000, 1'000, 3'600'000);
  if (!max_duration.ok()) return max_duration.status();
  cfg.max_duration_ms = *max_duration;
  const std::string fallback = settings.GetString("restart_pod_fallback", "evict");
  if (fallback != "evict" && fallback != "delete") {
    return absl::InvalidArgumentError(settings.KeyPath("restart_pod_fallback") + ": must be evict or delete");
  }
  cfg.fallback_delete = fallback == "delete";

  absl::StatusOr<kubernetes::ClusterAccess> access;
  const bool explicit_kubeconfig = settings.Has("kubeconfig") || settings.Has("context");
  bool in_cluster = false;
  if (settings.Has("in_cluster")) {
    auto b = settings.GetBool("in_cluster", false);
    if (!b.ok()) return b.status();
    in_cluster = *b;
    if (in_cluster && explicit_kubeconfig) {
      return absl::InvalidArgumentError(settings.KeyPath("in_cluster") +
                                        ": in_cluster: true takes no kubeconfig or context");
    }
    if (in_cluster) access = kubernetes::LoadInCluster();
  }
  if (!in_cluster) {
    const std::string paths = settings.GetString("kubeconfig", kubernetes::DefaultKubeconfigPaths());
    access = kubernetes::LoadKubeconfig(paths, settings.GetString("context"));
    // Not configured at all, no kubeconfig, but running in a pod: the service account (as client-go does).
    if (access.status().code() == absl::StatusCode::kNotFound && !explicit_kubeconfig &&
        !settings.Has("in_cluster") && std::getenv("KUBERNETES_SERVICE_HOST") != nullptr) {
      access = kubernetes::LoadInCluster();
    }
  }
  if (!access.ok()) {
    return absl::Status(access.status().code(), settings.KeyPath(in_cluster ? "in_cluster" : "kubeconfig") +
                                                    ": " + std::string(access.status().message()));
  }
  return std::unique_ptr<Executor>(new KubernetesExecutor(std::move(cfg), *std::move(access)));
}

}  // namespace awoooi::action
