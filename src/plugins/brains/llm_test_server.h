// LlmTestServer: starts test/fakes/llm_server.py (the providers' wire formats, driven by scenario)
// as a child process for one test, on a free port, and stops it at the end. Test-only,
// header-only; the server writes every request body it receives to a record file that
// RecordedBodies() reads back.
//
// Thread-safety: one instance per test, used from the test's thread.
#pragma once

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

extern char** environ;

namespace awoooi::brain::testing {

class LlmTestServer {
 public:
  LlmTestServer() {
    static int counter = 0;
    record_ = (std::filesystem::temp_directory_path() /
               ("awoooi-llm-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".jsonl"))
                  .string();
    std::filesystem::remove(record_);
    std::string script = std::string(AWOOOI_SOURCE_DIR) + "/test/fakes/llm_server.py";
    int out[2];
    if (pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<std::string> args = {"python3", script, "--port", "0", "--record", record_};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    // "LISTENING <port>\n" once the socket is bound: no sleeps, no port races.
    std::string line;
    pollfd pfd{out[0], POLLIN, 0};
    while (pid_ > 0 && line.find('\n') == std::string::npos && poll(&pfd, 1, 15'000) > 0) {
      char buf[64];
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    if (line.rfind("LISTENING ", 0) == 0) port_ = std::stoi(line.substr(10));
  }
  ~LlmTestServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    std::filesystem::remove(record_);
  }
  LlmTestServer(const LlmTestServer&) = delete;
  LlmTestServer& operator=(const LlmTestServer&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }

  // The base_url a provider is configured with so that its requests get `scenario`.
  std::string BaseUrl(const std::string& provider, const std::string& scenario) const {
    std::string base = "http://127.0.0.1:" + std::to_string(port_) + "/s/" + scenario;
    return provider == "openai" ? base + "/v1" : base;
  }

  // Every request the server received, in order: {"path", "scenario", "body"}.
  std::vector<nlohmann::json> Requests() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(record_);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }
  std::string RecordedBytes() const {
    std::ifstream in(record_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string record_;
};

}  // namespace awoooi::brain::testing
