#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "privacy/shield_impl.h"

namespace awoooi::privacy {

absl::StatusOr<std::unique_ptr<Shield>> Shield::Create(const ShieldConfig& config) {
  absl::StatusOr<std::unique_ptr<internal::ShieldImpl>> impl = internal::ShieldImpl::Build(config);
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<Shield>(std::move(*impl));
}

namespace internal {
namespace {

struct Hit {
  std::uint32_t id;
  std::uint64_t from;
  std::uint64_t to;
};

int OnMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int, void* ctx) {
  static_cast<std::vector<Hit>*>(ctx)->push_back(Hit{id, from, to});
  return 0;
}

bool ValidLabelPrefix(std::string_view p) {
  if (p.empty() || p.size() > 31 || p[0] < 'A' || p[0] > 'Z') return false;
  return std::all_of(p.begin(), p.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

constexpr int kCustomPriority = 80;

}  // namespace

struct ShieldImpl::Scratch {
  hs_scratch_t* hs = nullptr;
  std::vector<Hit> hits;
  std::vector<ShapeHit> shape_hits;
  ~Scratch() { hs_free_scratch(hs); }
};

absl::StatusOr<std::unique_ptr<ShieldImpl>> ShieldImpl::Build(const ShieldConfig& config) {
  std::unique_ptr<ShieldImpl> shield(new ShieldImpl());
  std::string master = config.vault_key.empty() ? GenerateVaultKey() : config.vault_key;
  absl::StatusOr<VaultKeys> keys = VaultKeys::FromConfig(master);
  if (!keys.ok()) return keys.status();
  shield->keys_ = std::move(*keys);
  shield->stream_threads_ = std::max(1, config.stream_threads);

  std::vector<std::string> expressions;
  std::vector<unsigned> flags, ids;
  const std::vector<Trigger>& triggers = BuiltinTriggers();
  for (std::uint32_t i = 0; i < triggers.size(); ++i) {
    if (!triggers[i].vectorscan) continue;
    expressions.emplace_back(triggers[i].regex);
    flags.push_back(triggers[i].flags);
    ids.push_back(i);
  }
  shield->builtin_triggers_ = static_cast<std::uint32_t>(triggers.size());
  const int builtin_expressions = static_cast<int>(expressions.size());
  unsigned mode = HS_MODE_BLOCK;
  for (std::size_t i = 0; i < config.custom_patterns.size(); ++i) {
    const CustomPattern& p = config.custom_patterns[i];
    if (p.name.empty() || p.regex.empty() || !ValidLabelPrefix(p.label_prefix)) {
      return absl::InvalidArgumentError(
          absl::StrCat("privacy: custom pattern #", i + 1, " (", p.name,
                       ") needs a name, a regex and a label prefix [A-Z][A-Z0-9_]*"));
    }
    expressions.push_back(p.regex);
    // Custom patterns are few and arbitrary, so they get exact spans from start-of-match tracking
    // instead of a hand-written extractor; the built-in triggers stay SOM-free.
    flags.push_back(HS_FLAG_SOM_LEFTMOST);
    ids.push_back(shield->builtin_triggers_ + static_cast<unsigned>(i));
    shield->custom_.push_back(CustomKind{p.name, p.label_prefix});
  }
  std::vector<const char*> cexpr;
  for (const auto& e : expressions) cexpr.push_back(e.c_str());
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(cexpr.data(), flags.data(), ids.data(), static_cast<unsigned>(cexpr.size()), mode,
                       nullptr, &shield->db_, &error) != HS_SUCCESS) {
    std::string message = error != nullptr && error->message != nullptr ? error->message : "unknown error";
    int index = error != nullptr ? error->expression : -1;
    hs_free_compile_error(error);
    if (index >= builtin_expressions) {
      return absl::InvalidArgumentError(absl::StrCat("privacy: custom pattern ",
                                                     config.custom_patterns[index - builtin_expressions].name,
                                                     " does not compile: ", message));
    }
    return absl::InternalError(
        absl::StrCat("privacy: built-in pattern ", index, " does not compile: ", message));
  }
  if (hs_alloc_scratch(shield->db_, &shield->prototype_) != HS_SUCCESS) {
    return absl::ResourceExhaustedError("privacy: cannot allocate Vectorscan scratch space");
  }
  return shield;
}

ShieldImpl::~ShieldImpl() {
  {
    absl::MutexLock lock(&pool_mu_);
    pool_.clear();
    all_scratch_.clear();
  }
  hs_free_scratch(prototype_);
  hs_free_database(db_);
}

ShieldImpl::Scratch* ShieldImpl::AcquireScratch() const {
  absl::MutexLock lock(&pool_mu_);
  if (!pool_.empty()) {
    Scratch* s = pool_.back();
    pool_.pop_back();
    return s;
  }
  auto s = std::make_unique<Scratch>();
  if (hs_clone_scratch(prototype_, &s->hs) != HS_SUCCESS) std::abort();  // out of memory
  all_scratch_.push_back(std::move(s));
  return all_scratch_.back().get();
}

void ShieldImpl::ReleaseScratch(Scratch* scratch) const {
  absl::MutexLock lock(&pool_mu_);
  pool_.push_back(scratch);
}

std::string_view ShieldImpl::KindName(std::uint16_t kind) const {
  if (kind >= kCustomKindBase) return custom_[kind - kCustomKindBase].name;
  return BuiltinKindInfo(kind).name;
}

std::string_view ShieldImpl::KindPrefix(std::uint16_t kind) const {
  if (kind >= kCustomKindBase) return custom_[kind - kCustomKindBase].prefix;
  return BuiltinKindInfo(kind).label_prefix;
}

void ShieldImpl::FindSpans(std::string_view window, std::vector<Span>* spans) const {
  spans->clear();
  if (window.empty()) return;
  Scratch* scratch = AcquireScratch();
  scratch->hits.clear();
  hs_error_t rc = hs_scan(db_, window.data(), static_cast<unsigned>(window.size()), 0, scratch->hs, OnMatch,
                          &scratch->hits);
  if (rc != HS_SUCCESS) std::abort();  // only scratch misuse or a corrupt database can fail here
  for (const Hit& hit : scratch->hits) {
    Span span;
    if (hit.id < builtin_triggers_) {
      if (ExtractSpan(hit.id, window, static_cast<std::size_t>(hit.to), &span)) spans->push_back(span);
    } else if (hit.to > hit.from) {
      spans->push_back(Span{static_cast<std::size_t>(hit.from), static_cast<std::size_t>(hit.to),
                            static_cast<std::uint16_t>(kCustomKindBase + (hit.id - builtin_triggers_)),
                            kCustomPriority});
    }
  }
  const std::size_t from_vectorscan = spans->size();
  scratch->shape_hits.clear();
  ScanShapes(window, &scratch->shape_hits);
  for (const ShapeHit& hit : scratch->shape_hits) {
    Span span;
    if (ExtractSpan(hit.id, window, hit.end, &span)) spans->push_back(span);
  }
  ReleaseScratch(scratch);
  // Each source reports in text order: sort each (nearly linear), then merge.
  SortSpans(spans->begin(), spans->begin() + static_cast<std::ptrdiff_t>(from_vectorscan));
  SortSpans(spans->begin() + static_cast<std::ptrdiff_t>(from_vectorscan), spans->end());
  std::inplace_merge(spans->begin(), spans->begin() + static_cast<std::ptrdiff_t>(from_vectorscan),
                     spans->end(), SpanOrder);
  ResolveOverlaps(spans);
}

std::size_t ShieldImpl::CommitSpans(std::string_view window, std::size_t from, bool eof,
                                    std::vector<Span>* spans) const {
  FindSpans(window, spans);
  return CommitFound(window.size(), from, eof, spans);
}

std::size_t ShieldImpl::CommitFound(std::size_t window_size, std::size_t from, bool eof,
                                    std::vector<Span>* spans) const {
  std::size_t safe = eof ? window_size : (window_size > kMargin ? window_size - kMargin : from);
  safe = std::max(safe, from);
  std::size_t kept = 0;
  for (const Span& s : *spans) {
    if (s.end <= from) continue;  // committed with the previous window
    if (s.end > safe) {
      if (s.begin < safe) safe = std::max(s.begin, from);
      break;
    }
    Span c = s;
    // A span reaching back into committed text cannot happen with kMargin > kMaxSpan; if it did,
    // redacting its uncommitted part still keeps the value out of the output.
    c.begin = std::max(c.begin, from);
    (*spans)[kept++] = c;
  }
  spans->resize(kept);
  return safe;
}

void ShieldImpl::Emit(std::string_view window, std::size_t from, std::size_t safe,
                      const std::vector<Span>& spans, LabelMode mode, Vault& vault, MintCache* cache,
                      std::string* out, FindingLog* log, std::uint64_t stream_offset) const {
  Vault::Impl& v = VaultImpl(vault);
  // A vault filled under another key is re-indexed by MintIndex; cached indexes stay valid, but
  // start afresh anyway so the cache never spans two keys.
  if (v.key_id != keys_.id()) cache->clear();
  std::size_t pos = from;
  for (const Span& s : spans) {
    out->append(window.data() + pos, s.begin - pos);
    std::string_view text = window.substr(s.begin, s.end - s.begin);
    if (s.kind == kLabelKind) {
      bool keep =
          mode == LabelMode::kPreserveMinted && (text[1] == '~' || v.by_label.contains(AbslView(text)));
      if (keep) {
        out->append(text);
      } else {
        out->append("[~");
        out->append(text.substr(1));
      }
    } else {
      std::uint32_t index;
      if (text.size() <= kMintCacheValue) {
        MintCacheKey key;
        char bytes[sizeof key.words] = {};
        bytes[0] = static_cast<char>(s.kind & 0xFF);
        bytes[1] = static_cast<char>(s.kind >> 8);
        bytes[2] = static_cast<char>(text.size());
        std::memcpy(bytes + 3, text.data(), text.size());
        std::memcpy(key.words.data(), bytes, sizeof bytes);
        auto [it, inserted] = cache->try_emplace(key, 0);
        if (inserted) it->second = keys_.MintIndex(v, KindPrefix(s.kind), text);
        index = it->second;
      } else {
        index = keys_.MintIndex(v, KindPrefix(s.kind), text);
      }
      const std::string& label = v.LabelAt(index);
      out->append(label);
      if (log != nullptr) {
        if (log->per_kind.size() <= s.kind) log->per_kind.resize(s.kind + 1u);
        ++log->per_kind[s.kind];
        if (log->keep_events) {
          log->events.push_back(
              RedactionEvent{stream_offset + s.begin, text.size(), std::string(KindName(s.kind)), label});
        }
      }
    }
    pos = s.end;
  }
  out->append(window.data() + pos, safe - pos);
}

Redacted ShieldImpl::RedactWithMode(std::string_view text, Vault& vault, LabelMode mode) const {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  std::vector<Span> spans;
  MintCache cache;
  std::size_t pos = 0;
  while (true) {
    std::size_t wb = pos > kLookBehind ? pos - kLookBehind : 0;
    std::size_t we = std::min(text.size(), pos + kChunk + kMargin);
    bool eof = we == text.size();
    std::string_view window = text.substr(wb, we - wb);
    std::size_t safe = CommitSpans(window, pos - wb, eof, &spans);
    Emit(window, pos - wb, safe, spans, mode, vault, &cache, &out, nullptr, wb);
    pos = wb + safe;
    if (eof) break;
  }
  return MakeRedacted(std::move(out));
}

Redacted ShieldImpl::Redact(std::string_view text, Vault& vault) const {
  return RedactWithMode(text, vault, LabelMode::kEscapeAll);
}

Redacted ShieldImpl::RedactEphemeral(std::string_view text) const {
  Vault vault;
  return RedactWithMode(text, vault, LabelMode::kEscapeAll);
}

Redacted ShieldImpl::RedactPreservingLabels(std::string_view text, Vault& vault) const {
  return RedactWithMode(text, vault, LabelMode::kPreserveMinted);
}

std::vector<Finding> ShieldImpl::Scan(std::string_view text) const {
  std::vector<Finding> findings;
  std::vector<Span> spans;
  std::size_t pos = 0;
  while (true) {
    std::size_t wb = pos > kLookBehind ? pos - kLookBehind : 0;
    std::size_t we = std::min(text.size(), pos + kChunk + kMargin);
    bool eof = we == text.size();
    std::size_t safe = CommitSpans(text.substr(wb, we - wb), pos - wb, eof, &spans);
    for (const Span& s : spans) {
      if (s.kind == kLabelKind) continue;
      findings.push_back(Finding{wb + s.begin, s.end - s.begin, std::string(KindName(s.kind)),
                                 std::string(KindPrefix(s.kind))});
    }
    pos = wb + safe;
    if (eof) break;
  }
  return findings;
}

std::string ShieldImpl::Rehydrate(const Redacted& redacted, const Vault& vault) const {
  const Vault::Impl& v = VaultImpl(vault);
  std::string_view text = redacted.view();
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t b = text.find('[', pos);
    if (b == std::string_view::npos) break;
    out.append(text.substr(pos, b - pos));
    std::size_t len = LabelShapeLength(text.substr(b));
    if (len == 0) {
      out.push_back('[');
      pos = b + 1;
      continue;
    }
    std::string_view label = text.substr(b, len);
    if (label[1] == '~') {
      out.push_back('[');
      out.append(label.substr(2));  // one escape level off: literal text, never a value
    } else if (auto it = v.by_label.find(AbslView(label)); it != v.by_label.end()) {
      out.append(v.entries[it->second].value);
    } else {
      out.append(label);
    }
    pos = b + len;
  }
  if (pos < text.size()) out.append(text.substr(pos));
  return out;
}

absl::StatusOr<std::vector<std::string>> ShieldImpl::SealNew(Vault& vault, std::string_view scope) const {
  return keys_.SealNew(VaultImpl(vault), scope);
}

absl::StatusOr<Vault> ShieldImpl::OpenVault(const std::vector<std::string>& records, std::string_view scope,
                                            VaultUse use) const {
  Vault vault;
  absl::Status status = keys_.Open(records, scope, &VaultImpl(vault));
  if (!status.ok()) return status;
  VaultImpl(vault).snapshot = use == VaultUse::kSnapshot;
  return vault;
}

absl::StatusOr<std::vector<std::string>> ShieldImpl::UpgradeLegacyVault(std::string_view sealed_v1,
                                                                        std::string_view scope) const {
  Vault vault;
  if (auto s = keys_.OpenLegacy(sealed_v1, &VaultImpl(vault)); !s.ok()) return s;
  VaultImpl(vault).sealed = 0;
  return keys_.SealNew(VaultImpl(vault), scope);
}

class StreamRedactorImpl final : public StreamRedactor {
 public:
  StreamRedactorImpl(const ShieldImpl& shield, Vault& vault, int threads)
      : shield_(shield), vault_(vault), parallel_(threads >= 2) {}

