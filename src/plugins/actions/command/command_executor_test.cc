#include "plugins/actions/command/command_executor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "awoooi/privacy/shield.h"

namespace awoooi::plugins::actions {
namespace {

namespace fs = std::filesystem;
using action::CommandTemplate;
using action::ParamSpec;
using action::ParamType;
using privacy::Redacted;

// Values an attacker would put in a slot: each must fail its type, directly or once rehydrated.
const std::vector<std::string> kHostile = {"a;b", "$(id)", "`id`", "a\nb", "\"a b\"", "a' 'b", "--all",
                                           "-A",  "a b",   "a|b",  "x&&y", "*",       "a\tb",  "${IFS}"};

// A regex matching exactly `text` (every byte as \xNN), for a custom shield pattern.
std::string Exactly(const std::string& text) {
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : text) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One process as /proc shows it.
struct Proc {
  int pid = 0;
  int pgrp = 0;
  char state = '?';
  std::string cmdline;  // NUL-separated argv
};

std::vector<Proc> Processes() {
  std::vector<Proc> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    int pid = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &pid)) continue;
    std::string stat = ReadFile(entry.path() / "stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::vector<std::string> f = absl::StrSplit(stat.substr(close + 2), ' ');
    if (f.size() < 3) continue;
    Proc p;
    p.pid = pid;
    p.state = f[0].empty() ? '?' : f[0][0];
    (void)absl::SimpleAtoi(f[2], &p.pgrp);
    p.cmdline = ReadFile(entry.path() / "cmdline");
    out.push_back(std::move(p));
  }
  return out;
}

// Live (not zombie) processes whose argv is exactly `argv`.
std::vector<Proc> Running(const std::vector<std::string>& argv) {
  std::string want;
  for (const auto& a : argv) want += a + std::string(1, '\0');
  std::vector<Proc> out;
  for (auto& p : Processes()) {
    if (p.state != 'Z' && p.cmdline == want) out.push_back(p);
  }
  return out;
}

int64_t RssKib() {
  std::string status = ReadFile("/proc/self/status");
  auto at = status.find("VmRSS:");
  int64_t kib = 0;
  if (at != std::string::npos) {
    std::string line = status.substr(at + 6, status.find('\n', at) - at - 6);
    (void)absl::SimpleAtoi(
        absl::StripAsciiWhitespace(absl::StripSuffix(absl::StripAsciiWhitespace(line), "kB")), &kib);
  }
  return kib;
}

class CommandExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // No '-' before the random part: "-A" is one of the hostile patterns the shield below redacts,
    // and mkdtemp may start its suffix with 'A'.
    char tmpl[] = "/tmp/awoooi_command_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    argv_out_ = dir_ + "/argv.txt";
    // A program that records its argv, one element per line after the count, then echoes it.
    recorder_ = dir_ + "/record-argv";
    std::ofstream(recorder_) << "#!/bin/sh\n"
                                "printf '%s\\n' \"$#\" > \"$ARGV_OUT\"\n"
                                "for a in \"$@\"; do printf '%s\\n' \"$a\" >> \"$ARGV_OUT\"; done\n"
                                "echo \"$@\"\n";
    fs::permissions(recorder_, fs::perms::owner_all);
    myecho_ = dir_ + "/myecho";
    fs::copy_file("/bin/echo", myecho_);

    privacy::ShieldConfig config;
    for (std::size_t i = 0; i < kHostile.size(); ++i) {
      config.custom_patterns.push_back({absl::StrCat("hostile", i), Exactly(kHostile[i]), "INJ"});
    }
    shield_ = std::move(*privacy::Shield::Create(config));
    plain_ = std::move(*privacy::Shield::Create({}));

    auto slot = [](std::string name, ParamType type, int64_t min = 0, int64_t max = 0) {
      return ParamSpec{std::move(name), type, true, min, max, {}};
    };
    auto add = [&](std::string name, std::vector<std::string> argv, std::vector<ParamSpec> slots = {}) {
      catalog_.templates.push_back(
          CommandTemplate{std::move(name), std::move(argv), std::move(slots), "a test"});
    };
    add("echo-host", {"/bin/echo", "host", "{{host}}"}, {slot("host", ParamType::kName)});
    add("record", {recorder_, "--host", "{{host}}", "{{count}}", "{{namespace}}", "{{target}}", "fixed word"},
        {slot("host", ParamType::kName), slot("count", ParamType::kInteger, 1, 10)});
    add("offset", {recorder_, "{{offset}}"}, {slot("offset", ParamType::kInteger, -5, 5)});
    add("sleep", {"sleep", "987651"});
    add("group", {"/bin/sh", "-c", "sleep 987652 & sleep 987653; wait"});
    add("yes", {"yes"});
    add("missing", {"no-such-program-awoooi"});
    add("relative", {"bin/echo", "x"});
    add("slot-program", {"{{host}}", "x"}, {slot("host", ParamType::kName)});
    add("env", {"env"});
    add("pwd", {"pwd"});
    add("signals", {"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"});
    add("printf", {"printf", "abc%sdef", "{{host}}"}, {slot("host", ParamType::kName)});
    add("copy", {myecho_, "{{host}}"}, {slot("host", ParamType::kName)});
    add("exit3", {"/bin/sh", "-c", "echo failing; exit 3"});
    Make({});
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Make(std::map<std::string, std::string> settings) {
    settings.emplace("env.ARGV_OUT", argv_out_);
    auto e = MakeCommandExecutor(PluginSettings("executors[1]", std::move(settings)), &catalog_);
    ASSERT_TRUE(e.ok()) << e.status();
    exec_ = std::move(*e);
  }

  action::ExecutionContext Ctx(const std::atomic<bool>* cancel = nullptr) {
    action::ExecutionContext c;
    c.shield = shield_.get();
    c.vault = &vault_;
    c.deadline = absl::Now() + absl::Seconds(120);
    c.cancel = cancel;
    return c;
  }

  // A run_template action; every value goes through the shield as a proposal's values do.
  action::Draft Draft(std::string tmpl, std::map<std::string, std::string> params = {},
                      std::string target = "", std::string target_kind = "") {
    action::Draft d;
    d.kind = "run_template";
    d.target_kind = std::move(target_kind);
    d.target = shield_->Redact(target, vault_);
    d.params["template"] = shield_->Redact(tmpl, vault_);
    for (auto& [k, v] : params) d.params[k] = shield_->Redact(v, vault_);
    return d;
  }
  action::Action A(std::string tmpl, std::map<std::string, std::string> params = {}, std::string target = "",
                   std::string target_kind = "") {
    auto a = action::Build(
        Draft(std::move(tmpl), std::move(params), std::move(target), std::move(target_kind)), catalog_);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : *action::Build(action::Draft{"investigate", "", {}, {}, {}});
  }
  const action::Check* CheckNamed(const action::DryRunReport& r, std::string_view name) {
    for (const auto& c : r.checks) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

  std::string dir_, argv_out_, recorder_, myecho_;
  action::Catalog catalog_;
  std::unique_ptr<privacy::Shield> shield_, plain_;
  privacy::Vault vault_;
  std::unique_ptr<action::Executor> exec_;
};

TEST_F(CommandExecutorTest, SupportsRunTemplateActionsWhoseTemplateIsConfigured) {
  EXPECT_EQ(exec_->name(), "command");
  EXPECT_TRUE(exec_->Supports(A("echo-host", {{"host", "api"}})));
  action::Catalog other = catalog_;
  other.templates.push_back({"elsewhere", {"/bin/true"}, {}, ""});
  auto elsewhere = action::Build(Draft("elsewhere"), other);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(exec_->Supports(*elsewhere));
  EXPECT_FALSE(
      exec_->Supports(*action::Build(action::Draft{"restart_pod", "", Redacted::Literal("api"), {}, {}})));
  auto none = MakeCommandExecutor(PluginSettings("executors[1]", {}), nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE((*none)->Supports(A("echo-host", {{"host", "api"}})));
}

TEST_F(CommandExecutorTest, TheRealValueReachesTheChildAndComesBackAsItsLabel) {
  auto a =
      A("record", {{"host", "10.0.0.5"}, {"count", "3"}, {"namespace", "payments"}}, "api", "deployment");
  ASSERT_EQ(a.param("host")->text.str(), "[IP_1]");  // what the approver sees

  auto dry = exec_->DryRun(a, Ctx());
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_TRUE(dry->passed());
  const action::Check* argv = CheckNamed(*dry, "argv");
  ASSERT_NE(argv, nullptr);
  EXPECT_EQ(argv->detail.str(),
            absl::StrCat("argv (7 elements, no shell): [\"", recorder_,
                         "\", \"--host\", \"[IP_1]\", \"3\", \"payments\", \"api\", \"fixed word\"]"));

  auto r = exec_->Execute(a, Ctx());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, action::ExecutionOutcome::kSucceeded) << r->detail.str();
  // The child saw the real address, each value as exactly one element: $# is the template's length - 1.
  EXPECT_EQ(ReadFile(argv_out_), "6\n--host\n10.0.0.5\n3\npayments\napi\nfixed word\n");
  // What comes back has the label again, and the real value nowhere.
  EXPECT_EQ(r->output.str(), "--host [IP_1] 3 payments api fixed word\n");
  EXPECT_EQ(r->detail.str(), absl::StrCat(recorder_, " exited 0"));
  for (const auto& c : dry->checks) EXPECT_FALSE(absl::StrContains(c.detail.str(), "10.0.0.5")) << c.name;
  EXPECT_FALSE(absl::StrContains(dry->summary.str(), "10.0.0.5"));
}

