#include "plugins/stores/sqlite/sqlite_db.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace awoooi::store::sqlite {
namespace {

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::Open(":memory:", true);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_TRUE(db_.Exec("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3);").ok());
  }

  int64_t Count(const std::string& sql, std::optional<int64_t> bound = std::nullopt) {
    auto st = db_.Prepare(sql);
    EXPECT_TRUE(st.ok()) << st.status();
    if (bound) st->Bind(1, *bound);
    int64_t rows = 0;
    while (*st->Step()) ++rows;
    return rows;
  }

  Db db_;
};

TEST_F(SqliteDbTest, AStatementUsedAgainStartsFromTheTopWithoutItsOldParameters) {
  EXPECT_EQ(Count("SELECT n FROM t WHERE ?1 IS NULL OR n >= ?1", 2), 2);
  // The same text, lent again: no row left over from before, and ?1 is NULL again.
  EXPECT_EQ(Count("SELECT n FROM t WHERE ?1 IS NULL OR n >= ?1"), 3);
  {
    // Given back in the middle of its rows.
    auto st = db_.Prepare("SELECT n FROM t WHERE ?1 IS NULL OR n >= ?1");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(*st->Step());
  }
  EXPECT_EQ(Count("SELECT n FROM t WHERE ?1 IS NULL OR n >= ?1", 3), 1);
}

TEST_F(SqliteDbTest, TheSameTextInsideItsOwnLoopIsASecondStatement) {
  auto outer = db_.Prepare("SELECT n FROM t ORDER BY n");
  ASSERT_TRUE(outer.ok());
  int64_t pairs = 0;
  while (*outer->Step()) pairs += Count("SELECT n FROM t ORDER BY n");
  EXPECT_EQ(pairs, 9);
}

TEST_F(SqliteDbTest, ManyDifferentTextsStayCorrectWhileTheCacheStartsOver) {
  auto held = db_.Prepare("SELECT n FROM t ORDER BY n");  // lent across the whole test
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(*held->Step());
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(Count(absl::StrCat("SELECT n FROM t WHERE n IN (", i % 4, ", 3)")),
              i % 4 == 0 ? 1 : (i % 4 == 3 ? 1 : 2))
        << i;
  }
  ASSERT_TRUE(*held->Step());
  EXPECT_EQ(held->Int(0), 2);
}

TEST_F(SqliteDbTest, TransactionControlRunsThroughTheCache) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(db_.Run("BEGIN IMMEDIATE").ok());
    ASSERT_TRUE(db_.Run("INSERT INTO t VALUES (10)").ok());
    ASSERT_TRUE(db_.Run(i == 1 ? "ROLLBACK" : "COMMIT").ok());
  }
  EXPECT_EQ(Count("SELECT n FROM t WHERE n = 10"), 2);
  EXPECT_FALSE(db_.Run("COMMIT").ok());  // no transaction is open: an error, not a crash
  EXPECT_FALSE(db_.Run("SELEC 1").ok());
}

}  // namespace
}  // namespace awoooi::store::sqlite
