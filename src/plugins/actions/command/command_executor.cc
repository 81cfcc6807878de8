#include "plugins/actions/command/command_executor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <filesystem>
#include <optional>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "awoooi/core/digest.h"
#include "awoooi/privacy/shield.h"

namespace awoooi::plugins::actions {
namespace {

using action::CommandTemplate;
using action::ParamSpec;
using action::ParamType;
using privacy::Redacted;

constexpr std::string_view kDefaultPath = "/usr/local/bin:/usr/bin:/bin";
constexpr std::size_t kReadChunk = 64 * 1024;
// Reads per wake-up before the deadline and cancel flag are looked at again (a program that writes
// without pause, like `yes`, must not keep the loop from noticing its timeout).
constexpr int kReadsPerWake = 16;
// How long output is still read after the program exited and its group was killed: only a process
// that left the group (setsid) and kept the pipe open can make this run out.
constexpr absl::Duration kDrainGrace = absl::Seconds(2);
// How often the cancel flag (an atomic without notification) is looked at while a program runs.
constexpr int kCancelPollMs = 50;

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

// "60s", "1500ms": how a configured timeout is shown.
std::string FormatMs(int64_t ms) {
  return ms % 1000 == 0 ? absl::StrCat(ms / 1000, "s") : absl::StrCat(ms, "ms");
}

// The slot an argv element names when it is exactly "{{name}}" (as runtime/config.cc reads it).
std::optional<std::string> SlotName(const std::string& element) {
  if (element.size() > 4 && element.rfind("{{", 0) == 0 &&
      element.compare(element.size() - 2, 2, "}}") == 0) {
    return element.substr(2, element.size() - 4);
  }
  return std::nullopt;
}

struct Settings {
  std::string name;
  int64_t timeout_ms = 60'000;
  std::size_t max_output = 64 * 1024;
  std::string working_dir;  // "" = a fresh private directory per run
  std::string temp_base;    // where those directories are made
  std::string path;
  std::vector<std::string> path_dirs;
  std::vector<std::string> env;  // "NAME=value", PATH first
};

// The program a template runs, as found on disk.
struct Program {
  std::string path;       // what posix_spawn runs (absolute)
  std::string canonical;  // symlinks resolved
  struct stat st {};
};

bool ExecutableFile(const std::string& path, struct stat* st) {
  return ::stat(path.c_str(), st) == 0 && S_ISREG(st->st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// argv[0] of the template, never a value: an absolute path, or a bare name looked up on PATH.
absl::StatusOr<Program> ResolveProgram(const CommandTemplate& t, const Settings& s) {
  if (t.argv.empty()) return absl::FailedPreconditionError("the template has no argv");
  const std::string& argv0 = t.argv.front();
  if (SlotName(argv0)) {
    return absl::FailedPreconditionError("argv[0] is a slot: the program must be fixed in the template");
  }
  Program p;
  if (!argv0.empty() && argv0.front() == '/') {
    if (!ExecutableFile(argv0, &p.st)) {
      return absl::FailedPreconditionError(absl::StrCat(argv0, " is not an executable file"));
    }
    p.path = argv0;
  } else if (argv0.empty() || argv0.find('/') != std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat("\"", argv0, "\" is neither an absolute path nor a program name to look up on PATH"));
  } else {
    for (const std::string& dir : s.path_dirs) {
      std::string candidate = absl::StrCat(dir, dir.back() == '/' ? "" : "/", argv0);
      if (ExecutableFile(candidate, &p.st)) {
        p.path = std::move(candidate);
        break;
      }
    }
    if (p.path.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(argv0, " is not an executable file on PATH (", s.path, ")"));
    }
  }
  char resolved[PATH_MAX];
  p.canonical = ::realpath(p.path.c_str(), resolved) != nullptr ? std::string(resolved) : p.path;
  return p;
}

// The argv of one run: real values for the child, labels for people and for the fingerprint.
struct Argv {
  std::vector<std::string> real;
  Redacted shown;        // ["/usr/bin/echo", "host", "[IP_1]"]
  std::string identity;  // literals verbatim, slots by their labels (never a real value)
};

// Escapes a literal for the shown argv (a JSON string's rules).
std::string Quote(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Every whole-element slot becomes its value as exactly one element. A value that is empty, holds a
// NUL or starts with '-' is refused: the types already exclude them, and this is where it matters.
absl::StatusOr<Argv> BuildArgv(const CommandTemplate& t, const action::Action& a, const action::RealAction& r,
                               const action::ExecutionContext& ctx) {
  Argv out;
  out.shown = Redacted::Literal("[");
  for (std::size_t i = 0; i < t.argv.size(); ++i) {
    const std::string& element = t.argv[i];
    if (i > 0) out.shown += Redacted::Literal(", ");
    out.shown += Redacted::Literal("\"");
    auto slot = SlotName(element);
    if (!slot) {
      out.real.push_back(element);
      out.shown += ctx.shield->Redact(Quote(element), *ctx.vault);
      absl::StrAppend(&out.identity, "L", element.size(), ":", element, "\n");
    } else {
      if (i == 0)
        return absl::FailedPreconditionError("argv[0] is a slot: the program must be fixed in the template");
      const std::string* value = nullptr;
      const Redacted* label = nullptr;
      if (*slot == "target") {
        if (a.target().kind != action::TargetKind::kNone) {
          value = &r.target();
          label = &a.target().name;
        }
      } else if (*slot == "namespace") {
        if (!a.target().ns.empty()) {
          value = &r.ns();
          label = &a.target().ns;
        }
      } else if (const action::Value* v = a.param(*slot); v != nullptr && r.has(*slot)) {
        value = &r.param(*slot);
        label = &v->text;
      }
      if (value == nullptr || value->empty()) {
        return absl::FailedPreconditionError(absl::StrCat("slot {{", *slot, "}} has no value"));
      }
      if (value->front() == '-') {
        return absl::FailedPreconditionError(
            absl::StrCat("slot {{", *slot, "}}: its value would start an option; refused"));
      }
      if (value->find('\0') != std::string::npos) {
        return absl::FailedPreconditionError(
            absl::StrCat("slot {{", *slot, "}}: its value holds a NUL; refused"));
      }
      out.real.push_back(*value);
      out.shown += *label;  // labels and typed values need no quoting: no type admits '"' or '\'
      absl::StrAppend(&out.identity, "S", slot->size(), ":", *slot, "=", label->size(), ":", label->str(),
                      "\n");
    }
    out.shown += Redacted::Literal("\"");
  }
  out.shown += Redacted::Literal("]");
  if (out.real.size() != t.argv.size())
    return absl::InternalError("the built argv does not match the template");
  return out;
}

// Every real value a slot receives, checked against its slot's type and range once more (Rehydrate
// checks types but not a template's integer bounds).
absl::Status CheckParameters(const CommandTemplate& t, const action::RealAction& r) {
  for (const ParamSpec& spec : t.slots) {
    if (!r.has(spec.name)) {
      if (spec.required) return absl::FailedPreconditionError(absl::StrCat(spec.name, ": is required"));
      continue;
    }
    if (auto s = action::CheckValue(spec, r.param(spec.name)); !s.ok()) {
      return absl::FailedPreconditionError(s.message());
    }
  }
  for (const std::string& element : t.argv) {
    auto slot = SlotName(element);
    if (slot == "target" && !r.target().empty()) {
      if (auto s = action::CheckValue({"target", ParamType::kName, true, 0, 0, {}}, r.target()); !s.ok()) {
        return absl::FailedPreconditionError(s.message());
      }
    } else if (slot == "namespace" && !r.ns().empty()) {
      if (auto s = action::CheckValue({"namespace", ParamType::kNamespace, true, 0, 0, {}}, r.ns());
          !s.ok()) {
        return absl::FailedPreconditionError(s.message());
      }
    }
  }
  return absl::OkStatus();
}

std::string Fingerprint(const CommandTemplate& t, const absl::StatusOr<Program>& program,
                        const absl::StatusOr<Argv>& argv) {
  std::string text = absl::StrCat("awoooi.command.v1\ntemplate=", t.name, "\n");
  for (const std::string& element : t.argv)
    absl::StrAppend(&text, "template.argv=", element.size(), ":", element, "\n");
  if (program.ok()) {
    const struct stat& st = program->st;
    absl::StrAppend(&text, "program=", program->path, "\ncanonical=", program->canonical, "\ndev=", st.st_dev,
                    " ino=", st.st_ino, " size=", st.st_size, " mode=", st.st_mode,
                    " mtime=", st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec, "\n");
  } else {
    absl::StrAppend(&text, "program=unresolved\n");
  }
  absl::StrAppend(&text, "argv=\n", argv.ok() ? argv->identity : "unbuilt\n");
  return Sha256Hex(text);
}

// What a run needs, prepared the same way for the dry-run and for the execution.
struct Prepared {
  absl::Status parameters;
  absl::StatusOr<Program> program;
  absl::StatusOr<Argv> argv;
  std::string fingerprint;
  bool ok() const { return parameters.ok() && program.ok() && argv.ok(); }
};

// The outcome of one child process.
struct Run {
  enum class Killed { kNo, kTimeout, kDeadline, kCancelled };
  std::string start_error;  // set when the program could not be started
  std::string output;       // at most max_output bytes
  uint64_t discarded = 0;   // output bytes read past the cap
  bool exited = false;      // WIFEXITED
  int code = -1;
  int signal = 0;
  Killed killed = Killed::kNo;
  bool held_open = false;  // a process outside the group kept the output pipe open
  absl::Duration elapsed;
};

// A pipe end moved to fd >= 3 with close-on-exec (fds 0-2 are about to be replaced in the child).
int AboveStdio(int fd) {
  if (fd >= 3) return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

Run Spawn(const Program& program, const std::vector<std::string>& argv, const std::string& dir,
          const Settings& s, const action::ExecutionContext& ctx) {
  Run run;
  const absl::Time start = absl::Now();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    run.start_error = absl::StrCat("no pipe for its output: ", ErrnoText(errno));
    return run;
  }
  int rfd = AboveStdio(fds[0]), wfd = AboveStdio(fds[1]);
  if (rfd < 0 || wfd < 0) {
    if (rfd >= 0) ::close(rfd);
    if (wfd >= 0) ::close(wfd);
    run.start_error = "no pipe for its output";
    return run;
  }

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, wfd, 1);
  posix_spawn_file_actions_adddup2(&fa, wfd, 2);
  posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);  // an ignored SIGPIPE must not reach the program
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);  // its own process group, led by the child
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> argv_c, env_c;
  for (const std::string& a : argv) argv_c.push_back(const_cast<char*>(a.c_str()));
  argv_c.push_back(nullptr);
  for (const std::string& e : s.env) env_c.push_back(const_cast<char*>(e.c_str()));
  env_c.push_back(nullptr);