TEST_F(CommandExecutorTest, EchoOutputIsRedactedBackToTheLabel) {
  auto r = exec_->Execute(A("echo-host", {{"host", "10.0.0.5"}}), Ctx());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, action::ExecutionOutcome::kSucceeded);
  EXPECT_EQ(r->output.str(), "host [IP_1]\n");
}

TEST_F(CommandExecutorTest, OutputThatStillHoldsTheRealValueNeverCarriesIt) {
  // Glued between letters the address may escape the detector: then the whole output is withheld.
  auto r = exec_->Execute(A("printf", {{"host", "10.0.0.5"}}), Ctx());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, action::ExecutionOutcome::kSucceeded);
  EXPECT_FALSE(absl::StrContains(r->output.str(), "10.0.0.5")) << r->output.str();
  EXPECT_FALSE(r->output.empty());
}

TEST_F(CommandExecutorTest, InjectionThroughASlotFailsBuild) {
  for (const std::string& bad : kHostile) {
    action::Draft d = Draft("echo-host");
    d.params["host"] = plain_->Redact(bad, vault_);  // as typed, not a label
    EXPECT_FALSE(action::Build(d, catalog_).ok()) << bad;
    action::Draft n = Draft("record", {{"host", "api"}, {"namespace", "payments"}}, "api", "deployment");
    n.params["count"] = plain_->Redact(bad, vault_);
    EXPECT_FALSE(action::Build(n, catalog_).ok()) << bad;
  }
  EXPECT_FALSE(fs::exists(argv_out_));  // nothing ever ran
}

TEST_F(CommandExecutorTest, InjectionHiddenBehindALabelFailsRehydrationAndNothingRuns) {
  for (const std::string& bad : kHostile) {
    // The shield recognised the hostile text and minted a label: the action itself is valid.
    action::Action a =
        A("record", {{"host", bad}, {"count", "2"}, {"namespace", "payments"}}, "api", "deployment");
    ASSERT_TRUE(absl::StartsWith(a.param("host")->text.str(), "[INJ_")) << bad;
    auto dry = exec_->DryRun(a, Ctx());
    EXPECT_EQ(dry.status().code(), absl::StatusCode::kFailedPrecondition) << bad;
    auto r = exec_->Execute(a, Ctx());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << bad;
    EXPECT_FALSE(absl::StrContains(r.status().message(), bad));
  }
  EXPECT_FALSE(fs::exists(argv_out_));
  // The same template with a clean value runs with exactly the template's argv length.
  auto ok = exec_->Execute(
      A("record", {{"host", "db-1"}, {"count", "2"}, {"namespace", "payments"}}, "api", "deployment"), Ctx());
  ASSERT_TRUE(ok.ok());
  std::vector<std::string> lines = absl::StrSplit(ReadFile(argv_out_), '\n', absl::SkipEmpty());
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "6");
  EXPECT_EQ(lines.size(), catalog_.templates[1].argv.size());  // the count line + argv[1..]
}

TEST_F(CommandExecutorTest, AValueThatWouldStartAnOptionIsRefusedWhenTheArgvIsBuilt) {
  // A template that allows negative integers: "-3" passes its type but would read as an option.
  auto a = A("offset", {{"offset", "-3"}});
  auto dry = exec_->DryRun(a, Ctx());
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_FALSE(dry->passed());
  const action::Check* argv = CheckNamed(*dry, "argv");
  ASSERT_NE(argv, nullptr);
  EXPECT_FALSE(argv->passed);
  EXPECT_TRUE(absl::StrContains(argv->detail.str(), "would start an option")) << argv->detail.str();
  auto r = exec_->Execute(a, Ctx());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, action::ExecutionOutcome::kFailed);
  EXPECT_TRUE(absl::StartsWith(r->detail.str(), "refused: argv:")) << r->detail.str();
  EXPECT_FALSE(fs::exists(argv_out_));
  EXPECT_TRUE(exec_->Execute(A("offset", {{"offset", "3"}}), Ctx()).ok());
  EXPECT_EQ(ReadFile(argv_out_), "1\n3\n");
}

