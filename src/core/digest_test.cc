#include "awoooi/core/digest.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace awoooi {
namespace {

TEST(HmacSha256, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Key, GivesTheSameBytesAsTheOneShotFunctionForEveryKeyLength) {
  // Empty, short, one block (64 bytes) and longer than a block (hashed first).
  for (const std::string& key : {std::string(), std::string("k"), std::string(32, '\x01'),
                                 std::string(64, 'b'), std::string(131, '\xaa')}) {
    HmacSha256Key keyed(key);
    for (const std::string& data :
         {std::string(), std::string("service=frontend,alertname=HighErrorRate"), std::string(1000, 'x')}) {
      EXPECT_EQ(keyed.Mac(data), HmacSha256(key, data)) << key.size() << " " << data.size();
      EXPECT_EQ(keyed.MacHex(data), HmacSha256Hex(key, data));
    }
  }
  EXPECT_EQ(HmacSha256Key("Jefe").MacHex("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256Key, OneKeyServesSeveralThreadsAtOnce) {
  HmacSha256Key keyed("group-key");
  const std::string want = HmacSha256("group-key", "service=api");
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) wrong[t] += keyed.Mac("service=api") != want;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace awoooi