  pid_t pid = -1;
  // posix_spawn, not posix_spawnp: the path was resolved from the template on the configured PATH.
  int rc = ::posix_spawn(&pid, program.path.c_str(), &fa, &attr, argv_c.data(), env_c.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(wfd);
  if (rc != 0) {
    ::close(rfd);
    run.start_error = absl::StrCat("could not start ", program.path, ": ", ErrnoText(rc));
    return run;
  }

  ::fcntl(rfd, F_SETFL, ::fcntl(rfd, F_GETFL) | O_NONBLOCK);
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));  // -1: exits are polled instead

  const absl::Time timeout_at = start + absl::Milliseconds(s.timeout_ms);
  bool eof = false, exited = false, reaped_elsewhere = false;
  absl::Time exited_at;
  char buf[kReadChunk];
  while (true) {
    if (!exited) {
      siginfo_t info{};
      // WNOWAIT: the exited leader stays a zombie, so its pid still names our group for the kill below.
      int w = ::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT);
      if (w == 0 && info.si_pid == pid) {
        exited = true;
        exited_at = absl::Now();
        ::kill(-pid, SIGKILL);  // whatever it left running in its group
      } else if (w != 0 && errno == ECHILD) {
        exited = reaped_elsewhere = true;  // SIGCHLD ignored elsewhere in the process: no status
        exited_at = absl::Now();
      }
    }
    if (exited && eof) break;
    const absl::Time now = absl::Now();
    if (!exited && run.killed == Run::Killed::kNo) {
      if (ctx.cancel != nullptr && ctx.cancel->load()) {
        run.killed = Run::Killed::kCancelled;
      } else if (now >= timeout_at) {
        run.killed = Run::Killed::kTimeout;
      } else if (now >= ctx.deadline) {
        run.killed = Run::Killed::kDeadline;
      }
      if (run.killed != Run::Killed::kNo) ::kill(-pid, SIGKILL);
    }
    if (exited && now >= exited_at + kDrainGrace) {
      run.held_open = true;
      break;
    }

    // Sleep until output, the child's exit, the next deadline or the next look at the cancel flag.
    absl::Time wake = exited ? exited_at + kDrainGrace : std::min(timeout_at, ctx.deadline);
    if (run.killed != Run::Killed::kNo && !exited) wake = now + absl::Milliseconds(kCancelPollMs);
    absl::Duration left = std::clamp(wake - now, absl::ZeroDuration(), absl::Hours(1));
    int64_t wait_ms = absl::ToInt64Milliseconds(left) + 1;
    if (ctx.cancel != nullptr || pidfd < 0) wait_ms = std::min<int64_t>(wait_ms, kCancelPollMs);
    pollfd pfd[2];
    int n = 0;
    if (!eof) pfd[n++] = {rfd, POLLIN, 0};
    if (!exited && pidfd >= 0) pfd[n++] = {pidfd, POLLIN, 0};
    int ready = ::poll(pfd, n, static_cast<int>(wait_ms));
    if (ready < 0 && errno != EINTR) break;  // cannot happen with valid descriptors; never spin
    if (!eof) {
      for (int i = 0; i < kReadsPerWake; ++i) {
        ssize_t got = ::read(rfd, buf, sizeof buf);
        if (got > 0) {
          std::size_t keep =
              std::min<std::size_t>(static_cast<std::size_t>(got), s.max_output - run.output.size());
          run.output.append(buf, keep);
          run.discarded += static_cast<uint64_t>(got) - keep;
          continue;
        }
        if (got == 0) eof = true;
        if (got < 0 && errno == EINTR) continue;
        break;  // EOF, EAGAIN, or an error (treated as the end of the output below)
      }
    }
  }
  ::close(rfd);
  if (pidfd >= 0) ::close(pidfd);
  ::kill(-pid, SIGKILL);  // the loop only ends once the leader exited; this covers a read error too
  if (!reaped_elsewhere) {
    int status = 0;
    pid_t w;
    do {
      w = ::waitpid(pid, &status, 0);
    } while (w < 0 && errno == EINTR);
    if (w == pid && WIFEXITED(status)) {
      run.exited = true;
      run.code = WEXITSTATUS(status);
    } else if (w == pid && WIFSIGNALED(status)) {
      run.signal = WTERMSIG(status);
    }
  }
  run.elapsed = absl::Now() - start;
  return run;
}

