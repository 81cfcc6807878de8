// Privacy Shield throughput (docs/benchmarks-privacy.md). Corpora are generated here,
// deterministically: "clean" is log text with no PII but plenty of near misses (timestamps,
// versions, pod names, digests, trace ids); "dense" carries one finding per ~100 bytes.
// The std::regex baseline runs the very same trigger patterns (detection only, no validation),
// line by line, since libstdc++'s recursive matcher is not safe on megabyte subjects.
#include <benchmark/benchmark.h>

#include <random>
#include <regex>
#include <string>
#include <vector>

#include "awoooi/privacy/shield.h"
#include "privacy/detectors.h"

namespace awoooi::privacy {
namespace {

std::string Hex(std::mt19937& rng, int n) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) s += kHex[rng() % 16];
  return s;
}

std::string Ipv4(std::mt19937& rng) {
  return std::to_string(10 + rng() % 200) + "." + std::to_string(rng() % 256) + "." +
         std::to_string(rng() % 256) + "." + std::to_string(1 + rng() % 254);
}

std::string CleanLine(std::mt19937& rng) {
  switch (rng() % 6) {
    case 0:
      return "2024-05-01T12:" + std::to_string(10 + rng() % 50) + ":07.123Z INFO http GET /api/v1/orders/" +
             std::to_string(rng() % 100000) + " status=200 duration=" + std::to_string(rng() % 900) +
             "ms trace_id=" + Hex(rng, 32) + "\n";
    case 1:
      return "Normal Pulled pod/checkout-5d7b8c9f4-x2x9z Successfully pulled image "
             "\"registry.example.com/app@sha256:" +
             Hex(rng, 64) + "\" in 1.234s\n";
    case 2:
      return "level=warn ts=2024-05-01T12:34:56Z caller=scrape.go:1234 component=\"scrape manager\" "
             "msg=\"append "
             "failed\" version=2.48.1 err=\"out of order sample\"\n";
    case 3:
      return "\tat com.example.orders.OrderService.place(OrderService.java:" + std::to_string(rng() % 999) +
             ") ~[orders-1.4.2.jar:1.4.2]\n";
    case 4:
      return "deployed chart nginx-ingress 4.7.1 (app 1.8.1) revision " + std::to_string(rng() % 100) +
             " commit " + Hex(rng, 40) + "\n";
    default:
      return "kubelet: Liveness probe succeeded for pod api-7c9f8d6b5-qwert container app after 3.2s on node "
             "worker-large-01\n";
  }
}

// One finding per line of about 100 bytes (the "PII-dense" definition), values drawn from
// pools (500 IPs, 200 e-mails, 2,000 UUIDs, 2,000 keys) so a scope's vault saturates the way an
// incident's does.
struct Pools {
  std::vector<std::string> ips, mails, uuids, keys;
};

std::string DenseLine(std::mt19937& rng, const Pools& pools) {
  const std::string& ip = pools.ips[rng() % pools.ips.size()];
  const std::string& mail = pools.mails[rng() % pools.mails.size()];
  const std::string& uuid = pools.uuids[rng() % pools.uuids.size()];
  const std::string& key = pools.keys[rng() % pools.keys.size()];
  switch (rng() % 4) {
    case 0:
      return ip +
             " - - [10/Oct/2024:13:55:36 +0000] \"GET /api/v1/users HTTP/1.1\" 200 2326 \"-\" "
             "\"curl/8.4.0\"\n";
    case 1:
      return "2024-05-01T12:00:01Z ERROR auth: login failed for " + mail +
             " after 3 attempts; locking account\n";
    case 2:
      return "2024-05-01T12:00:02Z WARN request " + uuid + " upstream responded 503 in 12ms, retrying once\n";
    default:
      return "2024-05-01T12:00:03Z INFO config reload applied: api_key=" + key + " pool=primary\n";
  }
}

struct Corpora {
  std::string clean, dense;
  std::vector<std::string> clean_lines, dense_lines;  // a 1 MiB sample, for the per-line baselines
};

