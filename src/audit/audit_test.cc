#include "awoooi/audit/audit.h"

#include <gtest/gtest.h>

#include "awoooi/core/digest.h"

namespace awoooi::audit {
namespace {

std::vector<Entry> Trail(int n) {
  std::vector<Entry> out;
  for (int i = 0; i < n; ++i) {
    Entry e;
    e.at = absl::FromUnixMillis(1'800'000'000'000 + i);
    e.kind = i % 2 ? "signature" : "dry_run";
    e.actor = i % 3 ? "alice" : "system";
    e.subject = "approval/" + std::to_string(i / 4 + 1);
    e.detail = "{\"n\":" + std::to_string(i) + "}";
    Seal(e, out.empty() ? nullptr : &out.back());
    out.push_back(e);
  }
  return out;
}

VerifyResult Verify(const std::vector<Entry>& entries, std::vector<Checkpoint> checkpoints,
                    const CheckpointKey* key) {
  Verifier v(std::move(checkpoints), key);
  for (const auto& e : entries) v.Feed(e);
  return v.Finish();
}

TEST(MerkleTreeTest, MatchesRfc9162ForSmallTrees) {
  auto leaf = [](std::string d) { return Sha256(std::string(1, '\0') + d); };
  auto node = [](std::string l, std::string r) { return Sha256(std::string(1, '\1') + l + r); };
  MerkleTree t;
  EXPECT_EQ(t.RootHex(), Sha256Hex(""));
  t.AddLeaf("a");
  EXPECT_EQ(t.RootHex(), ToHex(leaf("a")));
  t.AddLeaf("b");
  t.AddLeaf("c");
  // MTH(a,b,c) = node(node(a,b), c): the left subtree is the largest power of two.
  EXPECT_EQ(t.RootHex(), ToHex(node(node(leaf("a"), leaf("b")), leaf("c"))));
  auto restored = MerkleTree::FromState(t.State());
  ASSERT_TRUE(restored.ok());
  restored->AddLeaf("d");
  t.AddLeaf("d");
  EXPECT_EQ(restored->RootHex(), t.RootHex());
  EXPECT_EQ(t.RootHex(), ToHex(node(node(leaf("a"), leaf("b")), node(leaf("c"), leaf("d")))));
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = std::move(*CheckpointKey::FromPem(CheckpointKey::GeneratePem()));
    entries_ = Trail(20);
    MerkleTree t;
    for (int i = 0; i < 20; ++i) {
      t.AddLeaf(CanonicalBytes(entries_[i]));
      if ((i + 1) % 8 == 0 || i == 19) {
        checkpoints_.push_back(key_->Sign(t.size(), t.RootHex(), absl::Now()));
        checkpoints_.back().id = static_cast<int64_t>(checkpoints_.size());
      }
    }
  }
  std::unique_ptr<CheckpointKey> key_;
  std::vector<Entry> entries_;
  std::vector<Checkpoint> checkpoints_;
};

TEST_F(AuditTest, AnUntouchedTrailVerifies) {
  auto r = Verify(entries_, checkpoints_, key_.get());
  EXPECT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.entries, 20);
  EXPECT_EQ(r.checkpoints, 3);
}

TEST_F(AuditTest, AnEditedEntryIsNamed) {
  entries_[6].detail = "{\"n\":666}";
  auto r = Verify(entries_, checkpoints_, key_.get());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad, 7);
  EXPECT_NE(r.reason.find("edited"), std::string::npos);
}

TEST_F(AuditTest, ADeletedEntryIsNamed) {
  entries_.erase(entries_.begin() + 9);
  auto r = Verify(entries_, checkpoints_, key_.get());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad, 10);
  EXPECT_NE(r.reason.find("missing"), std::string::npos);
}

TEST_F(AuditTest, ReorderedEntriesAreNamed) {
  std::swap(entries_[3].seq, entries_[4].seq);
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
  auto r = Verify(entries_, checkpoints_, key_.get());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad, 4);
}

TEST_F(AuditTest, ARewrittenChainIsCaughtByTheSignedCheckpoints) {
  // Rewrite entry 5 and recompute every hash after it: the chain alone looks intact.
  entries_[4].detail = "{\"n\":\"forged\"}";
  for (std::size_t i = 4; i < entries_.size(); ++i) Seal(entries_[i], &entries_[i - 1]);
  auto chain_only = Verify(entries_, {}, nullptr);
  EXPECT_TRUE(chain_only.ok);
  auto r = Verify(entries_, checkpoints_, key_.get());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad, 8);  // the first checkpoint covering it
}

TEST_F(AuditTest, TruncatingTheTailIsCaught) {
  entries_.resize(17);
  auto r = Verify(entries_, checkpoints_, key_.get());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad, 18);
  EXPECT_NE(r.reason.find("removed"), std::string::npos);
}

TEST_F(AuditTest, AForgedCheckpointSignatureIsCaught) {
  auto other = std::move(*CheckpointKey::FromPem(CheckpointKey::GeneratePem()));
  checkpoints_[1] = other->Sign(checkpoints_[1].tree_size, checkpoints_[1].root, checkpoints_[1].at);
  auto r = Verify(entries_, checkpoints_, key_.get());
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.reason.find("signature"), std::string::npos);
}

}  // namespace
}  // namespace awoooi::audit
