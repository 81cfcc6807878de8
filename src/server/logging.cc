#include "server/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>

#include "absl/time/time.h"

namespace awoooi::server {
namespace {

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RedactingSink(const privacy::Shield* shield, bool json) : shield_(shield), json_(json) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    std::string text = shield_ ? shield_->RedactEphemeral(payload).str() : std::string(payload);
    absl::Time t = absl::FromChrono(msg.time);
    std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
    auto level = spdlog::level::to_string_view(msg.level);
    std::string line;
    if (json_) {
      line = "{\"ts\":\"" + ts + "\",\"level\":\"" + std::string(level.data(), level.size()) +
             "\",\"msg\":\"" + JsonEscape(text) + "\"}\n";
    } else {
      for (char& c : text) {
        if (c == '\n' || c == '\r') c = ' ';  // one event, one line
      }
      line = ts + " " + std::string(level.data(), level.size()) + " " + text + "\n";
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  const privacy::Shield* shield_;
  bool json_;
};

}  // namespace

void InitLogging(const std::string& level, const std::string& format, const privacy::Shield* shield) {
  auto sink = std::make_shared<RedactingSink>(shield, format == "json");
  auto logger = std::make_shared<spdlog::logger>("awoooi", sink);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace awoooi::server