// Drops a partial word at the cap, so a value cut in half cannot slip past the shield.
void TrimPartialTail(Run& run) {
  if (run.discarded == 0 || run.output.empty()) return;
  constexpr std::size_t kWindow = 512;
  std::size_t from = run.output.size() > kWindow ? run.output.size() - kWindow : 0;
  std::size_t cut = run.output.find_last_of(" \t\n", std::string::npos);
  std::size_t keep = cut != std::string::npos && cut >= from ? cut + 1 : from;
  run.discarded += run.output.size() - keep;
  run.output.resize(keep);
}

class CommandExecutor final : public action::Executor {
 public:
  CommandExecutor(Settings settings, std::vector<CommandTemplate> templates)
      : s_(std::move(settings)), templates_(std::move(templates)) {}

  std::string name() const override { return s_.name; }

  bool Supports(const action::Action& a) const override { return Find(a) != nullptr; }

  absl::StatusOr<action::DryRunReport> DryRun(const action::Action& a,
                                              const action::ExecutionContext& ctx) override {
    if (ctx.expired()) return absl::DeadlineExceededError("the dry-run's deadline passed before it started");
    action::DryRunReport report;
    const CommandTemplate* t = Find(a);
    if (t == nullptr) {
      report.supported = false;
      report.checks.push_back(
          {"supported", false, Redacted::Literal("no command template of that name is configured")});
      return report;
    }
    auto real = action::Rehydrate(a, *ctx.shield, *ctx.vault);
    if (!real.ok()) return real.status();
    Prepared p = Prepare(*t, a, *real, ctx);
    const auto& secrets = real->secrets();
    report.checks.push_back({"parameters", p.parameters.ok(),
                             p.parameters.ok()
                                 ? Redact(absl::StrCat("every value is valid for its slot's type (",
                                                       t->slots.size(), " slot(s))"),
                                          ctx, secrets)
                                 : Redact(std::string(p.parameters.message()), ctx, secrets)});
    report.checks.push_back(
        {"program", p.program.ok(),
         p.program.ok()
             ? Redact(absl::StrCat(p.program->path, " (executable file, ", p.program->st.st_size, " bytes)"),
                      ctx, secrets)
             : Redact(std::string(p.program.status().message()), ctx, secrets)});
    if (p.argv.ok()) {
      Redacted detail = Redacted::Literal("argv (") +
                        privacy::RedactedNumber(static_cast<long long>(p.argv->real.size())) +
                        Redacted::Literal(" elements, no shell): ") + p.argv->shown;
      report.checks.push_back({"argv", true, Withhold(std::move(detail), secrets)});
    } else {
      report.checks.push_back({"argv", false, Redact(std::string(p.argv.status().message()), ctx, secrets)});
    }
    std::string program_name = t->argv.empty() ? "nothing" : t->argv.front();
    std::string description = t->description.empty() ? "no description" : t->description;
    report.checks.push_back(
        {"blast_radius", true,
         Redact(
             absl::StrCat("runs one process (", program_name, ") in its own process group for at most ",
                          FormatMs(s_.timeout_ms), "; what it changes is the template's own: ", description),
             ctx, secrets)});
    report.summary = Redact(absl::StrCat("runs command template ", t->name, ": ", description), ctx, secrets);
    report.state_fingerprint = p.fingerprint;
    return report;
  }

