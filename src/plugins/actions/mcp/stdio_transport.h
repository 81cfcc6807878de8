// StdioTransport: an MCP server as a child process, JSON-RPC messages one per line on its stdin
// and stdout.
//
// The child is started with posix_spawn from an argv — never through a shell, so nothing in a
// configured argument is interpreted — in its own process group, with default signal handling and
// an empty signal mask (the server blocks signals in its threads; a child must not inherit that),
// no file descriptor of ours beyond its three pipes, and a clean environment: PATH, HOME, LANG,
// LC_ALL, TZ, TMPDIR and USER from our own environment when set, then the configured variables
// (which win). Secrets in AWOOOI's environment (API keys) never reach the server.
//
// One reader thread polls the child's stdout and stderr. Stdout goes through a LineFramer (one
// message per line, at most max_message_bytes each: a longer line closes the transport with
// ResourceExhausted instead of growing a buffer); stderr is drained continuously, so a chatty
// child never blocks on a full pipe, and its last bytes are kept for diagnostics. When stdout
// ends the listener hears how the child ended (exit status or signal).
//
// Close: closes the child's stdin (the protocol's shutdown), waits up to 500 ms, sends SIGTERM to
// its process group, waits up to 1 s, then SIGKILL — and reaps it.
//
// Thread-safety: see Transport. Writes are serialised; a write that would block waits with
// poll() until the limits run out (a child that stops reading cannot hang the caller).
#pragma once

#include <sys/types.h>

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/actions/mcp/framing.h"
#include "plugins/actions/mcp/transport.h"

namespace awoooi::mcp {

struct StdioOptions {
  std::string command;  // an absolute path, a relative path with '/', or a name looked up on PATH
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  // added to the clean environment; values may be secrets
  std::size_t max_message_bytes = kDefaultMaxMessageBytes;
  std::size_t stderr_tail_bytes = 4096;
};

// The environment a child gets: the allow-listed variables of `parent` (NAME=value entries) and
// then `configured`. Exposed for tests.
std::vector<std::string> ChildEnvironment(char** parent,
                                          const std::map<std::string, std::string>& configured);

// Resolves `command` like execvp would, using `path_var` (a PATH value): NotFound when no
// executable file of that name exists on it.
absl::StatusOr<std::string> ResolveCommand(const std::string& command, const std::string& path_var);

class StdioTransport : public Transport {
 public:
  explicit StdioTransport(StdioOptions options);
  ~StdioTransport() override;

  absl::Status Open(TransportListener* listener, const CallLimits& limits) override;
  absl::Status Send(const Outgoing& message, const CallLimits& limits) override;
  void SetProtocolVersion(const std::string&) override {}
  void Close() override;
  std::string Describe() const override;
  std::string DiagnosticTail() const override;
  bool DeliversServerNotifications() const override { return true; }

  pid_t pid() const { return pid_; }

 private:
  void ReadLoop();
  void AppendStderr(std::string_view bytes);
  std::string DescribeExit();  // reaps the child if it ended; "exited with status 3"

  StdioOptions options_;
  std::string resolved_;
  TransportListener* listener_ = nullptr;
  pid_t pid_ = -1;
  int stdin_fd_ = -1, stdout_fd_ = -1, stderr_fd_ = -1;
  int wake_read_ = -1, wake_write_ = -1;
  std::thread reader_;
  std::mutex write_mu_;
  mutable std::mutex state_mu_;
  std::string stderr_tail_;
  bool reaped_ = false;
  int wait_status_ = 0;
  bool closed_ = false;
};

}  // namespace awoooi::mcp
