#include "ingest/alert_redactor.h"

#include <gtest/gtest.h>

namespace awoooi::ingest {
namespace {

class ShieldAlertRedactorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    privacy::ShieldConfig config;
    config.vault_key = privacy::GenerateVaultKey();
    auto s = privacy::Shield::Create(config);
    ASSERT_TRUE(s.ok()) << s.status();
    shield_ = std::move(*s);
  }

  Alert MakeAlert(const std::string& ip) {
    Alert a;
    a.labels = {{"alertname", "HighErrorRate"}, {"instance", ip + ":9100"}};
    a.annotations = {{"summary", "errors from " + ip + " for admin@company.com"}};
    return a;
  }

  std::unique_ptr<privacy::Shield> shield_;
  std::map<int64_t, std::vector<std::string>> disk_;  // what the store would hold
  store::AlertRedactor::LoadVaultRecords Loader() {
    return [this](int64_t id) -> absl::StatusOr<std::vector<std::string>> { return disk_[id]; };
  }
  void Persist(ShieldAlertRedactor& r) {
    auto changed = r.TakeChangedVaults();
    ASSERT_TRUE(changed.ok());
    for (auto& append : *changed) {
      auto& records = disk_[append.incident_id];
      ASSERT_EQ(append.first_seq, static_cast<int64_t>(records.size()));  // appended, never rewritten
      records.insert(records.end(), append.records.begin(), append.records.end());
    }
  }
};

// A vault stops growing at its cap; later values are redacted all the same, with labels that can
// neither rehydrate nor be mistaken for this incident's.
TEST_F(ShieldAlertRedactorTest, AFullVaultStopsGrowingAndNewValuesGetForeignLabels) {
  ShieldAlertRedactor r(*shield_, 16, /*max_values=*/3);
  for (int i = 1; i <= 5; ++i) {
    Alert a = MakeAlert("10.0.0." + std::to_string(i));
    ASSERT_TRUE(r.Redact(7, a, Loader()).ok());
    Persist(r);
    for (const auto* m : {&a.labels, &a.annotations}) {
      for (const auto& [k, v] : *m) {
        EXPECT_EQ(v.find("10.0.0."), std::string::npos) << v;
        EXPECT_EQ(v.find("admin@company.com"), std::string::npos) << v;
      }
    }
    if (i >= 3) {  // the vault holds 10.0.0.1, the e-mail and 10.0.0.2: it was full before this alert
      EXPECT_NE(a.labels.at("instance").find("[~IP_"), std::string::npos) << a.labels.at("instance");
    }
  }
  auto vault = shield_->OpenVault(disk_.at(7), store::VaultScope(7), privacy::VaultUse::kOwner);
  ASSERT_TRUE(vault.ok());
  EXPECT_EQ(vault->size(), 3u);
}

TEST_F(ShieldAlertRedactorTest, LabelsAreStablePerIncidentAcrossBatchesAndRestarts) {
  {
    ShieldAlertRedactor r(*shield_);
    Alert a = MakeAlert("10.0.0.7");
    ASSERT_TRUE(r.Redact(1, a, Loader()).ok());
    EXPECT_EQ(a.labels.at("instance"), "[IP_1]:9100");
    EXPECT_EQ(a.annotations.at("summary"), "errors from [IP_1] for [EMAIL_1]");
    EXPECT_EQ(a.labels.at("alertname"), "HighErrorRate");
    Persist(r);
  }
  // A new redactor (a restart) reads the sealed vault back: the same value keeps its label.
  ShieldAlertRedactor r(*shield_);
  Alert b = MakeAlert("10.0.0.9");
  b.annotations["summary"] = "10.0.0.9 and 10.0.0.7";
  ASSERT_TRUE(r.Redact(1, b, Loader()).ok());
  EXPECT_EQ(b.annotations.at("summary"), "[IP_2] and [IP_1]");
  // Another incident is another scope.
  Alert c = MakeAlert("10.0.0.9");
  ASSERT_TRUE(r.Redact(2, c, Loader()).ok());
  EXPECT_EQ(c.labels.at("instance"), "[IP_1]:9100");
}

TEST_F(ShieldAlertRedactorTest, DiscardForgetsLabelsThatWereNeverCommitted) {
  ShieldAlertRedactor r(*shield_);
  Alert a = MakeAlert("10.0.0.7");
  ASSERT_TRUE(r.Redact(1, a, Loader()).ok());
  r.Discard();  // the transaction rolled back
  Alert b = MakeAlert("10.9.9.9");
  ASSERT_TRUE(r.Redact(1, b, Loader()).ok());
  EXPECT_EQ(b.labels.at("instance"), "[IP_1]:9100");
}

// A batch appends the records of the values it minted: an incident's vault is never resealed.
TEST_F(ShieldAlertRedactorTest, EachBatchAppendsOnlyTheValuesItMinted) {
  ShieldAlertRedactor r(*shield_);
  Alert a = MakeAlert("10.0.0.1");
  ASSERT_TRUE(r.Redact(3, a, Loader()).ok());
  Persist(r);
  EXPECT_EQ(disk_[3].size(), 2u);  // the address and the e-mail
  Alert same = MakeAlert("10.0.0.1");
  ASSERT_TRUE(r.Redact(3, same, Loader()).ok());
  auto nothing = r.TakeChangedVaults();
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
  Alert b = MakeAlert("10.0.0.2");
  ASSERT_TRUE(r.Redact(3, b, Loader()).ok());
  Persist(r);
  EXPECT_EQ(disk_[3].size(), 3u);
  // Records of another incident's vault do not open in this one.
  disk_[4] = disk_[3];
  ShieldAlertRedactor restarted(*shield_);
  Alert c = MakeAlert("10.0.0.2");
  EXPECT_FALSE(restarted.Redact(4, c, Loader()).ok());
  EXPECT_TRUE(restarted.Redact(3, c, Loader()).ok());
  EXPECT_EQ(c.labels.at("instance"), "[IP_2]:9100");
}

TEST_F(ShieldAlertRedactorTest, ATamperedVaultIsAnError) {
  disk_[5] = {"not a sealed vault"};
  ShieldAlertRedactor r(*shield_);
  Alert a = MakeAlert("10.0.0.7");
  EXPECT_FALSE(r.Redact(5, a, Loader()).ok());
}

}  // namespace
}  // namespace awoooi::ingest
