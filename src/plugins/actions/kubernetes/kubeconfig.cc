#include "plugins/actions/kubernetes/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace awoooi::action::kubernetes {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", std::string(what), " ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One named entry of clusters/users/contexts, with the directory of the file that defined it (for
// relative paths).
struct Entry {
  YAML::Node body;
  std::string dir;
  std::string file;
};

struct Merged {
  std::map<std::string, Entry> clusters, users, contexts;
  std::string current_context;
};

std::string Scalar(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

absl::Status MergeFile(const std::string& file, Merged* merged) {
  auto text = ReadFile(file, "kubeconfig");
  if (!text.ok()) return text.status();
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("kubeconfig ", file, ": not YAML (line ", e.mark.line + 1, ")"));
  }
  if (root.IsNull()) return absl::OkStatus();
  if (!root.IsMap()) return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", file, ": not a mapping"));
  const std::string dir = fs::absolute(fs::path(file)).parent_path().string();
  auto take = [&](const char* list, const char* body_key,
                  std::map<std::string, Entry>* into) -> absl::Status {
    const YAML::Node items = root[list];
    if (!items) return absl::OkStatus();
    if (!items.IsSequence()) {
      return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", file, ": ", list, " must be a list"));
    }
    for (const YAML::Node& item : items) {
      std::string name = item.IsMap() ? Scalar(item, "name") : "";
      if (name.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("kubeconfig ", file, ": an entry of ", list, " has no name"));
      }
      YAML::Node body = item[body_key];
      if (body && !body.IsMap() && !body.IsNull()) {
        return absl::InvalidArgumentError(
            absl::StrCat("kubeconfig ", file, ": ", list, "[", name, "].", body_key, " must be a mapping"));
      }
      into->emplace(name, Entry{body ? body : YAML::Node(YAML::NodeType::Map), dir, file});  // first wins
    }
    return absl::OkStatus();
  };
  try {
    if (auto s = take("clusters", "cluster", &merged->clusters); !s.ok()) return s;
    if (auto s = take("users", "user", &merged->users); !s.ok()) return s;
    if (auto s = take("contexts", "context", &merged->contexts); !s.ok()) return s;
    if (merged->current_context.empty()) merged->current_context = Scalar(root, "current-context");
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("kubeconfig ", file, ": malformed (line ", e.mark.line + 1, ")"));
  }
  return absl::OkStatus();
}

std::string Resolve(const Entry& e, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(e.dir) / path).string();
}

absl::StatusOr<std::string> DecodeData(const Entry& e, const std::string& field, const std::string& where) {
  std::string out;
  std::string text = Scalar(e.body, field.c_str());
  // Base64 in YAML is sometimes folded over several lines.
  text.erase(
      std::remove_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == ' '; }),
      text.end());
  if (!absl::Base64Unescape(text, &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("kubeconfig ", e.file, ": ", where, ".", field, " is not base64"));
  }
  return out;
}

bool IsTrue(const std::string& v) { return v == "true" || v == "True" || v == "yes"; }

}  // namespace

std::string DefaultKubeconfigPaths() {
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  return absl::StrCat(home != nullptr ? home : "", "/.kube/config");
}

