// Ollama's native chat API, streaming newline-delimited JSON:
//   {"model":"...","created_at":"...","message":{"role":"assistant","content":"..."},"done":false}
//   ...
//   {"model":"...","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop",...}
// An error is a line {"error":"..."}. The answer is complete only after done:true.
#include <memory>

#include "awoooi/privacy/shield.h"
#include "brain/llm_reasoner.h"
#include "brain/stream_parsers.h"
#include "nlohmann/json.hpp"
#include "plugins/brains/providers.h"

namespace awoooi::brain {
namespace {

using Json = nlohmann::json;

class OllamaDecoder : public StreamDecoder {
 public:
  absl::Status Feed(std::string_view bytes, std::string* text) override {
    absl::Status status;
    lines_.Feed(bytes, [&](std::string_view line) {
      if (!status.ok() || done_) return;
      status = Line(line, text);
    });
    return status;
  }

  absl::Status Finish(std::string* text) override {
    // The last line may lack its newline.
    if (!done_ && !lines_.rest().empty()) {
      std::string rest = lines_.rest();
      if (absl::Status s = Line(rest, text); !s.ok()) return s;
    }
    if (done_) return absl::OkStatus();
    return absl::UnavailableError("the stream ended before done:true (connection dropped mid-answer)");
  }

 private:
  absl::Status Line(std::string_view line, std::string* text) {
    Json j = Json::parse(line, nullptr, false);
    if (!j.is_object()) return absl::UnavailableError("the stream carried a line that is not JSON");
    if (auto err = j.find("error"); err != j.end()) {
      std::string message = err->is_string() ? err->get<std::string>() : err->dump();
      return absl::UnavailableError("the provider reported an error mid-stream: " + message.substr(0, 200));
    }
    if (auto m = j.find("message"); m != j.end() && m->is_object()) {
      if (auto c = m->find("content"); c != m->end() && c->is_string()) *text += c->get<std::string>();
    }
    if (j.value("done", false)) done_ = true;
    return absl::OkStatus();
  }

  LineSplitter lines_;
  bool done_ = false;
};

class OllamaReasoner : public LlmReasoner {
 public:
  OllamaReasoner(LlmSettings settings, const privacy::Shield& shield)
      : LlmReasoner("ollama", std::move(settings), shield) {}

 protected:
  HttpRequest BuildRequest(const privacy::Redacted& system, const privacy::Redacted& user) const override {
    Json body = {
        {"model", settings().model},
        {"stream", true},
        {"options", {{"temperature", settings().temperature}, {"num_predict", settings().max_tokens}}},
        {"messages", Json::array({{{"role", "system"}, {"content", system.str()}},
                                  {{"role", "user"}, {"content", user.str()}}})}};
    HttpRequest r;
    r.url = settings().base_url + "/api/chat";
    r.headers = {{"Content-Type", "application/json"}, {"Accept", "application/x-ndjson"}};
    if (!settings().api_key.empty()) r.headers.emplace_back("Authorization", "Bearer " + settings().api_key);
    r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    return r;
  }
  std::unique_ptr<StreamDecoder> NewDecoder() const override { return std::make_unique<OllamaDecoder>(); }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Reasoner>> MakeOllamaReasoner(const PluginSettings& settings,
                                                             const privacy::Shield& shield) {
  auto s = ParseLlmSettings(settings, "http://localhost:11434", /*key_required=*/false);
  if (!s.ok()) return s.status();
  return std::make_unique<OllamaReasoner>(*std::move(s), shield);
}

}  // namespace awoooi::brain
