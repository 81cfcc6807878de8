#include "plugins/actions/kubernetes/kubeconfig.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"
#include "plugins/actions/kubernetes/api_client.h"
#include "plugins/actions/kubernetes/kube_test_server.h"

namespace awoooi::action::kubernetes {
namespace {

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("awoooi-kubeconfig-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "certs");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

constexpr char kTwoContexts[] = R"(apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: staging
  cluster:
    server: https://staging.example:6443
    insecure-skip-tls-verify: true
- name: prod
  cluster:
    server: https://prod.example:6443/
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
contexts:
- name: staging
  context: {cluster: staging, user: ci}
- name: prod
  context: {cluster: prod, user: ops, namespace: production}
users:
- name: ci
  user:
    username: ci
    password: hunter2-secret
- name: ops
  user:
    token: prod-token-abc
)";

TEST_F(KubeconfigTest, LoadsTheCurrentContextWithItsTokenNamespaceAndCaData) {
  auto a = LoadKubeconfig(Write("config", kTwoContexts), "");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->server, "https://prod.example:6443");
  EXPECT_EQ(a->token, "prod-token-abc");
  EXPECT_EQ(a->default_namespace, "production");
  EXPECT_EQ(a->tls.ca_pem, "-----BEGIN CERTIFICATE-----\n");
  EXPECT_TRUE(a->tls.verify_peer);
  EXPECT_NE(a->source.find("context prod"), std::string::npos);
}

TEST_F(KubeconfigTest, ANamedContextWinsOverTheCurrentOne) {
  auto a = LoadKubeconfig(Write("config", kTwoContexts), "staging");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->server, "https://staging.example:6443");
  EXPECT_FALSE(a->tls.verify_peer);
  EXPECT_EQ(a->username, "ci");
  EXPECT_EQ(a->password, "hunter2-secret");
  auto missing = LoadKubeconfig((dir_ / "config").string(), "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("no context named \"nope\""), std::string::npos);
}

TEST_F(KubeconfigTest, RelativeFilesAreRelativeToTheKubeconfig) {
  Write("certs/ca.crt", "CA");
  auto a = LoadKubeconfig(Write("config", R"(
clusters: [{name: c, cluster: {server: "https://k:443", certificate-authority: certs/ca.crt}}]
users: [{name: u, user: {client-certificate: certs/me.crt, client-key: certs/me.key, tokenFile: certs/token}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
)"),
                          "");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->tls.ca_file, (dir_ / "certs/ca.crt").string());
  EXPECT_EQ(a->tls.client_cert_file, (dir_ / "certs/me.crt").string());
  EXPECT_EQ(a->tls.client_key_file, (dir_ / "certs/me.key").string());
  EXPECT_EQ(a->token_file, (dir_ / "certs/token").string());
}

TEST_F(KubeconfigTest, AListOfFilesMergesAsKubectlDoesFirstDefinitionWins) {
  std::string first = Write("a", R"(
current-context: x
users: [{name: u, user: {token: from-first}}]
)");
  std::string second = Write("b", R"(
current-context: ignored
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: from-second}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
)");
  auto a = LoadKubeconfig(first + ":" + (dir_ / "absent").string() + ":" + second, "");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->token, "from-first");
  EXPECT_EQ(a->server, "https://127.0.0.1:1");
}