TEST_F(CommandExecutorTest, AProgramThatCannotBeFoundFailsTheProgramCheck) {
  for (std::string name : {"missing", "relative", "slot-program"}) {
    std::map<std::string, std::string> params;
    if (name == "slot-program") params["host"] = "echo";
    auto a = A(name, params);
    auto dry = exec_->DryRun(a, Ctx());
    ASSERT_TRUE(dry.ok()) << dry.status();
    EXPECT_FALSE(dry->passed()) << name;
    const action::Check* program = CheckNamed(*dry, "program");
    ASSERT_NE(program, nullptr);
    EXPECT_FALSE(program->passed) << name;
    auto r = exec_->Execute(a, Ctx());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->outcome, action::ExecutionOutcome::kFailed);
    EXPECT_TRUE(absl::StartsWith(r->detail.str(), "refused: program:")) << r->detail.str();
  }
  auto dry = exec_->DryRun(A("missing"), Ctx());
  EXPECT_EQ(CheckNamed(*dry, "program")->detail.str(),
            "no-such-program-awoooi is not an executable file on PATH (/usr/local/bin:/usr/bin:/bin)");
}

TEST_F(CommandExecutorTest, AProgramThatNeverEndsIsKilledByTheTimeout) {
  Make({{"timeout", "1s"}});
  auto r = exec_->Execute(A("sleep"), Ctx());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, action::ExecutionOutcome::kFailed);
  EXPECT_TRUE(absl::EndsWith(r->detail.str(), "/sleep killed after 1s")) << r->detail.str();
  EXPECT_TRUE(Running({"sleep", "987651"}).empty());
}

TEST_F(CommandExecutorTest, CancellingKillsTheWholeProcessGroup) {
  std::atomic<bool> cancel{false};
  absl::StatusOr<action::ExecutionResult> r;
  action::Action a = A("group");
  std::thread run([&] { r = exec_->Execute(a, Ctx(&cancel)); });
  // Wait until both sleeps run (the shell's child and the shell's background job).
  std::vector<Proc> seen;
  for (int i = 0; i < 2000 && seen.size() < 2; ++i) {
    seen = Running({"sleep", "987652"});
    auto second = Running({"sleep", "987653"});
    seen.insert(seen.end(), second.begin(), second.end());
    if (seen.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  cancel = true;
  run.join();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].pgrp, seen[1].pgrp);
  EXPECT_NE(seen[0].pgrp, ::getpgrp());  // a group of its own, not ours
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, action::ExecutionOutcome::kFailed);
  EXPECT_TRUE(absl::EndsWith(r->detail.str(), "killed: cancelled")) << r->detail.str();
  for (const Proc& p : Processes()) {
    EXPECT_FALSE(p.pgrp == seen[0].pgrp && p.state != 'Z')
        << "process " << p.pid << " of the group still runs";
  }
}

