#include "plugins/actions/mcp/stdio_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace awoooi::mcp {
namespace {

constexpr const char* kInheritedVariables[] = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER"};
constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

void CloseFd(int* fd) {
  if (*fd >= 0) ::close(*fd);
  *fd = -1;
}

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

std::string Errno(int e) { return std::strerror(e); }

// Writes with SIGPIPE blocked in this thread, so a child that closed its stdin yields EPIPE and
// never kills the process (the CLI and tests do not ignore SIGPIPE as `serve` does).
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    if (got_epipe_ && !was_pending_) {
      timespec zero{};
      while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  void GotEpipe() { got_epipe_ = true; }

 private:
  sigset_t pipe_, old_;
  bool was_pending_ = false;
  bool got_epipe_ = false;
};

}  // namespace

std::vector<std::string> ChildEnvironment(char** parent,
                                          const std::map<std::string, std::string>& configured) {
  std::map<std::string, std::string> env;
  std::set<std::string> allowed(std::begin(kInheritedVariables), std::end(kInheritedVariables));
  for (char** e = parent; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(kv.substr(0, eq));
    if (allowed.count(name)) env[name] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [name, value] : configured) env[name] = value;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

absl::StatusOr<std::string> ResolveCommand(const std::string& command, const std::string& path_var) {
  if (command.empty() || command.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("the MCP server command is empty");
  }
  auto executable = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (command.find('/') != std::string::npos) {
    if (!executable(command)) {
      return absl::NotFoundError(absl::StrCat("MCP server command ", command, " is not an executable file"));
    }
    return command;
  }
  for (absl::string_view dir : absl::StrSplit(path_var, ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", command);
    if (executable(candidate)) return candidate;
  }
  return absl::NotFoundError(absl::StrCat("MCP server command \"", command, "\" was not found on PATH"));
}

StdioTransport::StdioTransport(StdioOptions options) : options_(std::move(options)) {}

StdioTransport::~StdioTransport() { Close(); }

std::string StdioTransport::Describe() const {
  return "stdio " + (resolved_.empty() ? options_.command : resolved_);
}

std::string StdioTransport::DiagnosticTail() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return stderr_tail_;
}

absl::Status StdioTransport::Open(TransportListener* listener, const CallLimits&) {
  if (pid_ > 0 || closed_) return absl::FailedPreconditionError("the stdio transport was opened already");
  listener_ = listener;
  std::vector<std::string> env = ChildEnvironment(environ, options_.env);
  std::string path_var = kDefaultPath;
  for (const std::string& kv : env) {
    if (kv.rfind("PATH=", 0) == 0) path_var = kv.substr(5);
  }
  auto resolved = ResolveCommand(options_.command, path_var);
  if (!resolved.ok()) return resolved.status();
  resolved_ = *resolved;

  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, wake[2] = {-1, -1};
  auto close_all = [&] {
    for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err[0], &err[1], &wake[0], &wake[1]}) CloseFd(fd);
  };
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      ::pipe2(wake, O_CLOEXEC) != 0) {
    int e = errno;
    close_all();
    return absl::ResourceExhaustedError("cannot create pipes for the MCP server: " + Errno(e));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // descriptors opened without O_CLOEXEC too
#endif
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> argv;
  argv.push_back(resolved_.data());
  for (std::string& a : options_.args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& kv : env) envp.push_back(kv.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, resolved_.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    close_all();
    return absl::UnavailableError(absl::StrCat("cannot start MCP server ", resolved_, ": ", Errno(rc)));
  }
  pid_ = pid;
  CloseFd(&in[0]);
  CloseFd(&out[1]);
  CloseFd(&err[1]);
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
  stderr_fd_ = err[0];
  wake_read_ = wake[0];
  wake_write_ = wake[1];
  SetNonBlocking(stdin_fd_);
  SetNonBlocking(stdout_fd_);
  SetNonBlocking(stderr_fd_);
  reader_ = std::thread([this] { ReadLoop(); });
  return absl::OkStatus();
}

void StdioTransport::ReadLoop() {
  LineFramer framer(options_.max_message_bytes);
  bool out_open = true, err_open = true;
  std::vector<char> buf(64 * 1024);
  std::vector<std::string> lines;
  while (out_open || err_open) {
    pollfd fds[3] = {{out_open ? stdout_fd_ : -1, POLLIN, 0},
                     {err_open ? stderr_fd_ : -1, POLLIN, 0},
                     {wake_read_, POLLIN, 0}};
    int n = ::poll(fds, 3, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents != 0) {  // Close(): keep what the child said last
      while (err_open) {
        ssize_t r = ::read(stderr_fd_, buf.data(), buf.size());
        if (r <= 0) break;
        AppendStderr(std::string_view(buf.data(), static_cast<std::size_t>(r)));
      }
      break;
    }
    if (err_open && fds[1].revents != 0) {
      ssize_t r = ::read(stderr_fd_, buf.data(), buf.size());
      if (r > 0) {
        AppendStderr(std::string_view(buf.data(), static_cast<std::size_t>(r)));
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        err_open = false;
      }
    }
    if (out_open && fds[0].revents != 0) {
      ssize_t r = ::read(stdout_fd_, buf.data(), buf.size());
      if (r > 0) {
        lines.clear();
        absl::Status framed = framer.Feed(std::string_view(buf.data(), static_cast<std::size_t>(r)), &lines);
        for (std::string& line : lines) listener_->OnMessage(std::move(line));
        if (!framed.ok()) {
          // Stop reading: the child is broken and Close() will end it.
          out_open = false;
          listener_->OnClosed(framed);
        }
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        out_open = false;
        listener_->OnClosed(absl::UnavailableError("the MCP server " + DescribeExit()));
      }
    }
  }
}

