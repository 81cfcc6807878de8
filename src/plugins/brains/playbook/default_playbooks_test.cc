#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "plugins/brains/playbook/playbook.h"

namespace awoooi::brain::playbook {
namespace {

// The binary carries the default set; playbooks/*.yaml is what people read and edit. They must agree.
TEST(DefaultPlaybooksTest, EmbeddedSetEqualsPlaybooksDirectory) {
  std::map<std::string, std::string> on_disk;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(AWOOOI_SOURCE_DIR) + "/playbooks")) {
    if (entry.path().extension() != ".yaml") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    on_disk[entry.path().filename().string()] = text.str();
  }
  std::map<std::string, std::string> embedded;
  for (const auto& [name, text] : DefaultPlaybookFiles()) embedded[std::string(name)] = std::string(text);
  EXPECT_EQ(embedded, on_disk) << "run: python3 src/plugins/brains/playbook/embed_playbooks.py";
}

TEST(DefaultPlaybooksTest, EveryDefaultPlaybookParsesAndOneIsTheCatchAll) {
  auto set = LoadDefaultPlaybooks();
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->size(), 8u);
  int catch_all = 0;
  for (const auto& pb : *set) catch_all += pb.match.empty() ? 1 : 0;
  EXPECT_EQ(catch_all, 1);
}

}  // namespace
}  // namespace awoooi::brain::playbook
