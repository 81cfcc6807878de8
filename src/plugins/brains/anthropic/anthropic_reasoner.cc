// Anthropic Messages API with streaming. Events (SSE, each with an `event:` name):
//   message_start, content_block_start, content_block_delta {"delta":{"type":"text_delta","text"}},
//   content_block_stop, message_delta {"delta":{"stop_reason"}}, message_stop; ping keeps alive;
//   error {"error":{"type","message"}} (overloaded_error mid-stream).
// The answer is complete only after message_stop; stop_reason "refusal" is a refusal.
#include <memory>

#include "awoooi/privacy/shield.h"
#include "brain/llm_reasoner.h"
#include "brain/stream_parsers.h"
#include "nlohmann/json.hpp"
#include "plugins/brains/providers.h"

namespace awoooi::brain {
namespace {

using Json = nlohmann::json;

constexpr const char* kApiVersion = "2023-06-01";

class AnthropicDecoder : public StreamDecoder {
 public:
  absl::Status Feed(std::string_view bytes, std::string* text) override {
    absl::Status status;
    sse_.Feed(bytes, [&](const SseEvent& e) {
      if (!status.ok() || stopped_) return;
      status = Event(e, text);
    });
    return status;
  }

  absl::Status Finish(std::string* text) override {
    if (stop_reason_ == "refusal")
      return absl::PermissionDeniedError("the model refused (stop_reason refusal)");
    if (stopped_) return absl::OkStatus();
    return absl::UnavailableError("the stream ended before message_stop (connection dropped mid-answer)");
  }

 private:
  absl::Status Event(const SseEvent& e, std::string* text) {
    Json j = Json::parse(e.data, nullptr, false);
    std::string type = e.event;
    if (j.is_object() && type.empty() && j.contains("type") && j["type"].is_string()) type = j["type"];
    if (type == "ping" || type == "message_start" || type == "content_block_start" ||
        type == "content_block_stop") {
      return absl::OkStatus();
    }
    if (!j.is_object()) return absl::UnavailableError("the stream carried an event that is not JSON");
    if (type == "content_block_delta") {
      const Json& d = j.value("delta", Json::object());
      if (d.value("type", "") == "text_delta" && d.contains("text") && d["text"].is_string()) {
        *text += d["text"].get<std::string>();
      }
      return absl::OkStatus();
    }
    if (type == "message_delta") {
      const Json& d = j.value("delta", Json::object());
      if (d.contains("stop_reason") && d["stop_reason"].is_string()) stop_reason_ = d["stop_reason"];
      if (stop_reason_ == "refusal")
        return absl::PermissionDeniedError("the model refused (stop_reason refusal)");
      return absl::OkStatus();
    }
    if (type == "message_stop") {
      stopped_ = true;
      return absl::OkStatus();
    }
    if (type == "error") {
      const Json& err = j.value("error", Json::object());
      return absl::UnavailableError(
          "the provider reported an error mid-stream: " + err.value("type", "error") + ": " +
          err.value("message", "").substr(0, 200));
    }
    return absl::OkStatus();  // event types added later by the API are ignored, as its docs ask
  }

  SseParser sse_;
  bool stopped_ = false;
  std::string stop_reason_;
};

class AnthropicReasoner : public LlmReasoner {
 public:
  AnthropicReasoner(LlmSettings settings, const privacy::Shield& shield)
      : LlmReasoner("anthropic", std::move(settings), shield) {}

 protected:
  HttpRequest BuildRequest(const privacy::Redacted& system, const privacy::Redacted& user) const override {
    Json body = {{"model", settings().model},
                 {"max_tokens", settings().max_tokens},
                 {"temperature", std::min(settings().temperature, 1.0)},
                 {"stream", true},
                 {"system", system.str()},
                 {"messages", Json::array({{{"role", "user"}, {"content", user.str()}}})}};
    HttpRequest r;
    r.url = settings().base_url + "/v1/messages";
    r.headers = {{"Content-Type", "application/json"},
                 {"Accept", "text/event-stream"},
                 {"anthropic-version", kApiVersion},
                 {"x-api-key", settings().api_key}};
    r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    return r;
  }
  std::unique_ptr<StreamDecoder> NewDecoder() const override { return std::make_unique<AnthropicDecoder>(); }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Reasoner>> MakeAnthropicReasoner(const PluginSettings& settings,
                                                                const privacy::Shield& shield) {
  auto s = ParseLlmSettings(settings, "https://api.anthropic.com", /*key_required=*/true);
  if (!s.ok()) return s.status();
  return std::make_unique<AnthropicReasoner>(*std::move(s), shield);
}

}  // namespace awoooi::brain
