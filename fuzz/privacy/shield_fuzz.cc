// libFuzzer target for the Privacy Shield. For any input it checks that:
// - nothing crashes (ASan/UBSan catch memory errors);
// - Rehydrate(Redact(x)) == x: every value and every escaped label comes back exactly;
// - no detected value survives: a value found in the input appears in the output only where the
//   input also held it in a context the shield does not redact ("v10.0.0.1");
// - redacting the output with RedactPreservingLabels keeps every label the output carried (unless
//   it minted a new label that swallowed one: hides more, reveals nothing);
// - a StreamRedactor fed the input in pieces gives the same bytes as Redact.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "awoooi/privacy/shield.h"

namespace {

const awoooi::privacy::Shield& GetShield() {
  static const std::unique_ptr<awoooi::privacy::Shield> shield = [] {
    awoooi::privacy::ShieldConfig config;
    config.vault_key = std::string(32, 'f');
    config.custom_patterns.push_back({"employee_id", "EMP-[0-9]{6}", "EMP"});
    auto s = awoooi::privacy::Shield::Create(config);
    if (!s.ok()) std::abort();
    return std::move(*s);
  }();
  return *shield;
}

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using awoooi::privacy::Vault;
  const auto& shield = GetShield();
  std::string_view text(reinterpret_cast<const char*>(data), size);

  Vault vault;
  awoooi::privacy::Redacted redacted = shield.Redact(text, vault);
  Check(shield.Rehydrate(redacted, vault) == text);

  // No detected value survives: a value found in the input may appear in the output only if the
  // input also holds it somewhere the shield rightly did not redact (an undetected context).
  std::vector<awoooi::privacy::Finding> findings = shield.Scan(text);
  for (const auto& f : findings) {
    std::string_view value = text.substr(f.offset, f.length);
    if (value.size() < 6 || value.find_first_of("[]~") != std::string_view::npos) continue;
    bool undetected_elsewhere = false;
    for (std::size_t p = text.find(value); p != std::string_view::npos && !undetected_elsewhere;
         p = text.find(value, p + 1)) {
      bool covered = false;
      for (const auto& g : findings) covered |= g.offset <= p && p + value.size() <= g.offset + g.length;
      undetected_elsewhere = !covered;
    }
    if (!undetected_elsewhere) Check(redacted.view().find(value) == std::string_view::npos);
  }

  // A second pass (RedactPreservingLabels) keeps every minted label, unless it swallowed the label
  // into a new value (values glued together without a separator; see docs/privacy.md), which
  // hides more and reveals nothing.
  std::size_t minted = vault.size();
  awoooi::privacy::Redacted again = shield.RedactPreservingLabels(redacted.view(), vault);
  bool swallowed_into_new_value = vault.size() > minted;
  std::string_view out = redacted.view();
  for (std::size_t p = out.find('['); p != std::string_view::npos; p = out.find('[', p + 1)) {
    std::size_t close = out.find(']', p);
    if (close == std::string_view::npos) break;
    std::string_view label = out.substr(p, close - p + 1);
    if (vault.Minted(label) && !swallowed_into_new_value)
      Check(again.view().find(label) != std::string_view::npos);
  }

  // The vault's records open to the same vault; a snapshot of it redacts the text again without
  // minting; bytes that are not records are refused, not parsed.
  auto records = shield.SealNew(vault, "incident/1");
  Check(records.ok());
  auto reopened = shield.OpenVault(*records, "incident/1", awoooi::privacy::VaultUse::kSnapshot);
  Check(reopened.ok() && reopened->size() == vault.size());
  Check(shield.Rehydrate(again, *reopened) == shield.Rehydrate(again, vault));
  shield.Redact(text, *reopened);
  Check(reopened->size() == vault.size() && !reopened->dirty());
  Check(!shield.OpenVault({std::string(text)}, "incident/1", awoooi::privacy::VaultUse::kOwner).ok());

  // Streaming in pieces gives the same bytes.
  Vault stream_vault;
  auto stream = shield.NewStreamRedactor(stream_vault);
  std::string streamed;
  std::size_t step = size > 0 ? 1 + data[0] % 97 : 1;
  for (std::size_t pos = 0; pos < size; pos += step) streamed += stream->Write(text.substr(pos, step)).str();
  streamed += stream->Finish().str();
  Check(streamed == redacted.str());
  return 0;
}
