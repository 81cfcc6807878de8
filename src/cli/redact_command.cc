#include "cli/redact_command.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace awoooi::cli {
namespace {

// Reads of 4 MiB: each read boundary rescans about 35 KiB, so larger reads scan less twice.
constexpr std::size_t kReadSize = 4 << 20;

}  // namespace

int RunRedact(const RedactOptions& options, const privacy::ShieldConfig& config, std::istream& in,
              std::ostream& out, std::ostream& err) {
  privacy::ShieldConfig shield_config = config;
  unsigned hardware = std::thread::hardware_concurrency();
  shield_config.stream_threads = options.threads > 0 ? options.threads : (hardware >= 2 ? 2 : 1);
  auto shield = privacy::Shield::Create(shield_config);
  if (!shield.ok()) {
    err << "awoooi redact: " << shield.status().message() << "\n";
    return 2;
  }
  std::ifstream file;
  std::istream* input = &in;
  if (!options.file.empty() && options.file != "-") {
    file.open(options.file, std::ios::binary);
    if (!file) {
      err << "awoooi redact: cannot open " << options.file << ": " << std::strerror(errno) << "\n";
      return 1;
    }
    input = &file;
  }

  privacy::Vault vault;
  std::unique_ptr<privacy::StreamRedactor> stream = (*shield)->NewStreamRedactor(vault);
  // Without --json only the counts are wanted: the stream keeps no event per finding.
  if (!options.json) stream->KeepEvents(false);
  auto flush_events = [&] {
    for (const privacy::RedactionEvent& e : stream->TakeEvents()) {
      nlohmann::json j = {{"scope", options.scope},
                          {"offset", e.offset},
                          {"length", e.length},
                          {"kind", e.kind},
                          {"label", e.label}};
      out << j.dump() << '\n';
    }
  };
  auto emit = [&](const privacy::Redacted& text) {
    if (!options.json) out.write(text.view().data(), static_cast<std::streamsize>(text.size()));
    flush_events();
  };

  auto start = std::chrono::steady_clock::now();
  std::vector<char> buffer(kReadSize);
  while (*input) {
    input->read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize got = input->gcount();
    if (got <= 0) break;
    emit(stream->Write(std::string_view(buffer.data(), static_cast<std::size_t>(got))));
    if (!out) break;
  }
  if (input->bad()) {
    err << "awoooi redact: read failed: " << std::strerror(errno) << "\n";
    return 1;
  }
  emit(stream->Finish());
  out.flush();
  if (!out) {
    err << "awoooi redact: write failed\n";
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (options.stats) {
    double mb = static_cast<double>(stream->bytes_in()) / 1e6;
    const auto counts = stream->FindingsByKind();
    std::uint64_t findings = 0;
    for (const auto& [kind, n] : counts) findings += n;
    err << "bytes: " << stream->bytes_in() << "\nfindings: " << findings << "\n";
    for (const auto& [kind, n] : counts) err << "  " << kind << ": " << n << "\n";
    err << "distinct values: " << vault.size() << "\nseconds: " << seconds
        << "\nthroughput: " << (seconds > 0 ? mb / seconds : 0.0) << " MB/s\n";
  }
  return 0;
}

}  // namespace awoooi::cli
