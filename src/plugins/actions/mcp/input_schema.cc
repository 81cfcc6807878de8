#include "plugins/actions/mcp/input_schema.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace awoooi::mcp {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 32;
constexpr int kMaxSteps = 10'000;  // subschema checks per call: anyOf inside anyOf must not explode

std::size_t CodePoints(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsInteger(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

bool HasType(const json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer") return IsInteger(v);
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return true;  // an unknown type name constrains nothing here
}

// A non-negative integer keyword ("minLength": 2), whichever way the JSON stored it.
bool Count(const json& schema, const char* key, uint64_t* out) {
  auto it = schema.find(key);
  if (it == schema.end()) return false;
  if (it->is_number_unsigned()) {
    *out = it->get<uint64_t>();
    return true;
  }
  if (it->is_number_integer() && it->get<int64_t>() >= 0) {
    *out = static_cast<uint64_t>(it->get<int64_t>());
    return true;
  }
  return false;
}

std::string TypeName(const json& v) {
  if (v.is_string()) return "a string";
  if (IsInteger(v)) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_boolean()) return "a boolean";
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  return "null";
}

// JSON numbers compare by value whatever their representation (1 == 1.0).
bool JsonEqual(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!JsonEqual(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !JsonEqual(it.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

std::string ShortJson(const json& j) {
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string Number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return absl::StrCat(static_cast<int64_t>(d));
  return absl::StrCat(d);
}

class Validator {
 public:
  explicit Validator(const json& root) : root_(root) {}

  absl::Status Check(const json& schema, const json& v, const std::string& path, int depth) {
    if (depth > kMaxDepth) return Fail(path, "the tool's inputSchema is nested too deeply to check");
    if (!exhausted_.ok()) return exhausted_;
    if (++steps_ > kMaxSteps) {
      exhausted_ = Fail(path, "the tool's inputSchema is too complex to check");
      return exhausted_;
    }
    if (schema.is_boolean()) {
      return schema.get<bool>() ? absl::OkStatus() : Fail(path, "is not allowed by the tool's schema");
    }
    if (!schema.is_object()) return absl::OkStatus();  // not a schema: constrains nothing

    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
      const json* target = Resolve(ref->get<std::string>());
      if (target == nullptr) return Fail(path, "the tool's inputSchema has a $ref that cannot be resolved");
      if (auto s = Check(*target, v, path, depth + 1); !s.ok()) return s;
    }
    if (auto t = schema.find("type"); t != schema.end()) {
      std::vector<std::string> types;
      if (t->is_string()) types.push_back(t->get<std::string>());
      if (t->is_array()) {
        for (const json& e : *t) {
          if (e.is_string()) types.push_back(e.get<std::string>());
        }
      }
      if (!types.empty() &&
          std::none_of(types.begin(), types.end(), [&](const std::string& n) { return HasType(v, n); })) {
        return Fail(path, absl::StrCat("must be ", absl::StrJoin(types, " or "), ", not ", TypeName(v)));
      }
    }
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
      if (std::none_of(e->begin(), e->end(), [&](const json& x) { return JsonEqual(x, v); })) {
        std::vector<std::string> shown;
        for (const json& x : *e) {
          if (shown.size() == 10) {
            shown.push_back("...");
            break;
          }
          shown.push_back(ShortJson(x));
        }
        return Fail(path, absl::StrCat("must be one of ", absl::StrJoin(shown, ", ")));
      }
    }
    if (auto c = schema.find("const"); c != schema.end() && !JsonEqual(*c, v)) {
      return Fail(path, absl::StrCat("must be ", ShortJson(*c)));
    }
    if (v.is_number()) {
      if (auto s = Numeric(schema, v.get<double>(), path); !s.ok()) return s;
    }
    if (v.is_string()) {
      if (auto s = String(schema, v.get<std::string>(), path); !s.ok()) return s;
    }
    if (v.is_object()) {
      if (auto s = Object(schema, v, path, depth); !s.ok()) return s;
    }
    if (v.is_array()) {
      if (auto s = Array(schema, v, path, depth); !s.ok()) return s;
    }
    if (auto all = schema.find("allOf"); all != schema.end() && all->is_array()) {
      for (const json& sub : *all) {
        if (auto s = Check(sub, v, path, depth + 1); !s.ok()) return s;
      }
    }
    if (auto any = schema.find("anyOf"); any != schema.end() && any->is_array() && !any->empty()) {
      absl::Status first;
      bool matched = false;
      for (const json& sub : *any) {
        absl::Status s = Check(sub, v, path, depth + 1);
        if (!exhausted_.ok()) return exhausted_;
        if (s.ok()) {
          matched = true;
          break;
        }
        if (first.ok()) first = s;
      }
      if (!matched) {
        return any->size() == 1
                   ? first
                   : Fail(path, absl::StrCat("matches none of the ", any->size(), " allowed forms (anyOf)"));
      }
    }
    if (auto one = schema.find("oneOf"); one != schema.end() && one->is_array() && !one->empty()) {
      int matches = 0;
      absl::Status first;
      for (const json& sub : *one) {
        absl::Status s = Check(sub, v, path, depth + 1);
        if (!exhausted_.ok()) return exhausted_;
        if (s.ok()) {
          ++matches;
        } else if (first.ok()) {
          first = s;
        }
      }
      if (matches == 0) {
        return one->size() == 1
                   ? first
                   : Fail(path, absl::StrCat("matches none of the ", one->size(), " allowed forms (oneOf)"));
      }
      if (matches > 1)
        return Fail(path, absl::StrCat("matches ", matches, " forms where exactly one is allowed (oneOf)"));
    }
    if (auto n = schema.find("not"); n != schema.end()) {
      bool excluded = Check(*n, v, path, depth + 1).ok();
      if (!exhausted_.ok()) return exhausted_;
      if (excluded) return Fail(path, "matches a form the tool's schema excludes (not)");
    }
    return absl::OkStatus();
  }

 private:
  static absl::Status Fail(const std::string& path, const std::string& rule) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", rule));
  }

  // A JSON pointer into the root schema ("#/$defs/Name"); other references are not followed.
  const json* Resolve(const std::string& ref) const {
    if (ref == "#") return &root_;
    if (ref.rfind("#/", 0) != 0) return nullptr;
    const json* node = &root_;
    std::size_t pos = 2;
    while (pos <= ref.size()) {
      std::size_t slash = ref.find('/', pos);
      std::string token = ref.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
      std::string key;
      for (std::size_t i = 0; i < token.size(); ++i) {  // ~1 is '/', ~0 is '~'
        if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
          key.push_back(token[i + 1] == '0' ? '~' : '/');
          ++i;
        } else {
          key.push_back(token[i]);
        }
      }
      if (node->is_object()) {
        auto it = node->find(key);
        if (it == node->end()) return nullptr;
        node = &*it;
      } else if (node->is_array()) {
        if (key.empty() || key.size() > 6 || !std::all_of(key.begin(), key.end(), ::isdigit)) return nullptr;
        std::size_t i = std::stoul(key);
        if (i >= node->size()) return nullptr;
        node = &(*node)[i];
      } else {
        return nullptr;
      }
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    return node;
  }

  static absl::Status Numeric(const json& schema, double d, const std::string& path) {
    auto num = [&](const char* key, double* out) {
      auto it = schema.find(key);
      if (it == schema.end() || !it->is_number()) return false;
      *out = it->get<double>();
      return true;
    };
    double bound = 0;
    if (num("minimum", &bound) && d < bound) return Fail(path, "must be at least " + Number(bound));
    if (num("maximum", &bound) && d > bound) return Fail(path, "must be at most " + Number(bound));
    if (num("exclusiveMinimum", &bound) && d <= bound)
      return Fail(path, "must be greater than " + Number(bound));
    if (num("exclusiveMaximum", &bound) && d >= bound)
      return Fail(path, "must be less than " + Number(bound));
    return absl::OkStatus();
  }

  static absl::Status String(const json& schema, const std::string& s, const std::string& path) {
    std::size_t length = CodePoints(s);
    uint64_t n = 0;
    if (Count(schema, "minLength", &n) && length < n) {
      return Fail(path, absl::StrCat("must be at least ", n, " characters long"));
    }
    if (Count(schema, "maxLength", &n) && length > n) {
      return Fail(path, absl::StrCat("must be at most ", n, " characters long"));
    }
    // `pattern` is not checked: see the header.
    return absl::OkStatus();
  }

  absl::Status Object(const json& schema, const json& v, const std::string& path, int depth) {
    const json* properties = nullptr;
    if (auto it = schema.find("properties"); it != schema.end() && it->is_object()) properties = &*it;
    if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
      for (const json& name : *req) {
        if (name.is_string() && !v.contains(name.get<std::string>())) {
          return Fail(path + "." + name.get<std::string>(), "is required");
        }
      }
    }
    auto additional = schema.find("additionalProperties");
    for (auto it = v.begin(); it != v.end(); ++it) {
      std::string child = path + "." + it.key();
      if (properties != nullptr) {
        if (auto p = properties->find(it.key()); p != properties->end()) {
          if (auto s = Check(*p, it.value(), child, depth + 1); !s.ok()) return s;
          continue;
        }
      }
      if (additional == schema.end()) continue;
      if (additional->is_boolean() && !additional->get<bool>()) {
        return Fail(child, "is not a parameter of this tool");
      }
      if (auto s = Check(*additional, it.value(), child, depth + 1); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status Array(const json& schema, const json& v, const std::string& path, int depth) {
    uint64_t n = 0;
    if (Count(schema, "minItems", &n) && v.size() < n) {
      return Fail(path, absl::StrCat("must have at least ", n, " items"));
    }
    if (Count(schema, "maxItems", &n) && v.size() > n) {
      return Fail(path, absl::StrCat("must have at most ", n, " items"));
    }
    auto items = schema.find("items");
    if (items == schema.end()) return absl::OkStatus();
    for (std::size_t i = 0; i < v.size(); ++i) {
      const json* sub = &*items;
      if (items->is_array()) {  // a tuple: position i has its own schema, the rest are free
        if (i >= items->size()) break;
        sub = &(*items)[i];
      }
      if (auto s = Check(*sub, v[i], absl::StrCat(path, "[", i, "]"), depth + 1); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  const json& root_;
  int steps_ = 0;
  absl::Status exhausted_;  // sticky: a branch that ran out must not read as "did not match"
};

}  // namespace

absl::Status ValidateArguments(const json& schema, const json& arguments) {
  if (!arguments.is_object()) return absl::InvalidArgumentError("arguments: must be a JSON object");
  if (schema.is_null()) return absl::OkStatus();
  return Validator(schema).Check(schema, arguments, "arguments", 0);
}

}  // namespace awoooi::mcp
