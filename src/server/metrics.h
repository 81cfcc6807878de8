// Prometheus text-format metrics (exposition format 0.0.4) for /metrics.
//
// A handful of fixed families, so a hand-rolled registry is smaller than a dependency: counters
// and histograms keyed by a label tuple. Thread-safe: observations take a short mutex.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace awoooi::server {

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}
  void Observe(double v);
  void Render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  double sum_ = 0;
  uint64_t count_ = 0;
};

class Metrics {
 public:
  Metrics();
  void ObserveRequest(const std::string& route, const std::string& method, int status, double seconds);
  void ObserveIngest(const std::string& source, int64_t alerts, double seconds, int64_t batch_size, bool ok);
  void ObserveAnalysis(const std::string& reasoner, bool fallback, double seconds);
  // From the commit that changed an incident to its stored proposal (queueing included).
  void ObserveAlertToProposal(double seconds);
  // Renders everything plus the gauges passed in (name -> value), e.g. open incidents.
  std::string Render(const std::map<std::string, double>& gauges) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> requests_;  // labels -> count
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
