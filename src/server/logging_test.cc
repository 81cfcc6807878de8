// The log sink is the last line of defence: whatever a code path formats, no raw value is written.
#include "server/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace awoooi::server {
namespace {

// Runs `fn` with stderr going to a file; returns what was written.
template <typename Fn>
std::string CaptureStderr(Fn&& fn) {
  auto path = std::filesystem::temp_directory_path() / ("awoooi_log_" + std::to_string(::getpid()) + ".txt");
  std::fflush(stderr);
  int saved = ::dup(STDERR_FILENO);
  FILE* f = std::fopen(path.c_str(), "w");
  ::dup2(::fileno(f), STDERR_FILENO);
  fn();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::fclose(f);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(path);
  return text.str();
}

TEST(Logging, EveryLineIsRedactedWhateverTheCodeFormats) {
  auto shield = privacy::Shield::Create(privacy::ShieldConfig{});
  ASSERT_TRUE(shield.ok()) << shield.status();
  for (const char* format : {"text", "json"}) {
    InitLogging("debug", format, shield->get());
    std::string out = CaptureStderr([] {
      spdlog::warn("login failed for admin@company.com from 10.20.3.14 with token=hunter2secret");
      spdlog::default_logger()->flush();
    });
    EXPECT_NE(out.find("login failed"), std::string::npos) << out;
    for (const char* raw : {"admin@company.com", "10.20.3.14", "hunter2secret"}) {
      EXPECT_EQ(out.find(raw), std::string::npos) << format << ": " << raw << " reached the log: " << out;
    }
    EXPECT_NE(out.find("[IP"), std::string::npos) << out;
  }
  InitLogging("info", "text", nullptr);
}

TEST(Logging, ALineEndInAValueCannotForgeAnotherLine) {
  auto shield = privacy::Shield::Create(privacy::ShieldConfig{});
  ASSERT_TRUE(shield.ok());
  InitLogging("info", "text", shield->get());
  std::string out = CaptureStderr([] {
    spdlog::info("alert name: x\n2026-01-01T00:00:00.000Z error forged\rline");
    spdlog::default_logger()->flush();
  });
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  InitLogging("info", "text", nullptr);
}

}  // namespace
}  // namespace awoooi::server