  // Input is scanned where it lies whenever possible: only the head of `data` joins what earlier
  // calls left in the buffer (so that, once the buffer is committed, the rest of `data` has its
  // look-behind inside `data`), and only the tail that cannot be committed yet is kept. Windows
  // keep the invariants of CommitSpans (kLookBehind before the commit start, kMargin after the
  // commit point, at most kChunk + kMargin + kLookBehind bytes), so the output is what Redact of the
  // whole input gives, whatever the chunking.
  Redacted Write(std::string_view data) override {
    if (parallel_) return WriteParallel(data);
    std::string out;
    out.reserve(data.size() + data.size() / 8 + kMargin);
    const std::uint64_t data_start = bytes_in_;
    bytes_in_ += data.size();
    constexpr std::size_t kHead = kMargin + 2 * kLookBehind;
    std::size_t pos = 0;  // the first byte of `data` not yet committed
    if (!buffer_.empty()) {
      if (data.size() < kHead) {
        AppendAndProcess(data, &out);
        return Wrap(std::move(out));
      }
      buffer_.append(data.data(), kHead);
      Process(false, &out);
      const std::uint64_t committed = buffer_offset_ + from_;
      if (committed < data_start + kLookBehind) {
        // A value straddling the commit point held it back: carry on through the buffer.
        AppendAndProcess(data.substr(kHead), &out);
        return Wrap(std::move(out));
      }
      pos = static_cast<std::size_t>(committed - data_start);
    }
    while (true) {
      const std::size_t wb = pos > kLookBehind ? pos - kLookBehind : 0;
      const std::size_t we = std::min(data.size(), pos + kChunk + kMargin);
      if (we - pos <= kMargin) break;
      std::string_view window = data.substr(wb, we - wb);
      std::size_t safe = shield_.CommitSpans(window, pos - wb, false, &spans_);
      shield_.Emit(window, pos - wb, safe, spans_, LabelMode::kEscapeAll, vault_, &cache_, &out, &log_,
                   data_start + wb);
      if (wb + safe == pos) break;  // nothing could be committed: keep the rest for later
      pos = wb + safe;
    }
    // Keep the uncommitted tail, with its look-behind.
    const std::size_t keep = pos > kLookBehind ? pos - kLookBehind : 0;
    buffer_.assign(data.data() + keep, data.size() - keep);
    buffer_offset_ = data_start + keep;
    from_ = pos - keep;
    if (buffer_.size() - from_ >= kChunk + kMargin) Process(false, &out);
    return Wrap(std::move(out));
  }

