// KubeTestServer: starts test/fakes/kube_api_server.py (the Kubernetes API's paths, verbs, Status
// bodies, eviction and PodDisruptionBudget rules, dry run, preconditions) as a child process for one
// test, on a free port, and stops it at the end. Test-only, header-only.
//
// The test drives the server's /_control endpoints (faults, RBAC deny rules, an admission webhook,
// objects) and reads back every API request it received, and writes a kubeconfig that points at it.
//
// Thread-safety: one instance per test; Control/Api/Requests may be called from several threads.
#pragma once

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "awoooi/net/http_client.h"
#include "nlohmann/json.hpp"

extern char** environ;

namespace awoooi::action::testing {

class KubeTestServer {
 public:
  explicit KubeTestServer(std::vector<std::string> extra_args = {}) {
    static int counter = 0;
    dir_ = (std::filesystem::temp_directory_path() /
            ("awoooi-kube-" + std::to_string(::getpid()) + "-" + std::to_string(++counter)))
               .string();
    std::filesystem::create_directories(dir_);
    std::string script = std::string(AWOOOI_SOURCE_DIR) + "/test/fakes/kube_api_server.py";
    int out[2];
    if (pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    for (const auto& a : extra_args) tls_ = tls_ || a == "--tls-cert";
    std::vector<std::string> args = {"python3", script, "--port", "0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    // "LISTENING <port>\n" once the socket is bound: no sleeps, no port races.
    std::string line;
    pollfd pfd{out[0], POLLIN, 0};
    while (pid_ > 0 && line.find('\n') == std::string::npos && poll(&pfd, 1, 20'000) > 0) {
      char buf[64];
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    if (line.rfind("LISTENING ", 0) == 0) port_ = std::stoi(line.substr(10));
  }
  ~KubeTestServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  KubeTestServer(const KubeTestServer&) = delete;
  KubeTestServer& operator=(const KubeTestServer&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string Url(bool tls = false) const {
    return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
  }

  // A kubeconfig whose current context points at this server; `user_yaml` and `cluster_extra` are
  // indented mapping lines for the user and cluster entries (credentials count only over TLS).
  std::string WriteKubeconfig(const std::string& user_yaml = "    {}\n",
                              const std::string& cluster_extra = "", bool tls = false,
                              const std::string& name = "kubeconfig") const {
    std::string path = dir_ + "/" + name;
    std::ofstream out(path);
    out << "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: " << Url(tls)
        << "\n"
        << cluster_extra << "contexts:\n- name: test\n  context:\n    cluster: test\n    user: executor\n"
        << "current-context: test\nusers:\n- name: executor\n  user:\n"
        << user_yaml;
    return path;
  }

  // POST /_control/<what> with a JSON body.
  nlohmann::json Control(const std::string& what, const nlohmann::json& body = nlohmann::json::object(),
                         const std::string& method = "POST") const {
    return Send(method, "/_control/" + what, body.dump(), "application/json", {});
  }

  // A request to the API itself (for a test to change the world the way a person would).
  nlohmann::json Api(const std::string& method, const std::string& path, const nlohmann::json& body,
                     const std::string& content_type = "application/merge-patch+json") const {
    return Send(method, path, body.is_null() ? "" : body.dump(), content_type,
                {{"Authorization", "Bearer test-token"}});
  }

  // Every API request received so far: {method, path, query, content_type, body, user, status}.
  std::vector<nlohmann::json> Requests() const {
    nlohmann::json r = Send("GET", "/_control/requests", "", "", {});
    std::vector<nlohmann::json> out;
    if (r.contains("requests")) {
      for (const auto& e : r["requests"]) out.push_back(e);
    }
    return out;
  }
  // The requests with this method whose path ends with `suffix` (dry runs and real ones apart).
  std::vector<nlohmann::json> Matching(const std::string& method, const std::string& suffix,
                                       bool dry_run) const {
    std::vector<nlohmann::json> out;
    for (const auto& r : Requests()) {
      const std::string path = r.value("path", "");
      const bool dry = r.value("query", "").find("dryRun=All") != std::string::npos;
      if (r.value("method", "") == method && path.size() >= suffix.size() &&
          path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0 && dry == dry_run) {
        out.push_back(r);
      }
    }
    return out;
  }

 private:
  nlohmann::json Send(const std::string& method, const std::string& path, const std::string& body,
                      const std::string& content_type,
                      std::vector<std::pair<std::string, std::string>> headers) const {
    net::HttpRequest req;
    req.method = method;
    req.url = Url(tls_) + path;
    req.tls.verify_peer = false;  // the control channel of a TLS test server: the test's own process
    req.body = body;
    req.headers = std::move(headers);
    if (!content_type.empty()) req.headers.emplace_back("Content-Type", content_type);
    req.timeout_ms = 10'000;
    auto resp = net::HttpCall(req);
    if (!resp.ok()) return nlohmann::json{{"error", std::string(resp.status().message())}};
    auto j = nlohmann::json::parse(resp->body, nullptr, false);
    return j.is_discarded() ? nlohmann::json{{"raw", resp->body}} : j;
  }

  pid_t pid_ = -1;
  int port_ = 0;
  bool tls_ = false;
  std::string dir_;
};

}  // namespace awoooi::action::testing
