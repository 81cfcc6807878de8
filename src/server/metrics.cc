#include "server/metrics.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace awoooi::server {
namespace {

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

const std::vector<double> kLatencyBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                            0.1,    0.25,  0.5,    1,     2.5,  5,     10};

}  // namespace

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += v;
  ++count_;
}

void Histogram::Render(std::string& out, const std::string& name, const std::string& labels) const {
  uint64_t cumulative = 0;
  std::string sep = labels.empty() ? "" : ",";
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    absl::StrAppend(&out, name, "_bucket{", labels, sep, "le=\"", Num(bounds_[i]), "\"} ", cumulative, "\n");
  }
  cumulative += counts_.back();
  absl::StrAppend(&out, name, "_bucket{", labels, sep, "le=\"+Inf\"} ", cumulative, "\n");
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  absl::StrAppend(&out, name, "_sum", braces, " ", Num(sum_), "\n", name, "_count", braces, " ", count_,
                  "\n");
}

Metrics::Metrics()
    : ingest_seconds_(kLatencyBounds),
      batch_sizes_({1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 20000}),
      analysis_seconds_(kLatencyBounds),
      alert_to_proposal_seconds_(kLatencyBounds) {}

void Metrics::ObserveAlertToProposal(double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  alert_to_proposal_seconds_.Observe(seconds);
}

std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "OTHER";
}

void Metrics::ObserveRequest(const std::string& route, const std::string& method, int status,
                             double seconds) {
  // Status codes outside 100-599 (none are sent today) would be one more unbounded label.
  int code = status >= 100 && status <= 599 ? status : 0;
  std::lock_guard<std::mutex> lock(mu_);
  std::string route_label = route;
  if (!routes_seen_.count(route)) {
    if (routes_seen_.size() >= kMaxRouteLabels) {
      route_label = "other";
    } else {
      routes_seen_.insert(route);
    }
  }
  std::string key = absl::StrCat("route=\"", Escape(route_label), "\",method=\"",
                                 std::string(MethodLabel(method)), "\",code=\"", code, "\"");
  std::string hkey = absl::StrCat("route=\"", Escape(route_label), "\"");
  ++requests_[key];
  request_seconds_.try_emplace(hkey, kLatencyBounds).first->second.Observe(seconds);
}

void Metrics::ObserveIngest(const std::string& source, int64_t alerts, double seconds, int64_t batch_size,
                            bool ok) {
  std::string key = absl::StrCat("source=\"", Escape(source), "\"");
  std::lock_guard<std::mutex> lock(mu_);
  if (!ok) {
    ingest_failures_[key] += static_cast<uint64_t>(alerts);
    return;
  }
  alerts_ingested_[key] += static_cast<uint64_t>(alerts);
  ingest_seconds_.Observe(seconds);
  batch_sizes_.Observe(static_cast<double>(batch_size));
}

void Metrics::ObserveAnalysis(const std::string& reasoner, bool fallback, double seconds) {
  std::string key =
      absl::StrCat("reasoner=\"", Escape(reasoner), "\",fallback=\"", fallback ? "true" : "false", "\"");
  std::lock_guard<std::mutex> lock(mu_);
  ++analyses_[key];
  analysis_seconds_.Observe(seconds);
}

std::string Metrics::Render(const std::map<std::string, double>& gauges) const { return Render(gauges, {}); }

std::string Metrics::Render(const std::map<std::string, double>& gauges,
                            const std::map<std::string, double>& extra_counters) const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  auto header = [&out](const char* name, const char* type, const char* help) {
    absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
  };
  auto counters = [&](const char* name, const char* help, const std::map<std::string, uint64_t>& values) {
    header(name, "counter", help);
    for (const auto& [labels, v] : values) absl::StrAppend(&out, name, "{", labels, "} ", v, "\n");
  };
  auto histogram = [&](const char* name, const char* help, const Histogram& h) {
    header(name, "histogram", help);
    h.Render(out, name, "");
  };
  counters("awoooi_http_requests_total", "HTTP requests by route, method and status code.", requests_);
  header("awoooi_http_request_duration_seconds", "histogram", "Time from request read to response written.");
  for (const auto& [k, h] : request_seconds_) h.Render(out, "awoooi_http_request_duration_seconds", k);
  counters("awoooi_alerts_ingested_total", "Alerts durably stored (acknowledged with 2xx).",
           alerts_ingested_);
  counters("awoooi_alerts_rejected_total", "Alerts parsed but not stored (store unavailable or queue full).",
           ingest_failures_);
  histogram("awoooi_ingest_duration_seconds", "From request parsed to batch committed.", ingest_seconds_);
  histogram("awoooi_store_batch_alerts", "Alerts committed per transaction (group commit).", batch_sizes_);
  counters("awoooi_analyses_total", "Incident analyses completed, by reasoner and fallback.", analyses_);
  histogram("awoooi_analysis_duration_seconds", "Analysis start to stored proposal.", analysis_seconds_);
  histogram("awoooi_alert_to_proposal_seconds",
            "From the commit that changed an incident to its stored proposal.", alert_to_proposal_seconds_);
  for (const auto& [name, value] : gauges) {
    absl::StrAppend(&out, "# TYPE ", name, " gauge\n", name, " ", Num(value), "\n");
  }
  std::string family;
  for (const auto& [name, value] : extra_counters) {
    std::string f = name.substr(0, name.find('{'));
    if (f != family) {
      absl::StrAppend(&out, "# TYPE ", f, " counter\n");
      family = f;
    }
    absl::StrAppend(&out, name, " ", Num(value), "\n");
  }
  return out;
}

}  // namespace awoooi::server
