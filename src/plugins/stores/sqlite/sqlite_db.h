// Thin RAII wrappers over the SQLite C API, private to the SQLite store plugin.
// Not thread-safe: a Db and its Stmts belong to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace awoooi::store::sqlite {

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  // A statement lent by its connection's cache: destroying it resets it and gives it back.
  Stmt(sqlite3* db, sqlite3_stmt* s, bool* lent) : db_(db), s_(s), lent_(lent) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_), lent_(o.lent_) {
    o.s_ = nullptr;
    o.lent_ = nullptr;
  }
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
  void Release();

  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
  bool* lent_ = nullptr;  // the cache's "in use" flag, when the statement is the cache's
};

class Db {
 public:
  static absl::StatusOr<Db> Open(const std::string& path, bool create);
  Db() = default;
  Db(Db&& o) noexcept : db_(o.db_), cache_(std::move(o.cache_)) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  ~Db();

  absl::Status Exec(std::string_view sql);
  // A compiled statement. The connection keeps the ones it compiled (up to kCachedStatements
  // texts) and lends them again: SQLite's parser and planner run once per text, not once per call.
  // A text already lent out (a statement used inside the loop of the same one) is compiled anew.
  absl::StatusOr<Stmt> Prepare(std::string_view sql);
  // Prepare and Run one statement without parameters ("BEGIN IMMEDIATE", "COMMIT").
  absl::Status Run(std::string_view sql);
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int64_t Changes() const { return sqlite3_changes64(db_); }  // rows the last statement changed
  sqlite3* raw() const { return db_; }

 private:
  static constexpr std::size_t kCachedStatements = 256;
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool lent = false;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using Cache = std::unordered_map<std::string, Cached, Hash, std::equal_to<>>;

  explicit Db(sqlite3* db) : db_(db), cache_(std::make_unique<Cache>()) {}
  void Close();

  sqlite3* db_ = nullptr;
  // Node-based: a lent Stmt points at its entry's flag, which neither rehashing nor moving the Db
  // moves.
  std::unique_ptr<Cache> cache_;
};

absl::Status SqliteError(sqlite3* db, int rc, std::string_view what);

}  // namespace awoooi::store::sqlite