  Redacted Finish() override {
    std::string out;
    Process(true, &out);
    return Wrap(std::move(out));
  }

  std::vector<RedactionEvent> TakeEvents() override {
    std::vector<RedactionEvent> events;
    events.swap(log_.events);
    log_.events.reserve(events.size());  // the next batch is about as large: no regrowth from empty
    return events;
  }

  void KeepEvents(bool keep) override {
    log_.keep_events = keep;
    if (!keep) log_.events = {};
  }

  std::vector<std::pair<std::string, std::uint64_t>> FindingsByKind() const override {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (std::size_t kind = 0; kind < log_.per_kind.size(); ++kind) {
      if (log_.per_kind[kind] > 0)
        out.emplace_back(std::string(shield_.KindName(static_cast<std::uint16_t>(kind))),
                         log_.per_kind[kind]);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::uint64_t bytes_in() const override { return bytes_in_; }

 private:
  // Two threads: windows are laid out on a fixed stride, each starting kMaxSpan + kLookBehind
  // before the latest possible commit point of the one before (a commit point moves back only to
  // the start of a value, and values are at most kMaxSpan long). So the windows of a group can be
  // scanned independently: a worker scans all but the first while this thread scans the first,
  // and this thread then commits and labels them in order, each from the previous one's actual
  // commit point, which lies at least kLookBehind inside the next window. Every window keeps
  // CommitSpans' invariants, so the output is byte for byte the single-thread output.
  static constexpr std::size_t kGroup = 4;
  static constexpr std::size_t kStride = kChunk - kMaxSpan;
  static constexpr std::size_t kGroupSpan = (kGroup - 1) * kStride + kChunk + kMargin;

  Redacted WriteParallel(std::string_view data) {
    std::string out;
    out.reserve(data.size() + data.size() / 8 + kMargin);
    bytes_in_ += data.size();
    while (!data.empty()) {
      std::size_t take = std::min(data.size(), kChunk);
      buffer_.append(data.data(), take);
      data.remove_prefix(take);
      while (buffer_.size() - from_ >= kGroupSpan) ProcessGroup(&out);
    }
    return Wrap(std::move(out));
  }

  void ProcessGroup(std::string* out) {
    const std::string_view buffer(buffer_);
    std::array<std::size_t, kGroup> start{}, from_min{};
    std::array<std::string_view, kGroup> window;
    for (std::size_t i = 0; i < kGroup; ++i) {
      from_min[i] = from_ + i * kStride;
      start[i] = i == 0 ? (from_ > kLookBehind ? from_ - kLookBehind : 0) : from_min[i] - kLookBehind;
      window[i] = buffer.substr(start[i], from_min[i] + kChunk + kMargin - start[i]);
    }
    // Both threads scan windows, taking the next one not yet taken; this thread also labels them
    // in order, and scans only while the window it has to label next is not ready. So neither
    // thread idles whichever is dearer on the input at hand, scanning or labelling.
    std::mutex mu;
    std::condition_variable cv;
    std::size_t next_scan = 0;           // guarded by mu
    std::array<bool, kGroup> scanned{};  // guarded by mu
    auto scan_next = [&](std::unique_lock<std::mutex>& lock) {
      const std::size_t i = next_scan++;
      lock.unlock();
      shield_.FindSpans(window[i], &group_spans_[i]);
      lock.lock();
      scanned[i] = true;
      cv.notify_all();
    };
    std::thread worker([&] {
      std::unique_lock<std::mutex> lock(mu);
      while (next_scan < kGroup) scan_next(lock);
    });
    std::size_t committed = from_;  // buffer position of the first byte not yet committed
    for (std::size_t i = 0; i < kGroup; ++i) {
      {
        std::unique_lock<std::mutex> lock(mu);
        while (!scanned[i]) {
          if (next_scan < kGroup)
            scan_next(lock);
          else
            cv.wait(lock);
        }
      }
      std::vector<Span>& spans = group_spans_[i];
      const std::size_t from = committed - start[i];
      const std::size_t safe = shield_.CommitFound(window[i].size(), from, false, &spans);
      shield_.Emit(window[i], from, safe, spans, LabelMode::kEscapeAll, vault_, &cache_, out, &log_,
                   buffer_offset_ + start[i]);
      committed = start[i] + safe;
    }
    worker.join();
    const std::size_t keep_from = committed > kLookBehind ? committed - kLookBehind : 0;
    buffer_.erase(0, keep_from);
    buffer_offset_ += keep_from;
    from_ = committed - keep_from;
  }

  // The buffered path: appends `data` in kChunk pieces, processing the buffer whenever it holds a
  // full window.
  void AppendAndProcess(std::string_view data, std::string* out) {
    while (!data.empty()) {
      std::size_t take = std::min(data.size(), kChunk);
      buffer_.append(data.data(), take);
      data.remove_prefix(take);
      if (buffer_.size() - from_ >= kChunk + kMargin) Process(false, out);
    }
  }

  void Process(bool eof, std::string* out) {
    std::size_t safe = shield_.CommitSpans(buffer_, from_, eof, &spans_);
    shield_.Emit(buffer_, from_, safe, spans_, LabelMode::kEscapeAll, vault_, &cache_, out, &log_,
                 buffer_offset_);
    std::size_t keep_from = safe > kLookBehind ? safe - kLookBehind : 0;
    buffer_.erase(0, keep_from);
    buffer_offset_ += keep_from;
    from_ = safe - keep_from;
  }

  static Redacted Wrap(std::string text) { return ShieldImpl::Wrap(std::move(text)); }

  const ShieldImpl& shield_;
  Vault& vault_;
  std::string buffer_;
  std::size_t from_ = 0;
  std::uint64_t buffer_offset_ = 0;
  std::uint64_t bytes_in_ = 0;
  std::vector<Span> spans_;
  std::array<std::vector<Span>, kGroup> group_spans_;  // the worker's windows (two-thread path)
  const bool parallel_;
  ShieldImpl::MintCache cache_;
  ShieldImpl::FindingLog log_;
};

std::unique_ptr<StreamRedactor> ShieldImpl::NewStreamRedactor(Vault& vault) const {
  return std::make_unique<StreamRedactorImpl>(*this, vault, stream_threads_);
}

}  // namespace internal
}  // namespace awoooi::privacy
