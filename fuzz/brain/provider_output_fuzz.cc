// libFuzzer target: what an LLM provider sends back is untrusted input. The stream parsers (SSE,
// NDJSON) must never crash and must produce the same events however the bytes are split; the
// proposal parser must never crash, and anything it accepts carries only redacted text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "awoooi/brain/proposal_json.h"
#include "awoooi/privacy/shield.h"
#include "brain/stream_parsers.h"

namespace {

const awoooi::privacy::Shield& TheShield() {
  static auto* shield = [] {
    awoooi::privacy::ShieldConfig config;
    config.vault_key = std::string(32, 'k');
    return awoooi::privacy::Shield::Create(config)->release();
  }();
  return *shield;
}

std::vector<std::string> SseEvents(std::string_view bytes, std::size_t split) {
  awoooi::brain::SseParser parser;
  std::vector<std::string> out;
  auto on = [&](const awoooi::brain::SseEvent& e) { out.push_back(e.event + "\n" + e.data); };
  split = bytes.empty() ? 0 : split % (bytes.size() + 1);
  parser.Feed(bytes.substr(0, split), on);
  parser.Feed(bytes.substr(split), on);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Splitting the stream anywhere gives the same events.
  if (SseEvents(text, 0) != SseEvents(text, size / 2) || SseEvents(text, 0) != SseEvents(text, size / 3)) {
    std::abort();
  }
  awoooi::brain::LineSplitter lines;
  std::size_t count = 0;
  lines.Feed(text, [&](std::string_view) { ++count; });

  awoooi::privacy::Vault vault;
  auto proposal = awoooi::brain::ParseProposal(text, TheShield(), vault);
  if (proposal.ok()) {
    std::string json = awoooi::brain::ProposalToJson(*proposal);
    // Whatever survived parsing went through the shield: no detectable value is left in it.
    if (!TheShield().Scan(json).empty()) std::abort();
  }
  return 0;
}
