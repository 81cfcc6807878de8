#include "plugins/stores/sqlite/sqlite_db.h"

#include "absl/strings/str_cat.h"

namespace awoooi::store::sqlite {

absl::Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg =
      absl::StrCat("sqlite: ", std::string(what), ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return absl::UnavailableError(msg);
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(msg);
    default:
      return absl::InternalError(msg);
  }
}

void Stmt::Release() {
  if (!s_) return;
  if (lent_) {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    *lent_ = false;
  } else {
    sqlite3_finalize(s_);
  }
  s_ = nullptr;
  lent_ = nullptr;
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    Release();
    db_ = o.db_;
    s_ = o.s_;
    lent_ = o.lent_;
    o.s_ = nullptr;
    o.lent_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { Release(); }

Stmt& Stmt::Bind(int i, std::string_view v) {
  sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}
Stmt& Stmt::BindBlob(int i, std::string_view v) {
  sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}
Stmt& Stmt::Bind(int i, double v) {
  sqlite3_bind_double(s_, i, v);
  return *this;
}

Stmt& Stmt::BindOptional(int i, std::string_view v) { return v.empty() ? BindNull(i) : Bind(i, v); }

absl::StatusOr<bool> Stmt::Step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, "step");
}

absl::Status Stmt::Run() {
  auto r = Step();
  Reset();
  if (!r.ok()) return r.status();
  return absl::OkStatus();
}

void Stmt::Reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

std::string Stmt::Text(int col) const {
  const void* p = sqlite3_column_blob(s_, col);
  int n = sqlite3_column_bytes(s_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

absl::StatusOr<Db> Db::Open(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status s = SqliteError(db, rc, "open " + path);
    sqlite3_close(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  return Db(db);
}

void Db::Close() {
  if (cache_) {
    for (auto& [sql, c] : *cache_) sqlite3_finalize(c.stmt);
    cache_->clear();
  }
  if (db_) sqlite3_close(db_);
  db_ = nullptr;
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    Close();
    db_ = o.db_;
    cache_ = std::move(o.cache_);
    o.db_ = nullptr;
  }
  return *this;
}

Db::~Db() { Close(); }

absl::Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return SqliteError(nullptr, rc, msg);
  }
  return absl::OkStatus();
}

absl::StatusOr<Stmt> Db::Prepare(std::string_view sql) {
  Cached* entry = nullptr;
  if (cache_) {
    if (auto it = cache_->find(sql); it != cache_->end()) {
      if (!it->second.lent) {
        it->second.lent = true;
        return Stmt(db_, it->second.stmt, &it->second.lent);
      }
    } else {
      if (cache_->size() >= kCachedStatements) {
        // Texts that vary (an id list spelled out) must not pin memory: start over with the
        // statements that are out on loan.
        std::erase_if(*cache_, [](const auto& e) {
          if (e.second.lent) return false;
          sqlite3_finalize(e.second.stmt);
          return true;
        });
      }
      if (cache_->size() < kCachedStatements) entry = &(*cache_)[std::string(sql)];
    }
  }
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s,
                              nullptr);
  if (rc != SQLITE_OK || s == nullptr) {
    if (entry) cache_->erase(std::string(sql));
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
    return Stmt(db_, s);  // an empty text: nothing to run
  }
  if (!entry) return Stmt(db_, s);
  entry->stmt = s;
  entry->lent = true;
  return Stmt(db_, s, &entry->lent);
}

absl::Status Db::Run(std::string_view sql) {
  auto st = Prepare(sql);
  if (!st.ok()) return st.status();
  return st->Run();
}

}  // namespace awoooi::store::sqlite