TEST_F(CommandExecutorTest, EndlessOutputIsCappedWithoutMemoryGrowth) {
  Make({{"timeout", "2s"}, {"max_output_bytes", "4096"}});
  const int64_t before = RssKib();
  std::atomic<bool> done{false};
  std::atomic<int64_t> peak{before};
  std::thread sampler([&] {
    while (!done) {
      peak = std::max<int64_t>(peak, RssKib());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  auto r = exec_->Execute(A("yes"), Ctx());
  done = true;
  sampler.join();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->outcome, action::ExecutionOutcome::kFailed);
  EXPECT_TRUE(absl::EndsWith(r->detail.str(), "/yes killed after 2s")) << r->detail.str();
  std::vector<std::string> parts = absl::StrSplit(r->output.str(), "[truncated: ");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_LE(parts[0].size(), 4096u);
  EXPECT_GE(parts[0].size(), 4000u);
  EXPECT_TRUE(absl::EndsWith(parts[1], " more bytes discarded]"));
  for (const std::string& line :
       std::vector<std::string>(absl::StrSplit(parts[0], '\n', absl::SkipEmpty()))) {
    EXPECT_EQ(line, "y");
  }
  EXPECT_LT(peak - before, 32 * 1024) << "KiB of growth while `yes` ran";
}

TEST_F(CommandExecutorTest, TheEnvironmentHoldsOnlyPathAndTheConfiguredVariables) {
  Make({{"env.FOO", "bar"}});
  auto r = exec_->Execute(A("env"), Ctx());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output.str(),
            absl::StrCat("PATH=/usr/local/bin:/usr/bin:/bin\nARGV_OUT=", argv_out_, "\nFOO=bar\n"));
}

TEST_F(CommandExecutorTest, SignalDispositionsAndTheMaskAreReset) {
  // A server ignores SIGPIPE; a program must not inherit that (nor a blocked signal).
  auto old = ::signal(SIGPIPE, SIG_IGN);
  sigset_t block, saved;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &block, &saved);
  auto r = exec_->Execute(A("signals"), Ctx());
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  ::signal(SIGPIPE, old);
  ASSERT_TRUE(r.ok());
  std::vector<std::string> lines = absl::StrSplit(r->output.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << r->output.str();
  EXPECT_EQ(lines[0], "SigBlk:\t0000000000000000");
  ASSERT_TRUE(absl::StartsWith(lines[1], "SigIgn:\t"));
  uint64_t ignored = std::stoull(lines[1].substr(8), nullptr, 16);
  // Signals 1-31 are all at their default (glibc's posix_spawn ignores its own internal signals 32
  // and 33 in the child; programs that use them install their own handlers).
  EXPECT_EQ(ignored & 0x7fffffffULL, 0u) << lines[1];
}

TEST_F(CommandExecutorTest, EachRunHasAPrivateWorkingDirectoryRemovedAfterwards) {
  // The directory's random suffix may start with 'A', and "-A" is one of the hostile patterns the
  // fixture's shield redacts: read the output through a shield without them.
  action::ExecutionContext plain = Ctx();
  plain.shield = plain_.get();
  auto r = exec_->Execute(A("pwd"), plain);
  ASSERT_TRUE(r.ok());
  std::string dir(absl::StripSuffix(r->output.str(), "\n"));
  const char* tmp = std::getenv("TMPDIR");
  EXPECT_TRUE(
      absl::StartsWith(dir, absl::StrCat(tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp", "/awoooi-command-")))
      << dir;
  EXPECT_FALSE(fs::exists(dir));

  Make({{"working_dir", dir_}});
  r = exec_->Execute(A("pwd"), plain);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output.str(), dir_ + "\n");
  EXPECT_TRUE(fs::exists(dir_));
}

TEST_F(CommandExecutorTest, ANonZeroExitFailsWithItsCode) {
  auto r = exec_->Execute(A("exit3"), Ctx());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, action::ExecutionOutcome::kFailed);
  EXPECT_EQ(r->detail.str(), "/bin/sh failed with exit code 3");
  EXPECT_EQ(r->output.str(), "failing\n");
}

TEST_F(CommandExecutorTest, TheFingerprintChangesWithTheBinaryAndTheValues) {
  auto a = A("copy", {{"host", "10.0.0.5"}});
  auto first = exec_->DryRun(a, Ctx());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->passed());
  EXPECT_EQ(first->state_fingerprint.size(), 64u);
  EXPECT_EQ(exec_->DryRun(a, Ctx())->state_fingerprint, first->state_fingerprint);
  EXPECT_NE(exec_->DryRun(A("copy", {{"host", "db-1"}}), Ctx())->state_fingerprint, first->state_fingerprint);
  // A changed binary voids what was signed.
  std::ofstream(myecho_, std::ios::app) << '\0';
  EXPECT_NE(exec_->DryRun(a, Ctx())->state_fingerprint, first->state_fingerprint);
}

TEST_F(CommandExecutorTest, SettingsAreChecked) {
  for (auto bad : std::vector<std::map<std::string, std::string>>{{{"path", "/usr/bin:bin"}},
                                                                  {{"path", "/usr/bin::/bin"}},
                                                                  {{"env.PATH", "/tmp"}},
                                                                  {{"env.BAD-NAME", "x"}},
                                                                  {{"working_dir", "relative"}},
                                                                  {{"timeout", "soon"}},
                                                                  {{"max_output_bytes", "0"}},
                                                                  {{"shell", "true"}}}) {
    auto e = MakeCommandExecutor(PluginSettings("executors[1]", bad), &catalog_);
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << bad.begin()->first;
    EXPECT_TRUE(absl::StrContains(e.status().message(), "executors[1].")) << e.status();
  }
}

TEST_F(CommandExecutorTest, ManyRunsAtOnceEachGetTheirOwnResult) {
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      privacy::Vault vault;
      action::ExecutionContext c;
      c.shield = shield_.get();
      c.vault = &vault;
      action::Draft d;
      d.kind = "run_template";
      d.params["template"] = plain_->RedactEphemeral("echo-host");
      d.params["host"] = plain_->RedactEphemeral(absl::StrCat("host-", i));
      auto a = action::Build(d, catalog_);
      if (!a.ok()) return;
      auto r = exec_->Execute(*a, c);
      if (r.ok()) outputs[i] = r->output.str();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(outputs[i], absl::StrCat("host host-", i, "\n"));
}

}  // namespace
}  // namespace awoooi::plugins::actions