  absl::StatusOr<action::ExecutionResult> Execute(const action::Action& a,
                                                  const action::ExecutionContext& ctx) override {
    action::ExecutionResult result;
    result.started_at = absl::Now();
    if (ctx.expired())
      return absl::DeadlineExceededError("the execution's deadline passed before it started");
    const CommandTemplate* t = Find(a);
    if (t == nullptr) return absl::FailedPreconditionError("no command template of that name is configured");
    auto real = action::Rehydrate(a, *ctx.shield, *ctx.vault);
    if (!real.ok()) return real.status();
    const auto& secrets = real->secrets();
    Prepared p = Prepare(*t, a, *real, ctx);
    result.state_fingerprint = p.fingerprint;
    if (!p.ok()) {
      std::vector<std::string> failed;
      if (!p.parameters.ok()) failed.push_back(absl::StrCat("parameters: ", p.parameters.message()));
      if (!p.program.ok()) failed.push_back(absl::StrCat("program: ", p.program.status().message()));
      if (!p.argv.ok()) failed.push_back(absl::StrCat("argv: ", p.argv.status().message()));
      result.outcome = action::ExecutionOutcome::kFailed;
      result.detail = Redact("refused: " + absl::StrJoin(failed, "; "), ctx, secrets);
      result.output = result.detail;
      result.finished_at = absl::Now();
      return result;
    }

    std::string dir = s_.working_dir;
    if (dir.empty()) {
      std::string tmpl = s_.temp_base + "/awoooi-command-XXXXXX";
      if (::mkdtemp(tmpl.data()) == nullptr) {
        result.detail = Redact(
            absl::StrCat("refused: no private working directory in ", s_.temp_base, ": ", ErrnoText(errno)),
            ctx, secrets);
        result.output = result.detail;
        result.finished_at = absl::Now();
        return result;
      }
      dir = std::move(tmpl);
    }
    Run run = Spawn(*p.program, p.argv->real, dir, s_, ctx);
    if (s_.working_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
    result.finished_at = absl::Now();

    std::string detail;
    if (!run.start_error.empty()) {
      detail = run.start_error;
    } else if (run.killed == Run::Killed::kTimeout) {
      detail = absl::StrCat(p.program->path, " killed after ", FormatMs(s_.timeout_ms));
    } else if (run.killed == Run::Killed::kDeadline) {
      detail = absl::StrCat(p.program->path, " killed: the execution's deadline passed after ",
                            absl::FormatDuration(absl::Trunc(run.elapsed, absl::Milliseconds(1))));
    } else if (run.killed == Run::Killed::kCancelled) {
      detail = absl::StrCat(p.program->path, " killed: cancelled");
    } else if (run.exited) {
      detail = run.code == 0 ? absl::StrCat(p.program->path, " exited 0")
                             : absl::StrCat(p.program->path, " failed with exit code ", run.code);
    } else if (run.signal != 0) {
      detail = absl::StrCat(p.program->path, " was killed by signal ", run.signal);
    } else {
      detail = absl::StrCat(p.program->path, " ended; its exit status is unknown");
    }
    const bool succeeded =
        run.start_error.empty() && run.killed == Run::Killed::kNo && run.exited && run.code == 0;
    result.outcome = succeeded ? action::ExecutionOutcome::kSucceeded : action::ExecutionOutcome::kFailed;
    if (run.held_open) detail += " (a process that left its group kept the output open; reading stopped)";
    result.detail = Redact(detail, ctx, secrets);

    TrimPartialTail(run);
    result.output = Redact(run.output, ctx, secrets);
    if (run.discarded > 0) {
      if (!result.output.empty() && result.output.view().back() != '\n')
        result.output += Redacted::Literal("\n");
      result.output += Redacted::Literal("[truncated: ") +
                       privacy::RedactedNumber(static_cast<long long>(run.discarded)) +
                       Redacted::Literal(" more bytes discarded]");
    }
    return result;
  }

 private:
  const CommandTemplate* Find(const action::Action& a) const {
    if (a.kind() != action::Kind::kRunTemplate) return nullptr;
    const action::Value* name = a.param("template");
    if (name == nullptr) return nullptr;
    for (const CommandTemplate& t : templates_) {
      if (t.name == name->text.view()) return &t;
    }
    return nullptr;
  }

  Prepared Prepare(const CommandTemplate& t, const action::Action& a, const action::RealAction& r,
                   const action::ExecutionContext& ctx) const {
    Prepared p{CheckParameters(t, r), ResolveProgram(t, s_), BuildArgv(t, a, r, ctx), ""};
    p.fingerprint = Fingerprint(t, p.program, p.argv);
    return p;
  }

  // A text that still holds a real value after redaction is withheld whole.
  static Redacted Withhold(Redacted r, const std::vector<std::string>& secrets) {
    for (const std::string& s : secrets) {
      if (!s.empty() && r.str().find(s) != std::string::npos) {
        return Redacted::Literal("[withheld: it held a real value the shield did not recognise]");
      }
    }
    return r;
  }

  static Redacted Redact(const std::string& text, const action::ExecutionContext& ctx,
                         const std::vector<std::string>& secrets) {
    return Withhold(ctx.shield->Redact(text, *ctx.vault), secrets);
  }

  const Settings s_;
  const std::vector<CommandTemplate> templates_;
};

bool IsEnvName(std::string_view n) {
  if (n.empty() || !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_')) return false;
  return std::all_of(n.begin(), n.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

}  // namespace

absl::StatusOr<std::unique_ptr<action::Executor>> MakeCommandExecutor(const PluginSettings& settings,
                                                                      const action::Catalog* catalog) {
  if (auto s = settings.RejectUnknown(
          {"type", "name", "timeout", "max_output_bytes", "working_dir", "path", "env"});
      !s.ok()) {
    return s;
  }
  Settings s;
  s.name = settings.GetString("name", "command");
  auto timeout = settings.GetDurationMs("timeout", 60'000, 1, 24 * 3'600'000LL);
  if (!timeout.ok()) return timeout.status();
  s.timeout_ms = *timeout;
  auto max_output = settings.GetInt("max_output_bytes", 64 * 1024, 1, 64 * 1024 * 1024);
  if (!max_output.ok()) return max_output.status();
  s.max_output = static_cast<std::size_t>(*max_output);

  s.working_dir = settings.GetString("working_dir");
  if (!s.working_dir.empty()) {
    struct stat st {};
    if (s.working_dir.front() != '/' || ::stat(s.working_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(absl::StrCat(settings.KeyPath("working_dir"),
                                                     ": must be an absolute path to an existing directory"));
    }
  }
  const char* tmp = std::getenv("TMPDIR");
  s.temp_base = tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp";

  s.path = settings.GetString("path", kDefaultPath);
  for (auto part : absl::StrSplit(s.path, ':')) {
    std::string dir(part);
    if (dir.empty() || dir.front() != '/') {
      return absl::InvalidArgumentError(
          absl::StrCat(settings.KeyPath("path"),
                       ": every entry must be an absolute directory (an empty or relative entry would "
                       "look programs up in the working directory)"));
    }
    s.path_dirs.push_back(std::move(dir));
  }
  s.env.push_back("PATH=" + s.path);
  const PluginSettings env = settings.Sub("env");
  for (const auto& [key, value] : env.values()) {
    if (!IsEnvName(key) || key == "PATH") {
      return absl::InvalidArgumentError(
          absl::StrCat(settings.KeyPath("env." + key),
                       ": must be a variable name ([A-Za-z_][A-Za-z0-9_]*) other "
                       "than PATH (set `path` instead)"));
    }
    s.env.push_back(key + "=" + value);
  }
  if (settings.Has("env") && !settings.GetString("env").empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(settings.KeyPath("env"), ": must be a map of NAME: value"));
  }

  std::vector<CommandTemplate> templates;
  if (catalog != nullptr) templates = catalog->templates;
  return std::unique_ptr<action::Executor>(
      std::make_unique<CommandExecutor>(std::move(s), std::move(templates)));
}

}  // namespace awoooi::plugins::actions
