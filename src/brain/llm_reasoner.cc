#include "brain/llm_reasoner.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "awoooi/brain/proposal_json.h"
#include "awoooi/privacy/shield.h"
#include "brain/prompt.h"
#include "nlohmann/json.hpp"

namespace awoooi::brain {
namespace {

// Streamed model text is redacted before it reaches the thinking sink. A value (IP, e-mail, key)
// never contains whitespace, so text is released up to the last whitespace seen and the tail is
// held until more arrives; a run longer than kMaxHeldBytes without whitespace is released anyway.
constexpr std::size_t kMaxHeldBytes = 4096;

class ThinkingRedactor {
 public:
  ThinkingRedactor(const ThinkingSink& sink, const privacy::Shield& shield, privacy::Vault& vault)
      : sink_(sink), shield_(shield), vault_(vault) {}

  void Add(std::string_view text) {
    held_.append(text);
    std::size_t cut = held_.find_last_of(" \t\r\n");
    if (cut == std::string::npos) {
      if (held_.size() < kMaxHeldBytes) return;
      cut = held_.size() - 1;
    }
    Emit(held_.substr(0, cut + 1));
    held_.erase(0, cut + 1);
  }
  void Flush() {
    if (!held_.empty()) Emit(held_);
    held_.clear();
  }

 private:
  void Emit(std::string_view text) {
    if (sink_ && !text.empty()) sink_(shield_.RedactPreservingLabels(text, vault_));
  }
  const ThinkingSink& sink_;
  const privacy::Shield& shield_;
  privacy::Vault& vault_;
  std::string held_;
};

bool Cancelled(const ReasoningContext& c) { return c.cancel != nullptr && c.cancel->load(); }

// Sleeps `ms`, waking early (false) when the analysis is cancelled.
bool SleepUnlessCancelled(int64_t ms, const ReasoningContext& c) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (Cancelled(c)) return false;
    auto left = until - std::chrono::steady_clock::now();
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
  }
  return !Cancelled(c);
}

// Phrases that open a model's refusal to answer in prose.
bool LooksLikeRefusal(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  for (std::string_view opening : {"I can't", "I cannot", "I can’t", "I'm sorry", "I’m sorry", "I am sorry",
                                   "I am unable", "I'm unable", "I won't", "Sorry,"}) {
    if (text.substr(0, opening.size()) == opening) return true;
  }
  return false;
}

absl::StatusOr<std::string> ReadKeyFile(const PluginSettings& s, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(s.KeyPath("api_key_file") + ": cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string key = text.str();
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.front()))) key.erase(0, 1);
  if (key.empty()) return absl::InvalidArgumentError(s.KeyPath("api_key_file") + ": " + path + " is empty");
  return key;
}

}  // namespace

const std::vector<std::string_view>& LlmSettingKeys() {
  static const std::vector<std::string_view> kKeys = {
      "model",           "base_url",   "api_key",     "api_key_env", "api_key_file",  "timeout",
      "connect_timeout", "max_tokens", "temperature", "max_retries", "retry_backoff", "max_retry_after"};
  return kKeys;
}