const Corpora& GetCorpora() {
  static const Corpora corpora = [] {
    Corpora c;
    std::mt19937 rng(42);
    Pools pools;
    for (int i = 0; i < 500; ++i) pools.ips.push_back(Ipv4(rng));
    for (int i = 0; i < 200; ++i) pools.mails.push_back("user" + std::to_string(i) + "@example.com");
    for (int i = 0; i < 2000; ++i) {
      pools.uuids.push_back(Hex(rng, 8) + "-" + Hex(rng, 4) + "-4" + Hex(rng, 3) + "-a" + Hex(rng, 3) + "-" +
                            Hex(rng, 12));
      pools.keys.push_back("sk" + Hex(rng, 24));
    }
    while (c.clean.size() < (32u << 20)) c.clean += CleanLine(rng);
    while (c.dense.size() < (32u << 20)) c.dense += DenseLine(rng, pools);
    std::size_t sample = 0;
    for (std::size_t pos = 0; sample < (1u << 20);) {
      std::size_t nl = c.clean.find('\n', pos);
      c.clean_lines.push_back(c.clean.substr(pos, nl + 1 - pos));
      sample += nl + 1 - pos;
      pos = nl + 1;
    }
    sample = 0;
    for (std::size_t pos = 0; sample < (1u << 20);) {
      std::size_t nl = c.dense.find('\n', pos);
      c.dense_lines.push_back(c.dense.substr(pos, nl + 1 - pos));
      sample += nl + 1 - pos;
      pos = nl + 1;
    }
    return c;
  }();
  return corpora;
}

const Shield& GetShield() {
  static const std::unique_ptr<Shield> shield = [] {
    ShieldConfig config;
    config.vault_key = std::string(32, 'b');
    return std::move(*Shield::Create(config));
  }();
  return *shield;
}

const std::string& Pick(int which) { return which == 0 ? GetCorpora().clean : GetCorpora().dense; }

void BM_Scan(benchmark::State& state) {
  const std::string& text = Pick(static_cast<int>(state.range(0)));
  std::size_t findings = 0;
  for (auto _ : state) {
    auto f = GetShield().Scan(text);
    findings = f.size();
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["bytes_per_finding"] = findings ? static_cast<double>(text.size()) / findings : 0;
}
BENCHMARK(BM_Scan)->Arg(0)->Arg(1)->ArgNames({"dense"})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Redact(benchmark::State& state) {
  const std::string& text = Pick(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Vault vault;
    Redacted r = GetShield().Redact(text, vault);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Redact)->Arg(0)->Arg(1)->ArgNames({"dense"})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StreamRedact(benchmark::State& state) {
  const std::string& text = Pick(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Vault vault;
    auto stream = GetShield().NewStreamRedactor(vault);
    std::size_t out = 0;
    for (std::size_t pos = 0; pos < text.size(); pos += 1 << 20) {
      out += stream->Write(std::string_view(text).substr(pos, 1 << 20)).size();
      stream->TakeEvents();
    }
    out += stream->Finish().size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_StreamRedact)->Arg(0)->Arg(1)->ArgNames({"dense"})->Unit(benchmark::kMillisecond)->UseRealTime();

// One call per line: what per-call overhead costs when callers do not batch.
void BM_RedactPerLine(benchmark::State& state) {
  const auto& lines = state.range(0) == 0 ? GetCorpora().clean_lines : GetCorpora().dense_lines;
  std::size_t bytes = 0;
  for (const auto& l : lines) bytes += l.size();
  for (auto _ : state) {
    Vault vault;
    for (const auto& l : lines) benchmark::DoNotOptimize(GetShield().Redact(l, vault));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_RedactPerLine)
    ->Arg(0)
    ->Arg(1)
    ->ArgNames({"dense"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The baseline: std::regex (ECMAScript) with the same trigger patterns, detection only.
void BM_StdRegexBaseline(benchmark::State& state) {
  std::vector<std::regex> patterns;
  for (const auto& t : internal::BuiltinTriggers()) {
    std::string re = t.regex;
    for (std::size_t p; (p = re.find("\\z")) != std::string::npos;) re.replace(p, 2, "$");
    auto flags = std::regex::ECMAScript | std::regex::optimize;
    if (t.flags != 0) flags |= std::regex::icase;
    patterns.emplace_back(re, flags);
  }
  const auto& lines = state.range(0) == 0 ? GetCorpora().clean_lines : GetCorpora().dense_lines;
  std::size_t bytes = 0;
  for (const auto& l : lines) bytes += l.size();
  std::size_t matches = 0;
  for (auto _ : state) {
    for (const auto& l : lines) {
      for (const auto& re : patterns) {
        for (auto it = std::sregex_iterator(l.begin(), l.end(), re); it != std::sregex_iterator(); ++it)
          ++matches;
      }
    }
  }
  benchmark::DoNotOptimize(matches);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_StdRegexBaseline)
    ->Arg(0)
    ->Arg(1)
    ->ArgNames({"dense"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace awoooi::privacy

BENCHMARK_MAIN();