void StdioTransport::AppendStderr(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(state_mu_);
  stderr_tail_.append(bytes);
  if (stderr_tail_.size() > options_.stderr_tail_bytes) {
    stderr_tail_.erase(0, stderr_tail_.size() - options_.stderr_tail_bytes);
  }
}

std::string StdioTransport::DescribeExit() {
  // The child usually exits right after closing its stdout: give it a moment to be reaped.
  for (int i = 0; i < 20; ++i) {
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      if (!reaped_ && ::waitpid(pid_, &wait_status_, WNOHANG) == pid_) reaped_ = true;
      if (reaped_) {
        if (WIFEXITED(wait_status_)) return absl::StrCat("exited with status ", WEXITSTATUS(wait_status_));
        if (WIFSIGNALED(wait_status_)) {
          int sig = WTERMSIG(wait_status_);
          const char* name = sigabbrev_np(sig);
          return absl::StrCat("was killed by signal ", sig, name ? absl::StrCat(" (SIG", name, ")") : "");
        }
        return "ended";
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return "closed its output";
}

absl::Status StdioTransport::Send(const Outgoing& message, const CallLimits& limits) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (stdin_fd_ < 0) return absl::UnavailableError("the MCP server connection is closed");
  if (message.text.find('\n') != std::string::npos) {
    return absl::InternalError("a JSON-RPC message must not contain a newline");
  }
  std::string line = message.text + "\n";
  std::size_t off = 0;
  SigpipeBlocked guard;
  while (off < line.size()) {
    ssize_t w = ::write(stdin_fd_, line.data() + off, line.size() - off);
    if (w > 0) {
      off += static_cast<std::size_t>(w);
      continue;
    }
    int e = errno;
    if (w < 0 && e == EINTR) continue;
    if (w < 0 && (e == EAGAIN || e == EWOULDBLOCK)) {
      if (limits.expired()) {
        if (off > 0) {
          // Half a message is on the wire: nothing sent after it could be framed right.
          CloseFd(&stdin_fd_);
          listener_->OnClosed(
              absl::DataLossError("a message to the MCP server was cut short (it stopped reading)"));
        }
        return limits.Expired("writing to the MCP server");
      }
      pollfd p{stdin_fd_, POLLOUT, 0};
      ::poll(&p, 1, static_cast<int>(std::min<int64_t>(limits.remaining_ms(), 50)));
      continue;
    }
    if (e == EPIPE) {
      guard.GotEpipe();
      return absl::UnavailableError("the MCP server closed its input");
    }
    return absl::UnavailableError("writing to the MCP server failed: " + Errno(e));
  }
  return absl::OkStatus();
}

void StdioTransport::Close() {
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    if (closed_) return;
    closed_ = true;
  }
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    CloseFd(&stdin_fd_);  // the protocol's shutdown: the server sees end of input
  }
  if (pid_ > 0) {
    auto wait_for_exit = [&](int ms) {
      for (int waited = 0;; waited += 10) {
        {
          std::lock_guard<std::mutex> lock(state_mu_);
          if (reaped_) return true;
          if (::waitpid(pid_, &wait_status_, WNOHANG) == pid_) {
            reaped_ = true;
            return true;
          }
        }
        if (waited >= ms) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    };
    if (!wait_for_exit(500)) {
      ::kill(-pid_, SIGTERM);  // its process group: a wrapper (npx) and the server it started
      if (!wait_for_exit(1000)) {
        ::kill(-pid_, SIGKILL);
        std::lock_guard<std::mutex> lock(state_mu_);
        if (!reaped_ && ::waitpid(pid_, &wait_status_, 0) == pid_) reaped_ = true;
      }
    }
  }
  if (wake_write_ >= 0) {
    char x = 'x';
    (void)!::write(wake_write_, &x, 1);
  }
  if (reader_.joinable()) reader_.join();
  for (int* fd : {&stdout_fd_, &stderr_fd_, &wake_read_, &wake_write_}) CloseFd(fd);
}

}  // namespace awoooi::mcp
