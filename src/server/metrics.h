// Prometheus text-format metrics (exposition format 0.0.4) for /metrics.
//
// A handful of fixed families, so a hand-rolled registry is smaller than a dependency: counters
// and histograms keyed by a label tuple. Thread-safe: observations take a short mutex.
//
// Label values that come from clients are bounded, so that hostile traffic cannot grow /metrics
// (and this process's memory) one series per request: a method outside GET, HEAD, POST, PUT,
// PATCH, DELETE and OPTIONS counts as "OTHER"; the caller passes a route pattern, never a raw path
// ("unmatched" for none), and beyond kMaxRouteLabels distinct routes the rest count as "other".
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace awoooi::server {

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds)
      : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}
  void Observe(double v);
  void Render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  double sum_ = 0;
  uint64_t count_ = 0;
};

// The method label for `method`: itself if it is one of the seven the API uses, else "OTHER".
std::string_view MethodLabel(std::string_view method);

class Metrics {
 public:
  static constexpr std::size_t kMaxRouteLabels = 256;

  Metrics();
  // `route` must be a route pattern or "unmatched"; `method` may be anything (see MethodLabel).
  void ObserveRequest(const std::string& route, const std::string& method, int status, double seconds);
  void ObserveIngest(const std::string& source, int64_t alerts, double seconds, int64_t batch_size, bool ok);
  void ObserveAnalysis(const std::string& reasoner, bool fallback, double seconds);
  // From the commit that changed an incident to its stored proposal (queueing included).
  void ObserveAlertToProposal(double seconds);
  // Renders everything plus the gauges passed in (name -> value), e.g. open incidents.
  std::string Render(const std::map<std::string, double>& gauges) const;
  // The same, plus counters kept elsewhere (e.g. HttpServerStats). A name may carry labels
  // ("awoooi_http_connections_refused_total{reason=\"per_client\"}"); one TYPE line is written
  // per family.
  std::string Render(const std::map<std::string, double>& gauges,
                     const std::map<std::string, double>& counters) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> requests_;  // labels -> count
  std::set<std::string> routes_seen_;         // route labels in use, at most kMaxRouteLabels
  std::map<std::string, Histogram> request_seconds_;
  std::map<std::string, uint64_t> alerts_ingested_;
  std::map<std::string, uint64_t> ingest_failures_;
  Histogram ingest_seconds_;
  Histogram batch_sizes_;
  std::map<std::string, uint64_t> analyses_;
  Histogram analysis_seconds_;
  Histogram alert_to_proposal_seconds_;
};

}  // namespace awoooi::server
