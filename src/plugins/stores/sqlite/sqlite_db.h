// Thin RAII wrappers over the SQLite C API, private to the SQLite store plugin.
// Not thread-safe: a Db and its Stmts belong to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace awoooi::store::sqlite {

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  ~Stmt();

  Stmt& Bind(int i, std::string_view v);
  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, double v);
  Stmt& BindBlob(int i, std::string_view v);
  Stmt& BindNull(int i);
  Stmt& BindOptional(int i, std::string_view v);  // NULL when empty

  // Next row: true with a row, false when done; an error status otherwise.
  absl::StatusOr<bool> Step();
  absl::Status Run();  // Step to completion, expecting no rows
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  double Double(int col) const { return sqlite3_column_double(s_, col); }
  std::string Text(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
};

class Db {
 public:
  static absl::StatusOr<Db> Open(const std::string& path, bool create);
  Db() = default;
  Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  ~Db();

  absl::Status Exec(std::string_view sql);
  absl::StatusOr<Stmt> Prepare(std::string_view sql);
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int64_t Changes() const { return sqlite3_changes64(db_); }  // rows the last statement changed
  sqlite3* raw() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

absl::Status SqliteError(sqlite3* db, int rc, std::string_view what);

}  // namespace awoooi::store::sqlite