TEST_F(KubeconfigTest, CredentialsAreNeverSentToAPlainHttpServer) {
  auto a = LoadKubeconfig(Write("config", R"(
clusters: [{name: c, cluster: {server: "http://127.0.0.1:8001"}}]
users: [{name: u, user: {token: clear-text-token, username: admin, password: pw}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
)"),
                          "");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->server, "http://127.0.0.1:8001");
  EXPECT_TRUE(a->token.empty());
  EXPECT_TRUE(a->username.empty());
  EXPECT_TRUE(a->password.empty());
}

TEST_F(KubeconfigTest, MissingFilesAreNotFound) {
  auto a = LoadKubeconfig((dir_ / "none").string(), "");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(KubeconfigTest, UnsupportedOrInconsistentFieldsAreRefusedNotIgnored) {
  auto load = [&](const std::string& cluster, const std::string& user) {
    return LoadKubeconfig(Write("config", "clusters: [{name: c, cluster: {server: \"https://k:443\"" +
                                              cluster + "}}]\nusers: [{name: u, user: {" + user +
                                              "}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
                                              "current-context: x\n"),
                          "");
  };
  struct Case {
    std::string cluster, user, expect;
  } cases[] = {
      {"", "exec: {command: aws}", "credential plugins"},
      {"", "auth-provider: {name: gcp}", "credential plugins"},
      {", tls-server-name: api.internal", "token: t", "tls-server-name is not supported"},
      {", proxy-url: \"http://proxy:3128\"", "token: t", "proxy-url is not supported"},
      {", insecure-skip-tls-verify: true, certificate-authority-data: QQ==", "token: t",
       "insecure-skip-tls-verify"},
      {", certificate-authority: /nonexistent/ca.crt", "token: t", "no file /nonexistent/ca.crt"},
      {"", "client-certificate-data: QQ==", "needs its key"},
      {"", "client-key-data: \"@@not-base64-secretkey@@\", client-certificate-data: QQ==", "is not base64"},
  };
  for (const Case& c : cases) {
    auto a = load(c.cluster, c.user);
    ASSERT_FALSE(a.ok()) << c.user << c.cluster;
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(a.status().message()).find(c.expect), std::string::npos) << a.status();
    EXPECT_EQ(std::string(a.status().message()).find("secretkey"), std::string::npos) << a.status();
  }
  auto bad_server = LoadKubeconfig(Write("config", R"(
clusters: [{name: c, cluster: {server: "k8s.example:443"}}]
contexts: [{name: x, context: {cluster: c}}]
current-context: x
)"),
                                   "");
  ASSERT_FALSE(bad_server.ok());
  EXPECT_NE(std::string(bad_server.status().message()).find("must be an https://"), std::string::npos);
  auto not_yaml = LoadKubeconfig(Write("config", "clusters: [unclosed\n  token: s3cret-value"), "");
  ASSERT_FALSE(not_yaml.ok());
  EXPECT_EQ(std::string(not_yaml.status().message()).find("s3cret"), std::string::npos) << not_yaml.status();
}

TEST_F(KubeconfigTest, InClusterUsesTheServiceAccountFilesAndTheServiceEnvironment) {
  Write("certs/token", "sa-token\n");
  Write("certs/ca.crt", "CA");
  Write("certs/namespace", "awoooi\n");
  const std::string sa = (dir_ / "certs").string();
  auto a = LoadInCluster(sa, {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->server, "https://10.96.0.1:443");
  EXPECT_EQ(a->token_file, sa + "/token");
  EXPECT_EQ(a->tls.ca_file, sa + "/ca.crt");
  EXPECT_EQ(a->default_namespace, "awoooi");
  auto v6 = LoadInCluster(sa, {{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "443"}});
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->server, "https://[fd00::1]:443");
  auto outside = LoadInCluster(sa, {{"UNRELATED", "1"}});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.status().code(), absl::StatusCode::kFailedPrecondition);
  std::filesystem::remove(dir_ / "certs/token");
  auto no_token =
      LoadInCluster(sa, {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}});
  ASSERT_FALSE(no_token.ok());
  EXPECT_NE(std::string(no_token.status().message()).find("token"), std::string::npos);
}

TEST_F(KubeconfigTest, TheTokenFileIsReadForEveryRequestBecauseTheKubeletRotatesIt) {
  testing::KubeTestServer server({"--token", "rotated-token"});
  ASSERT_TRUE(server.ok());
  ClusterAccess access;
  access.server = server.Url();
  access.token_file = Write("token", "expired-token\n");
  ApiClient api(access, 5'000);
  auto deadline = absl::Now() + absl::Seconds(10);
  auto before = api.Call("GET", "/api/v1/nodes", "", "", "nodes", deadline, nullptr);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->code, 401);
  Write("token", "rotated-token\n");
  auto after = api.Call("GET", "/api/v1/nodes", "", "", "nodes", deadline, nullptr);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->code, 200);
}

TEST(ApiClientTest, ARequestIsNotSentAfterItsDeadlineAndErrorsNeverQuoteTheUrl) {
  ClusterAccess access;
  access.server = "http://127.0.0.1:9";  // discard port: nothing listens
  ApiClient api(access, 2'000);
  auto late =
      api.Call("GET", "/api/v1/nodes/secret-node", "", "", "nodes", absl::Now() - absl::Seconds(1), nullptr);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  auto refused =
      api.Call("GET", "/api/v1/nodes/secret-node", "", "", "nodes", absl::Now() + absl::Seconds(5), nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(std::string(refused.status().message()).find("secret-node"), std::string::npos)
      << refused.status();
  EXPECT_EQ(QueryEscape("app=web,tier in (a,b)"), "app%3Dweb%2Ctier%20in%20%28a%2Cb%29");
}

}  // namespace
}  // namespace awoooi::action::kubernetes