absl::StatusOr<LlmSettings> ParseLlmSettings(const PluginSettings& s, std::string_view default_base_url,
                                             bool key_required) {
  LlmSettings out;
  auto model = s.GetRequired("model");
  if (!model.ok()) return model.status();
  out.model = *model;
  out.base_url = s.GetString("base_url", default_base_url);
  while (!out.base_url.empty() && out.base_url.back() == '/') out.base_url.pop_back();
  if (out.base_url.rfind("http://", 0) != 0 && out.base_url.rfind("https://", 0) != 0) {
    return absl::InvalidArgumentError(s.KeyPath("base_url") + ": must start with http:// or https://");
  }

  int sources = int(s.Has("api_key")) + int(s.Has("api_key_env")) + int(s.Has("api_key_file"));
  if (sources > 1) {
    return absl::InvalidArgumentError(s.KeyPath("api_key") +
                                      ": set only one of api_key, api_key_env, api_key_file");
  }
  if (s.Has("api_key")) {
    out.api_key = s.GetString("api_key");
  } else if (s.Has("api_key_env")) {
    std::string var = s.GetString("api_key_env");
    const char* value = std::getenv(var.c_str());
    if (value == nullptr || *value == '\0') {
      return absl::InvalidArgumentError(s.KeyPath("api_key_env") + ": environment variable " + var +
                                        " is not set");
    }
    out.api_key = value;
  } else if (s.Has("api_key_file")) {
    auto key = ReadKeyFile(s, s.GetString("api_key_file"));
    if (!key.ok()) return key.status();
    out.api_key = *key;
  }
  if (key_required && out.api_key.empty()) {
    return absl::InvalidArgumentError(
        s.KeyPath("api_key_env") + ": this provider needs an API key (api_key, api_key_env or api_key_file)");
  }

  auto timeout = s.GetDurationMs("timeout", 60'000, 100, 3'600'000);
  if (!timeout.ok()) return timeout.status();
  out.timeout_ms = *timeout;
  auto connect = s.GetDurationMs("connect_timeout", std::min<int64_t>(10'000, *timeout), 50, 600'000);
  if (!connect.ok()) return connect.status();
  out.connect_timeout_ms = *connect;
  auto max_tokens = s.GetInt("max_tokens", 2048, 1, 1'000'000);
  if (!max_tokens.ok()) return max_tokens.status();
  out.max_tokens = *max_tokens;
  auto temperature = s.GetDouble("temperature", 0.2, 0.0, 2.0);
  if (!temperature.ok()) return temperature.status();
  out.temperature = *temperature;
  auto retries = s.GetInt("max_retries", 2, 0, 10);
  if (!retries.ok()) return retries.status();
  out.retry.max_retries = static_cast<int>(*retries);
  auto backoff = s.GetDurationMs("retry_backoff", 500, 0, 60'000);
  if (!backoff.ok()) return backoff.status();
  out.retry.initial_backoff_ms = *backoff;
  auto max_retry_after = s.GetDurationMs("max_retry_after", 30'000, 0, 600'000);
  if (!max_retry_after.ok()) return max_retry_after.status();
  out.retry.max_retry_after_ms = *max_retry_after;
  return out;
}

std::string ProviderErrorSnippet(std::string_view body) {
  std::string message;
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    // OpenAI {"error": {"message"}}, Anthropic {"error": {"message"}}, Ollama {"error": "..."}.
    auto e = j.find("error");
    if (e != j.end() && e->is_object() && e->contains("message") && (*e)["message"].is_string()) {
      message = (*e)["message"].get<std::string>();
    } else if (e != j.end() && e->is_string()) {
      message = e->get<std::string>();
    }
  }
  if (message.empty()) message = std::string(body);
  if (message.size() > 200) message.resize(200);
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return message;
}

LlmReasoner::LlmReasoner(std::string name, LlmSettings settings, const privacy::Shield& shield)
    : name_(std::move(name)), settings_(std::move(settings)), shield_(shield) {}

absl::StatusOr<std::string> LlmReasoner::Exchange(const ReasoningContext& context,
                                                  const ThinkingSink& thinking, privacy::Vault& vault) const {
  HttpRequest request = BuildRequest(SystemPrompt(), UserPrompt(context));
  request.timeout_ms = settings_.timeout_ms;
  request.connect_timeout_ms = settings_.connect_timeout_ms;
  request.cancel = context.cancel;

  const RetryPolicy& retry = settings_.retry;
  int64_t backoff = retry.initial_backoff_ms;
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<StreamDecoder> decoder = NewDecoder();
    ThinkingRedactor redactor(thinking, shield_, vault);
    std::string text;
    absl::Status stream_status;
    auto on_chunk = [&](std::string_view bytes) {
      std::size_t before = text.size();
      stream_status = decoder->Feed(bytes, &text);
      if (text.size() > kMaxProposalTextBytes) {
        stream_status = absl::InvalidArgumentError("answer longer than " +
                                                   std::to_string(kMaxProposalTextBytes) + " bytes");
      }
      redactor.Add(std::string_view(text).substr(before));
      return stream_status.ok();
    };
    absl::StatusOr<HttpResponse> response = net::HttpCall(request, on_chunk);
    if (!response.ok()) {
      redactor.Flush();
      if (response.status().code() == absl::StatusCode::kAborted && !stream_status.ok()) return stream_status;
      return response.status();
    }
    int status = response->status;
    if (status >= 200 && status < 300) {
      absl::Status end = decoder->Finish(&text);
      redactor.Flush();
      if (!end.ok()) return end;
      return text;
    }
    std::string why = "HTTP " + std::to_string(status) + ": " + ProviderErrorSnippet(response->body);
    bool retryable = status == 429 || status >= 500;
    if (!retryable) {
      if (status == 400 && response->body.find("context_length") != std::string::npos) {
        return absl::FailedPreconditionError("the prompt is too long for the model (" + why + ")");
      }
      return absl::FailedPreconditionError("the provider rejected the request (" + why + ")");
    }
    if (attempt >= retry.max_retries) {
      return absl::UnavailableError(why + " after " + std::to_string(attempt + 1) + " attempt(s)");
    }
    int64_t wait = std::min(backoff, retry.max_backoff_ms);
    if (auto it = response->headers.find("retry-after"); it != response->headers.end()) {
      int64_t asked = ParseRetryAfterMs(it->second);
      if (asked > retry.max_retry_after_ms) {
        return absl::UnavailableError(why + "; Retry-After " + std::to_string(asked / 1000) +
                                      " s is longer than the " +
                                      std::to_string(retry.max_retry_after_ms / 1000) + " s the brain waits");
      }
      if (asked >= 0) wait = asked;
    }
    if (!SleepUnlessCancelled(wait, context)) return absl::CancelledError("analysis cancelled");
    backoff = std::min(backoff * 2, retry.max_backoff_ms);
  }
}

absl::StatusOr<Proposal> LlmReasoner::Propose(const ReasoningContext& context, const ThinkingSink& thinking) {
  if (Cancelled(context)) return absl::CancelledError("analysis cancelled");
  privacy::Vault local_vault;
  privacy::Vault& vault = context.vault != nullptr ? *context.vault : local_vault;
  absl::StatusOr<std::string> text = Exchange(context, thinking, vault);
  if (!text.ok()) return text.status();
  absl::StatusOr<Proposal> proposal =
      ParseProposal(*text, shield_, vault, context.catalog != nullptr ? *context.catalog : action::Catalog{});
  if (!proposal.ok()) {
    if (LooksLikeRefusal(*text)) {
      std::string opening = text->substr(0, 120);
      return absl::PermissionDeniedError("the model refused: " +
                                         shield_.RedactPreservingLabels(opening, vault).str());
    }
    return proposal.status();
  }
  proposal->reasoner = name_;
  return proposal;
}

}  // namespace awoooi::brain
