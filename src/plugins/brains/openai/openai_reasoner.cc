// OpenAI-compatible chat completions with streaming (server-sent events). The same wire format is
// spoken by OpenAI, Ollama's /v1, vLLM and llama.cpp's server:
//   data: {"choices":[{"index":0,"delta":{"content":"..."},"finish_reason":null}]}
//   ...
//   data: [DONE]
// A refusal arrives as delta.refusal text or finish_reason "content_filter"; an error mid-stream
// as data: {"error": {...}}.
#include <memory>

#include "awoooi/privacy/shield.h"
#include "brain/llm_reasoner.h"
#include "brain/stream_parsers.h"
#include "nlohmann/json.hpp"
#include "plugins/brains/providers.h"

namespace awoooi::brain {
namespace {

using Json = nlohmann::json;

class OpenAiDecoder : public StreamDecoder {
 public:
  absl::Status Feed(std::string_view bytes, std::string* text) override {
    absl::Status status;
    sse_.Feed(bytes, [&](const SseEvent& e) {
      if (!status.ok() || done_) return;
      status = Event(e, text);
    });
    return status;
  }

  absl::Status Finish(std::string* text) override {
    if (!refusal_.empty())
      return absl::PermissionDeniedError("the model refused: " + refusal_.substr(0, 200));
    if (done_ || finish_reason_ == "stop" || finish_reason_ == "length") {
      if (finish_reason_ == "length") truncated_ = true;
      return absl::OkStatus();
    }
    return absl::UnavailableError("the stream ended before [DONE] (connection dropped mid-answer)");
  }

 private:
  absl::Status Event(const SseEvent& e, std::string* text) {
    if (e.data == "[DONE]") {
      done_ = true;
      return absl::OkStatus();
    }
    Json j = Json::parse(e.data, nullptr, false);
    if (!j.is_object()) return absl::UnavailableError("the stream carried an event that is not JSON");
    if (auto err = j.find("error"); err != j.end()) {
      std::string message = err->is_object() && err->contains("message") && (*err)["message"].is_string()
                                ? (*err)["message"].get<std::string>()
                                : err->dump();
      return absl::UnavailableError("the provider reported an error mid-stream: " + message.substr(0, 200));
    }
    auto choices = j.find("choices");
    if (choices == j.end() || !choices->is_array() || choices->empty())
      return absl::OkStatus();  // usage chunk
    const Json& choice = (*choices)[0];
    if (auto delta = choice.find("delta"); delta != choice.end() && delta->is_object()) {
      if (auto c = delta->find("content"); c != delta->end() && c->is_string())
        *text += c->get<std::string>();
      if (auto r = delta->find("refusal"); r != delta->end() && r->is_string())
        refusal_ += r->get<std::string>();
    }
    if (auto f = choice.find("finish_reason"); f != choice.end() && f->is_string()) {
      finish_reason_ = f->get<std::string>();
      if (finish_reason_ == "content_filter") {
        return absl::PermissionDeniedError(
            "the model refused: the provider's content filter stopped the answer");
      }
    }
    return absl::OkStatus();
  }

  SseParser sse_;
  bool done_ = false;
  bool truncated_ = false;
  std::string finish_reason_;
  std::string refusal_;
};

class OpenAiReasoner : public LlmReasoner {
 public:
  OpenAiReasoner(LlmSettings settings, const privacy::Shield& shield)
      : LlmReasoner("openai", std::move(settings), shield) {}

 protected:
  HttpRequest BuildRequest(const privacy::Redacted& system, const privacy::Redacted& user) const override {
    Json body = {{"model", settings().model},
                 {"stream", true},
                 {"max_tokens", settings().max_tokens},
                 {"temperature", settings().temperature},
                 {"messages", Json::array({{{"role", "system"}, {"content", system.str()}},
                                           {{"role", "user"}, {"content", user.str()}}})}};
    HttpRequest r;
    r.url = settings().base_url + "/chat/completions";
    r.headers = {{"Content-Type", "application/json"}, {"Accept", "text/event-stream"}};
    if (!settings().api_key.empty()) r.headers.emplace_back("Authorization", "Bearer " + settings().api_key);
    r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    return r;
  }
  std::unique_ptr<StreamDecoder> NewDecoder() const override { return std::make_unique<OpenAiDecoder>(); }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Reasoner>> MakeOpenAiReasoner(const PluginSettings& settings,
                                                             const privacy::Shield& shield) {
  constexpr std::string_view kDefault = "https://api.openai.com/v1";
  std::string base = settings.GetString("base_url", kDefault);
  bool key_required = base.rfind("https://api.openai.com", 0) == 0;
  auto s = ParseLlmSettings(settings, kDefault, key_required);
  if (!s.ok()) return s.status();
  return std::make_unique<OpenAiReasoner>(*std::move(s), shield);
}

}  // namespace awoooi::brain
