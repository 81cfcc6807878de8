#include "plugins/actions/kubernetes/label_selector.h"

#include <gtest/gtest.h>

namespace awoooi::action::kubernetes {
namespace {

const std::map<std::string, std::string> kPod = {{"app", "web"}, {"tier", "front"}, {"canary", "no"}};

TEST(LabelSelectorTest, ANullSelectorSelectsNothingAndAnEmptyOneEverything) {
  EXPECT_FALSE(Matches(LabelSelector{}, kPod));
  LabelSelector empty;
  empty.present = true;
  EXPECT_TRUE(Matches(empty, kPod));
  EXPECT_TRUE(Matches(empty, {}));
}

TEST(LabelSelectorTest, MatchLabelsAndEveryOperatorFollowTheApi) {
  LabelSelector s;
  s.present = true;
  s.match_labels = {{"app", "web"}};
  EXPECT_TRUE(Matches(s, kPod));
  s.expressions = {{"tier", "In", {"front", "back"}}};
  EXPECT_TRUE(Matches(s, kPod));
  s.expressions = {{"tier", "NotIn", {"front"}}};
  EXPECT_FALSE(Matches(s, kPod));
  s.expressions = {{"canary", "Exists", {}}};
  EXPECT_TRUE(Matches(s, kPod));
  s.expressions = {{"canary", "DoesNotExist", {}}};
  EXPECT_FALSE(Matches(s, kPod));
  s.expressions = {{"missing", "NotIn", {"x"}}};
  EXPECT_TRUE(Matches(s, kPod));  // NotIn holds for an absent key, as in the API
  s.expressions = {{"missing", "In", {"x"}}};
  EXPECT_FALSE(Matches(s, kPod));
  s.expressions = {{"tier", "Gt", {"1"}}};
  EXPECT_FALSE(Matches(s, kPod));  // unknown operator: fail closed
  s.match_labels = {{"app", "api"}};
  s.expressions.clear();
  EXPECT_FALSE(Matches(s, kPod));
}

TEST(LabelSelectorTest, QueryStringIsTheApiServersSyntax) {
  LabelSelector s;
  s.present = true;
  s.match_labels = {{"app", "web"}, {"app.kubernetes.io/part-of", "shop"}};
  s.expressions = {{"tier", "In", {"front", "back"}},
                   {"env", "NotIn", {"dev"}},
                   {"canary", "DoesNotExist", {}},
                   {"owner", "Exists", {}}};
  EXPECT_EQ(ToQuery(s),
            "app=web,app.kubernetes.io/part-of=shop,tier in (back,front),env notin (dev),!canary,owner");
}

}  // namespace
}  // namespace awoooi::action::kubernetes
