#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "awoooi/privacy/shield.h"
#include "runtime/runtime.h"

namespace awoooi::runtime {
namespace {

// The command executor gets the configured templates through ExecutorDeps::catalog.
TEST(MakeExecutors, TheCommandExecutorRunsTheConfiguredTemplates) {
  auto path =
      std::filesystem::temp_directory_path() / ("awoooi_exec_" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << R"(
executors:
  - type: simulated
  - type: command
    name: commands
    timeout: 10s
    env:
      GREETING: hello
command_templates:
  - name: greet
    argv: [/bin/echo, "{{host}}"]
    slots: {host: name}
)";
  auto config = LoadConfig(path.string(), {});
  std::filesystem::remove(path);
  ASSERT_TRUE(config.ok()) << config.status();
  auto executors = MakeExecutors(*config, nullptr);
  ASSERT_TRUE(executors.ok()) << executors.status();
  ASSERT_EQ(executors->size(), 2u);
  action::Executor& commands = *(*executors)[1];
  EXPECT_EQ(commands.name(), "commands");

  auto shield = std::move(*privacy::Shield::Create({}));
  privacy::Vault vault;
  action::Draft d;
  d.kind = "run_template";
  d.params["template"] = shield->Redact("greet", vault);
  d.params["host"] = shield->Redact("db-1", vault);
  auto a = action::Build(d, ApprovalSettings(*config).catalog);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_FALSE((*executors)[0]->Supports(*a));
  ASSERT_TRUE(commands.Supports(*a));
  action::ExecutionContext ctx;
  ctx.shield = shield.get();
  ctx.vault = &vault;
  auto r = commands.Execute(*a, ctx);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->output.str(), "db-1\n");
}

}  // namespace
}  // namespace awoooi::runtime
