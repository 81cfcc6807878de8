// ReceiverProcess: starts one of the fake notification receivers (test/fakes/notify_receiver.py for
// Slack, Discord and the webhook; test/fakes/smtp_receiver.py for e-mail) as a child process for one
// test, on a free loopback port, and stops it at the end. Test-only, header-only.
//
// The receiver prints "LISTENING <port> [extra]" once its socket is bound (no sleeps, no port
// races) and records every request in a fresh directory: <n>.json (what it saw and its verdict)
// and <n>.body / <n>.eml (the bytes). Records() reads them back in arrival order.
//
// Thread-safety: one instance per test, used from the test's thread.
#pragma once

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

extern char** environ;

namespace awoooi::plugins::outputs::testing {

struct Record {
  nlohmann::json meta;  // the receiver's <n>.json
  std::string bytes;    // the raw body (HTTP) or message (SMTP)
};

class ReceiverProcess {
 public:
  // `python`: "python3" for the HTTP receivers (standard library), "/usr/bin/python3" for the SMTP
  // receiver (Debian's python3-aiosmtpd). `script` is relative to test/fakes/.
  ReceiverProcess(const std::string& python, const std::string& script, std::vector<std::string> args) {
    static int counter = 0;
    dir_ = (std::filesystem::temp_directory_path() /
            ("awoooi-notify-" + std::to_string(::getpid()) + "-" + std::to_string(++counter)))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::vector<std::string> argv_s = {
        python, std::string(AWOOOI_SOURCE_DIR) + "/test/fakes/" + script, "--port", "0", "--record-dir",
        dir_};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    int out[2];
    if (pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, python.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    std::string line;
    pollfd pfd{out[0], POLLIN, 0};
    while (pid_ > 0 && line.find('\n') == std::string::npos && poll(&pfd, 1, 20'000) > 0) {
      char buf[512];
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    if (line.rfind("LISTENING ", 0) == 0) {
      std::string rest = line.substr(10, line.find('\n') - 10);
      auto space = rest.find(' ');
      port_ = std::stoi(rest.substr(0, space));
      if (space != std::string::npos) extra_ = rest.substr(space + 1);
    }
  }
  ~ReceiverProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    std::filesystem::remove_all(dir_);
  }
  ReceiverProcess(const ReceiverProcess&) = delete;
  ReceiverProcess& operator=(const ReceiverProcess&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  const std::string& extra() const { return extra_; }  // the SMTP receiver's certificate file
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::vector<Record> Records() const {
    std::vector<std::filesystem::path> metas;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      if (e.path().extension() == ".json") metas.push_back(e.path());
    }
    std::sort(metas.begin(), metas.end());
    std::vector<Record> out;
    for (const auto& m : metas) {
      Record r;
      r.meta = nlohmann::json::parse(Read(m));
      for (const char* ext : {".body", ".eml"}) {
        auto p = m;
        p.replace_extension(ext);
        if (std::filesystem::exists(p)) r.bytes = Read(p);
      }
      out.push_back(std::move(r));
    }
    return out;
  }

 private:
  static std::string Read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  pid_t pid_ = -1;
  int port_ = 0;
  std::string extra_;
  std::string dir_;
};

}  // namespace awoooi::plugins::outputs::testing
