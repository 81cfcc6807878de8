// Test helpers: the fake MCP server (test/fakes/mcp_server.py) as a stdio child or an HTTP server,
// and its log of what it received. For tests only.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "plugins/actions/mcp/stdio_transport.h"

namespace awoooi::mcp::testing {

inline std::string FakeServerScript() { return std::string(AWOOOI_SOURCE_DIR) + "/test/fakes/mcp_server.py"; }

// A fresh path in a directory of this test process, removed when the process ends.
inline std::string TempPath(const std::string& stem) {
  struct Dir {
    std::string path;
    Dir() {
      char tmpl[] = "/tmp/awoooi-mcp-test-XXXXXX";
      if (::mkdtemp(tmpl) != nullptr) path = tmpl;
    }
    ~Dir() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
  };
  static Dir dir;
  static int n = 0;
  return dir.path + "/" + std::to_string(++n) + "-" + stem;
}

inline StdioOptions FakeStdio(const std::string& mode, const std::string& log = "", int page_size = 0) {
  StdioOptions o;
  o.command = "python3";
  o.args = {FakeServerScript(), "--mode", mode};
  if (!log.empty()) o.args.insert(o.args.end(), {"--log", log});
  if (page_size > 0) o.args.insert(o.args.end(), {"--page-size", std::to_string(page_size)});
  return o;
}

// Every JSON line the fake logged.
inline std::vector<nlohmann::json> ReadLog(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The fake as a Streamable HTTP server on a free loopback port, stopped by the destructor.
class FakeHttpServer {
 public:
  explicit FakeHttpServer(const std::string& mode, const std::string& log = "") {
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::string script = FakeServerScript();
      std::vector<std::string> args = {"python3", script, "--http", "--mode", mode};
      if (!log.empty()) args.insert(args.end(), {"--log", log});
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("python3", argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    char line[64] = {0};
    if (f != nullptr && std::fgets(line, sizeof line, f) != nullptr) std::sscanf(line, "PORT %d", &port_);
    if (f != nullptr) std::fclose(f);
  }
  ~FakeHttpServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace awoooi::mcp::testing