absl::StatusOr<ClusterAccess> LoadKubeconfig(const std::string& paths, const std::string& context) {
  Merged merged;
  std::vector<std::string> files;
  for (absl::string_view p : absl::StrSplit(paths, ':', absl::SkipEmpty())) {
    std::string file(p);
    std::error_code ec;
    if (fs::exists(file, ec)) files.push_back(file);
  }
  if (files.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no kubeconfig found at ", paths.empty() ? "(empty path)" : paths));
  }
  for (const std::string& f : files) {
    if (auto s = MergeFile(f, &merged); !s.ok()) return s;
  }
  const std::string name = context.empty() ? merged.current_context : context;
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("kubeconfig ", paths, ": no current-context; choose one with the `context` setting"));
  }
  auto ctx_it = merged.contexts.find(name);
  if (ctx_it == merged.contexts.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("kubeconfig ", paths, ": no context named \"", name, "\""));
  }
  const Entry& ctx = ctx_it->second;
  ClusterAccess access;
  access.source = absl::StrCat("kubeconfig ", paths, ", context ", name);
  try {
    access.default_namespace = Scalar(ctx.body, "namespace");
    const std::string cluster_name = Scalar(ctx.body, "cluster");
    auto cl_it = merged.clusters.find(cluster_name);
    if (cl_it == merged.clusters.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("kubeconfig ", ctx.file, ": context \"", name, "\" names no known cluster"));
    }
    const Entry& cl = cl_it->second;
    const std::string where = absl::StrCat("clusters[", cluster_name, "].cluster");
    access.server = Scalar(cl.body, "server");
    while (!access.server.empty() && access.server.back() == '/') access.server.pop_back();
    if (access.server.rfind("https://", 0) != 0 && access.server.rfind("http://", 0) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("kubeconfig ", cl.file, ": ", where, ".server must be an https:// (or http://) URL"));
    }
    for (const char* unsupported : {"tls-server-name", "proxy-url"}) {
      if (!Scalar(cl.body, unsupported).empty()) {
        return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", cl.file, ": ", where, ".", unsupported,
                                                       " is not supported by the AWOOOI executor"));
      }
    }
    const bool insecure = IsTrue(Scalar(cl.body, "insecure-skip-tls-verify"));
    if (!Scalar(cl.body, "certificate-authority-data").empty()) {
      auto ca = DecodeData(cl, "certificate-authority-data", where);
      if (!ca.ok()) return ca.status();
      access.tls.ca_pem = *std::move(ca);
    } else if (std::string ca = Scalar(cl.body, "certificate-authority"); !ca.empty()) {
      access.tls.ca_file = Resolve(cl, ca);
      std::error_code ec;
      if (!fs::exists(access.tls.ca_file, ec)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "kubeconfig ", cl.file, ": ", where, ".certificate-authority: no file ", access.tls.ca_file));
      }
    }
    if (insecure && (!access.tls.ca_pem.empty() || !access.tls.ca_file.empty())) {
      return absl::InvalidArgumentError(
          absl::StrCat("kubeconfig ", cl.file, ": ", where,
                       ": a certificate authority together with "
                       "insecure-skip-tls-verify is not allowed (as in kubectl)"));
    }
    access.tls.verify_peer = !insecure;

    const std::string user_name = Scalar(ctx.body, "user");
    auto us_it = merged.users.find(user_name);
    if (us_it == merged.users.end()) {
      if (!user_name.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("kubeconfig ", ctx.file, ": context \"", name, "\" names no known user"));
      }
      return access;  // anonymous
    }
    const Entry& us = us_it->second;
    const std::string uwhere = absl::StrCat("users[", user_name, "].user");
    for (const char* unsupported : {"exec", "auth-provider"}) {
      if (us.body[unsupported]) {
        return absl::InvalidArgumentError(absl::StrCat(
            "kubeconfig ", us.file, ": ", uwhere, ".", unsupported,
            " (credential plugins) is not supported: use a token, a token file or a client certificate"));
      }
    }
    access.token = Scalar(us.body, "token");
    if (std::string tf = Scalar(us.body, "tokenFile"); !tf.empty()) access.token_file = Resolve(us, tf);
    access.username = Scalar(us.body, "username");
    access.password = Scalar(us.body, "password");
    if (!Scalar(us.body, "client-certificate-data").empty()) {
      auto c = DecodeData(us, "client-certificate-data", uwhere);
      if (!c.ok()) return c.status();
      access.tls.client_cert_pem = *std::move(c);
    } else if (std::string f = Scalar(us.body, "client-certificate"); !f.empty()) {
      access.tls.client_cert_file = Resolve(us, f);
    }
    if (!Scalar(us.body, "client-key-data").empty()) {
      auto k = DecodeData(us, "client-key-data", uwhere);
      if (!k.ok()) return k.status();
      access.tls.client_key_pem = *std::move(k);
    } else if (std::string f = Scalar(us.body, "client-key"); !f.empty()) {
      access.tls.client_key_file = Resolve(us, f);
    }
    const bool has_cert = !access.tls.client_cert_pem.empty() || !access.tls.client_cert_file.empty();
    const bool has_key = !access.tls.client_key_pem.empty() || !access.tls.client_key_file.empty();
    if (has_cert != has_key) {
      return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", us.file, ": ", uwhere,
                                                     ": a client certificate needs its key (and a key its "
                                                     "certificate)"));
    }
    if (access.server.rfind("http://", 0) == 0) {
      // As kubectl (clientcmd) does: credentials go only over TLS, never in clear text.
      access.token.clear();
      access.token_file.clear();
      access.username.clear();
      access.password.clear();
      access.source += " (plain http: no credentials are sent)";
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("kubeconfig ", paths, ": malformed (line ", e.mark.line + 1, ")"));
  }
  return access;
}

absl::StatusOr<ClusterAccess> LoadInCluster(const std::string& dir,
                                            const std::map<std::string, std::string>& env) {
  auto get = [&](const char* key) -> std::string {
    if (!env.empty()) {
      auto it = env.find(key);
      return it == env.end() ? "" : it->second;
    }
    const char* v = std::getenv(key);
    return v != nullptr ? v : "";
  };
  std::string host = get("KUBERNETES_SERVICE_HOST");
  std::string port = get("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return absl::FailedPreconditionError(
        "in_cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not running in a pod)");
  }
  if (host.find(':') != std::string::npos && host.front() != '[')
    host = absl::StrCat("[", host, "]");  // IPv6
  ClusterAccess access;
  access.server = absl::StrCat("https://", host, ":", port);
  access.token_file = absl::StrCat(dir, "/token");
  access.tls.ca_file = absl::StrCat(dir, "/ca.crt");
  std::error_code ec;
  for (const std::string& f : {access.token_file, access.tls.ca_file}) {
    if (!fs::exists(f, ec)) {
      return absl::FailedPreconditionError(absl::StrCat("in_cluster: no service account file ", f));
    }
  }
  if (auto ns = ReadFile(absl::StrCat(dir, "/namespace"), "namespace"); ns.ok()) {
    access.default_namespace = std::string(absl::StripAsciiWhitespace(*ns));
  }
  access.source = absl::StrCat("in-cluster service account (", dir, ")");
  return access;
}

}  // namespace awoooi::action::kubernetes
