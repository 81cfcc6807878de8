// Redacted: text that has passed the Privacy Shield.
//
// Every interface that sends text out of the process (brain providers, notifiers, logs, API
// responses) takes `Redacted`, so handing it raw text is a compile error. Only the shield (and
// the few named friends below) can construct one from arbitrary text; program-authored string
// literals can be marked redacted with `Redacted::Literal("...")` because they contain no data.
//
// Thread-safety: a value type; copy freely.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace awoooi::privacy {

class Shield;

class Redacted {
 public:
  Redacted() = default;

  // Only string literals (arrays known at compile time) may become Redacted without the shield.
  template <std::size_t N>
  static Redacted Literal(const char (&text)[N]) {
    return Redacted(std::string(text, N - 1));
  }

  // A piece decoded from `whole` (a JSON string leaf of a redacted JSON document, for rehydrating
  // tool arguments leaf by leaf). The caller vouches that `part` came out of `whole`; `whole` is
  // required so that every use names the redacted text it decodes.
  static Redacted PartOf(const Redacted& whole, std::string part) {
    (void)whole;
    return Redacted(std::move(part));
  }

  const std::string& str() const& { return text_; }
  std::string_view view() const { return text_; }
  bool empty() const { return text_.empty(); }
  std::size_t size() const { return text_.size(); }

  // Concatenating redacted pieces keeps the guarantee.
  Redacted& operator+=(const Redacted& other) {
    text_ += other.text_;
    return *this;
  }
  friend Redacted operator+(Redacted a, const Redacted& b) {
    a += b;
    return a;
  }
  friend bool operator==(const Redacted& a, const Redacted& b) { return a.text_ == b.text_; }

 private:
  explicit Redacted(std::string text) : text_(std::move(text)) {}
  friend class Shield;
  // Program-generated numbers and identifiers (counts, ids, enum names) carry no user data.
  friend Redacted RedactedNumber(long long value);
  friend Redacted RedactedIdentifier(std::string_view identifier);

  std::string text_;
};

// A decimal number. Numbers the program computes (ids, counts) are not user data.
inline Redacted RedactedNumber(long long value) { return Redacted(std::to_string(value)); }

// An identifier the program itself chose from a fixed vocabulary (enum names, route names).
// Anything outside [A-Za-z0-9_.:/-] is replaced with '_' so data cannot sneak through.
inline Redacted RedactedIdentifier(std::string_view identifier) {
  std::string out(identifier);
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == ':' || c == '/' || c == '-';
    if (!ok) c = '_';
  }
  return Redacted(std::move(out));
}

}  // namespace awoooi::privacy
