#include "plugins/outputs/notifier_settings.h"

#include <gtest/gtest.h>

#include <fstream>

#include "plugins/outputs/notifiers.h"

namespace awoooi::plugins::outputs {
namespace {

constexpr char kConfig[] = R"(
server:
  listen: 127.0.0.1:8080
notifiers:
  - name: ops-slack
    type: slack
    webhook_url_env: SLACK_WEBHOOK_URL
    timeout: 5s
  - name: oncall-mail
    type: email
    smtp_url: smtp://smtp.example.com:587
    from: AWOOOI <awoooi@example.com>
    to: [oncall@example.com, sre-lead@example.com]
  - name: pager-bridge
    type: webhook
    url: https://hooks.example.com/awoooi
    secret_file: /run/secrets/hook
    headers:
      X-Team: sre
      Authorization: Bearer abc
)";

TEST(ReadNotifierSettings, EachEntryBecomesFlatSettingsWithItsPath) {
  auto list = ParseNotifierSettings(kConfig, "awoooi.yaml");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].path(), "notifiers[0]");
  EXPECT_EQ((*list)[0].GetString("name"), "ops-slack");
  EXPECT_EQ((*list)[0].GetString("type"), "slack");
  EXPECT_EQ((*list)[0].GetString("timeout"), "5s");
  EXPECT_EQ((*list)[1].GetString("to"), "oncall@example.com,sre-lead@example.com");
  EXPECT_EQ((*list)[2].GetString("headers.X-Team"), "sre");
  EXPECT_EQ((*list)[2].GetString("headers.Authorization"), "Bearer abc");
  EXPECT_EQ((*list)[2].KeyPath("url"), "notifiers[2].url");
}

TEST(ReadNotifierSettings, TheFactoriesTakeWhatItReads) {
  auto list = ParseNotifierSettings(kConfig, "awoooi.yaml");
  ASSERT_TRUE(list.ok());
  auto mail = MakeEmailNotifier((*list)[1]);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_EQ((*mail)->name(), "oncall-mail");
}

TEST(ReadNotifierSettings, AFileWithoutNotifiersHasNone) {
  auto none = ParseNotifierSettings("server:\n  listen: 127.0.0.1:1\n", "a.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto empty = ParseNotifierSettings("", "a.yaml");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ReadNotifierSettings, MalformedListsAreNamedWithTheirLine) {
  auto check = [](const std::string& yaml, const std::string& expected) {
    auto r = ParseNotifierSettings(yaml, "a.yaml");
    ASSERT_FALSE(r.ok()) << yaml;
    EXPECT_NE(r.status().message().find(expected), std::string::npos) << r.status();
  };
  check("notifiers:\n  name: x\n", "notifiers: must be a list");
  check("notifiers:\n  - type: slack\n", "notifiers[0].name: required");
  check("notifiers:\n  - name: a b\n    type: slack\n", "notifiers[0].name");
  check("notifiers:\n  - name: a\n    type: slack\n  - name: a\n    type: discord\n",
        "notifiers[1].name: \"a\" is used by another notifier (line 4)");
  check("notifiers:\n  - name: a\n", "notifiers[0].type: required");
  check("notifiers:\n  - name: a\n    type: email\n    to: [{x: 1}]\n",
        "notifiers[0].to: a list here may hold only plain values");
  check("notifiers: [\n", "a.yaml");
}

TEST(ReadNotifierSettings, ReadsAFileAndSaysWhenItCannot) {
  std::string path = ::testing::TempDir() + "/notifiers.yaml";
  std::ofstream(path) << kConfig;
  auto list = ReadNotifierSettings(path);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), 3u);
  auto missing = ReadNotifierSettings(path + ".missing");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(RegisterBuiltinNotifiers, RegistersTheFourTypes) {
  Registry<notify::Notifier> registry;
  RegisterBuiltinNotifiers(registry);
  EXPECT_EQ(registry.Types(), (std::vector<std::string>{"discord", "email", "slack", "webhook"}));
  auto unknown = registry.Create("teams", PluginSettings("notifiers[4]", {}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("notifiers[4].type: unknown type \"teams\""), std::string::npos);
}

}  // namespace
}  // namespace awoooi::plugins::outputs
