// `awoooi redact [--scope NAME] [--json] [--stats] [FILE]`: the Privacy Shield over a file or stdin.
//
// Streams in 4 MiB reads through a StreamRedactor, so any input size runs in bounded memory (about
// 16 MiB) whatever its line lengths; the output is byte-for-byte what
// Shield::Redact gives for the whole input. One run is one scope: the same value gets the same label
// throughout it (the scope name is reported in --json output; the vault is not persisted, so labels from
// separate runs are unrelated).
//
// Output: the redacted text on `out`; or with --json, JSON Lines on `out`, one object per finding in
// input order: {"scope":"...","offset":N,"length":N,"kind":"ipv4","label":"[IP_1]"} — never the value.
// --stats prints, on `err`, the bytes read, the findings per kind, the elapsed time and MB/s.
// Exit codes: 0 done, 1 input or output failed, 2 the shield could not be built from `config`.
//
// Thread-safety: a plain function; the streams belong to the caller.
#pragma once

#include <iosfwd>
#include <string>

#include "awoooi/privacy/shield.h"

namespace awoooi::cli {

struct RedactOptions {
  std::string scope;
  std::string file;  // empty or "-": read `in`
  bool json = false;
  bool stats = false;
  // Threads for the stream redactor: 0 picks 2 when the machine has two hardware threads (the next
  // window's detection overlaps the current one's labelling; the output is the same), else 1.
  int threads = 0;
};

int RunRedact(const RedactOptions& options, const privacy::ShieldConfig& config, std::istream& in,
              std::ostream& out, std::ostream& err);

}  // namespace awoooi::cli
