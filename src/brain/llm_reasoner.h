// LlmReasoner: what every LLM provider plugin shares — settings (model, base URL, API key from
// settings, environment or file), the prompt, one streaming HTTP exchange with retries and backoff
// on 429/5xx (honouring Retry-After), redaction of the streamed answer into thinking chunks, and
// parsing the answer into a Proposal. A provider plugin only says how to build its request and how
// to decode its stream (StreamDecoder).
//
// Status vocabulary of Propose (the fallback chain turns it into fallback_reason):
//   DeadlineExceeded  the answer did not complete within `timeout`
//   Unavailable       transport failure, a stream cut short, 429/5xx after the retries
//   PermissionDenied  the model refused
//   InvalidArgument   the answer was not a proposal (not JSON, schema violation)
//   FailedPrecondition the provider rejected the request (401/403/404/400: key, model, URL)
//   Cancelled         the context's cancel flag was set
//
// Thread-safety: immutable after construction; Propose may run on many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/brain/reasoner.h"
#include "awoooi/core/plugin.h"
#include "awoooi/net/http_client.h"

namespace awoooi::privacy {
class Shield;
}

namespace awoooi::brain {

using net::HttpRequest;
using net::HttpResponse;
using net::ParseRetryAfterMs;

struct RetryPolicy {
  int max_retries = 2;               // extra attempts after the first, for 429 and 5xx only
  int64_t initial_backoff_ms = 500;  // doubled per retry, capped at max_backoff_ms
  int64_t max_backoff_ms = 8'000;
  int64_t max_retry_after_ms = 30'000;  // a longer Retry-After is not waited for: fail over instead
};

struct LlmSettings {
  std::string model;
  std::string base_url;  // without a trailing '/'
  std::string api_key;   // a secret: never logged, never in a Status message
  int64_t timeout_ms = 60'000;
  int64_t connect_timeout_ms = 10'000;
  int64_t max_tokens = 2048;
  double temperature = 0.2;
  RetryPolicy retry;
};

// The settings keys LLM providers read (for PluginSettings::RejectUnknown).
const std::vector<std::string_view>& LlmSettingKeys();

// Reads model (required), base_url (default `default_base_url`), api_key / api_key_env /
// api_key_file (at most one; required when `key_required`), timeout, connect_timeout, max_tokens,
// temperature, max_retries, retry_backoff, max_retry_after. Errors name the key, never the key's value.
absl::StatusOr<LlmSettings> ParseLlmSettings(const PluginSettings& settings,
                                             std::string_view default_base_url, bool key_required);

// Turns one provider's streamed body into model text.
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // Consumes body bytes (split anywhere) and appends newly decoded model text to *text. A non-OK
  // status stops the stream: PermissionDenied for a refusal, Unavailable for an error event.
  virtual absl::Status Feed(std::string_view bytes, std::string* text) = 0;
  // The body ended. OK only when the stream said it was complete (a [DONE], message_stop, done:true);
  // Unavailable otherwise (the connection dropped mid-answer).
  virtual absl::Status Finish(std::string* text) = 0;
};

class LlmReasoner : public Reasoner {
 public:
  LlmReasoner(std::string name, LlmSettings settings, const privacy::Shield& shield);

  std::string name() const override { return name_; }
  absl::StatusOr<Proposal> Propose(const ReasoningContext& context, const ThinkingSink& thinking) final;

  const LlmSettings& settings() const { return settings_; }

 protected:
  // The request for this provider (URL, headers with the key, JSON body with stream on). The
  // prompts are Redacted: their .str() is the only text from the incident a request may carry.
  virtual HttpRequest BuildRequest(const privacy::Redacted& system, const privacy::Redacted& user) const = 0;
  virtual std::unique_ptr<StreamDecoder> NewDecoder() const = 0;

 private:
  absl::StatusOr<std::string> Exchange(const ReasoningContext& context, const ThinkingSink& thinking,
                                       privacy::Vault& vault) const;

  std::string name_;
  LlmSettings settings_;
  const privacy::Shield& shield_;
};

// The part of a provider's error body worth showing (its "message"), at most 200 bytes.
std::string ProviderErrorSnippet(std::string_view body);

}  // namespace awoooi::brain
