// Where the Kubernetes executor finds its API server and credentials: a kubeconfig file (the context
// chosen, or its current-context) or the in-cluster service account of the pod AWOOOI runs in.
//
// Supported from a kubeconfig: `server` (a path prefix is kept), `certificate-authority` /
// `certificate-authority-data`, `insecure-skip-tls-verify`; `token`, `tokenFile`,
// `client-certificate(-data)` + `client-key(-data)`, `username` + `password`; the context's
// `namespace`. Relative file paths are relative to the kubeconfig that names them. $KUBECONFIG may
// list several files (':'-separated): they merge as kubectl merges them (the first file that defines
// a name wins, the first current-context wins). As in kubectl, credentials are sent only to an
// https:// server: for http:// they are dropped. Credential plugins (`exec`, `auth-provider`),
// `tls-server-name` and `proxy-url` are refused with a clear error rather than ignored.
//
// In cluster: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the CA in ca.crt and the
// token in `token` of /var/run/secrets/kubernetes.io/serviceaccount; the token file is re-read for
// every request, because the kubelet rotates it.
//
// Errors never contain a token, a key or certificate data: only paths, names and what is missing.
//
// Thread-safety: pure functions over files; ClusterAccess is a plain value.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "awoooi/net/http_client.h"

namespace awoooi::action::kubernetes {

inline constexpr char kServiceAccountDir[] = "/var/run/secrets/kubernetes.io/serviceaccount";

struct ClusterAccess {
  std::string server;      // "https://10.0.0.1:6443" (no trailing '/'; may carry a path prefix)
  std::string token;       // a bearer token (a secret: never logged)
  std::string token_file;  // read before each request when set (takes precedence over `token`)
  std::string username;    // HTTP basic authentication, when the kubeconfig uses it
  std::string password;    // a secret
  net::TlsOptions tls;
  std::string default_namespace;  // the context's namespace ("" when it names none)
  std::string source;             // for people: "kubeconfig /root/.kube/config, context prod"
};

// $KUBECONFIG when set, else $HOME/.kube/config.
std::string DefaultKubeconfigPaths();

// Loads `paths` (one path or a ':'-separated list). `context` empty = the current-context.
// NotFound when no listed file exists; InvalidArgument naming the file and field for anything
// malformed or unsupported.
absl::StatusOr<ClusterAccess> LoadKubeconfig(const std::string& paths, const std::string& context);

// The service account of the pod this process runs in. `env` supplies KUBERNETES_SERVICE_HOST and
// KUBERNETES_SERVICE_PORT (the process environment when empty); `dir` holds token, ca.crt and
// namespace. FailedPrecondition when not running in a cluster.
absl::StatusOr<ClusterAccess> LoadInCluster(const std::string& dir = kServiceAccountDir,
                                            const std::map<std::string, std::string>& env = {});

}  // namespace awoooi::action::kubernetes
