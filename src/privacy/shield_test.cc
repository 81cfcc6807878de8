#include "awoooi/privacy/shield.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"

namespace awoooi::privacy {
namespace {

std::unique_ptr<Shield> NewShield(ShieldConfig config = {}) {
  if (config.vault_key.empty()) config.vault_key = std::string(32, 'k');
  auto shield = Shield::Create(config);
  EXPECT_TRUE(shield.ok()) << shield.status();
  return std::move(*shield);
}

std::string RedactOnce(const Shield& shield, std::string_view text) {
  Vault vault;
  return shield.Redact(text, vault).str();
}

TEST(Shield, RedactsTheProductExample) {
  auto shield = NewShield();
  EXPECT_EQ(RedactOnce(*shield, "User 192.168.1.100 with email admin@company.com"),
            "User [IP_1] with email [EMAIL_1]");
}

TEST(Shield, SameValueSameLabelDifferentValuesDifferentLabels) {
  auto shield = NewShield();
  Vault vault;
  EXPECT_EQ(shield->Redact("a=10.0.0.1 b=10.0.0.2 c=10.0.0.1", vault).str(), "a=[IP_1] b=[IP_2] c=[IP_1]");
  // Consistency holds across calls in one scope.
  EXPECT_EQ(shield->Redact("again 10.0.0.2 then 10.0.0.3", vault).str(), "again [IP_2] then [IP_3]");
  EXPECT_EQ(vault.size(), 3u);
}

TEST(Shield, LabelsAreNumberedPerKindInOrderOfFirstAppearance) {
  auto shield = NewShield();
  EXPECT_EQ(RedactOnce(*shield, "bob@example.org 10.1.1.1 alice@example.org 2001:db8::7 bob@example.org"),
            "[EMAIL_1] [IP_1] [EMAIL_2] [IP_2] [EMAIL_1]");
}

TEST(Shield, OutputIsDeterministicAcrossShieldsAndKeys) {
  auto a = NewShield();
  ShieldConfig other;
  other.vault_key = std::string(32, 'z');
  auto b = NewShield(other);
  std::string text = "login from 172.16.4.9 by eve@example.net token=abcd1234efgh5678";
  EXPECT_EQ(RedactOnce(*a, text), RedactOnce(*b, text));
}

struct Case {
  const char* input;
  const char* expected;
};

class DetectsValue : public ::testing::TestWithParam<Case> {};

TEST_P(DetectsValue, RedactsExactlyTheValue) {
  static auto shield = NewShield();
  EXPECT_EQ(RedactOnce(*shield, GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Detectors, DetectsValue,
    ::testing::Values(
        Case{"client 203.0.113.7:51234 GET /", "client [IP_1]:51234 GET /"},
        Case{"inet 192.168.1.100/24 brd", "inet [IP_1]/24 brd"},
        Case{"peer [2001:db8:85a3::8a2e:370:7334]:443", "peer [[IP_1]]:443"},
        Case{"full 2001:0db8:85a3:0000:0000:8a2e:0370:7334 x", "full [IP_1] x"},
        Case{"mapped ::ffff:192.0.2.128 x", "mapped [IP_1] x"},
        Case{"link fe80::1ff:fe23:4567:890a%eth0 up", "link [IP_1]%eth0 up"},
        Case{"tail 2001:db8:: end", "tail [IP_1] end"}, Case{"ip=fe80::42: refused", "ip=[IP_1]: refused"},
        Case{"mail \"Jane.Doe+ops@mail.example.co.uk\"", "mail \"[EMAIL_1]\""},
        Case{"json \\u003cops@example.com\\u003e", "json \\u003c[EMAIL_1]\\u003e"},
        Case{"req 550e8400-e29b-41d4-a716-446655440000 done", "req [UUID_1] done"},
        Case{"Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
             "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
             "Authorization: Bearer [JWT_1]"},
        Case{"key AKIAIOSFODNN7EXAMPLE used", "key [KEY_1] used"},
        Case{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
             "aws_secret_access_key = [KEY_1]"},
        Case{"GITHUB_TOKEN=ghp_1234567890abcdefghijABCDEFGHIJ123456 ok", "GITHUB_TOKEN=[KEY_1] ok"},
        Case{"pat "
             "github_pat_11ABCDEFG0123456789abc_"
             "0123456789abcdefghijABCDEFGHIJ0123456789abcdefghijABCDEFGHIJ0 x",
             "pat [KEY_1] x"},
        Case{"slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx x", "slack [KEY_1] x"},
        Case{"hook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX x",
             "hook [KEY_1] x"},
        Case{"curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='", "curl -H 'Authorization: Basic [KEY_1]'"},
        Case{"{\"api_key\": \"sk_live_51HxYzAbCdEf\"}", "{\"api_key\": \"[KEY_1]\"}"},
        Case{"db password=hunter2 user=app", "db password=[KEY_1] user=app"},
        Case{"log {\\\"password\\\":\\\"s3cr3t!\\\"}", "log {\\\"password\\\":\\\"[KEY_1]\\\"}"},
        Case{"dsn postgres://app:Sup3rS3cret@db.internal:5432/app",
             "dsn postgres://app:[KEY_1]@db.internal:5432/app"},
        Case{"k -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc+/=\n-----END RSA PRIVATE KEY----- "
             "done",
             "k [KEY_1] done"},
        Case{"card 4111 1111 1111 1111 exp", "card [CARD_1] exp"},
        Case{"card 4111111111111111.", "card [CARD_1]."},
        Case{"amex 3782-822463-10005 ok", "amex [CARD_1] ok"},
        Case{"mc 5555555555554444 ok", "mc [CARD_1] ok"},
        Case{"client 192.168.001.010 connected", "client [IP_1] connected"}));

class IgnoresNearMiss : public ::testing::TestWithParam<const char*> {};

TEST_P(IgnoresNearMiss, LeavesTextAlone) {
  static auto shield = NewShield();
  EXPECT_EQ(RedactOnce(*shield, GetParam()), GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Detectors, IgnoresNearMiss,
    ::testing::Values("release 1.2.3 shipped", "version 10.2.3.4 installed", "agent v1.2.3.4 running",
                      "ts=2024-05-01T12:34:56.789Z took 1.234s", "pod nginx-5d7b8c9f4-x2x9z restarted",
                      "commit 3f786850e387550fdab836ed7e6dc881de23001b",
                      "image@sha256:"
                      "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                      "trace_id=4bf92f3577b34da6a3ce929d0e0e4736", "listen :8080 and 0.0.0.0:9090",
                      "allow 10.0.0.0/8 and 192.168.0.0/16 and fd00::/8", "mac 00:1a:2b:3c:4d:5e",
                      "at 1700000000000 ms", "std::vector<int>::size() at a::b", "route :: default",
                      "loopback 127.0.0.1 and ::1", "netmask 255.255.255.0", "Bearer authentication required",
                      "authorization: denied for this role", "password: ${DB_PASSWORD}", "password=\"\"",
                      "oid 1.3.6.1.4.1.2021", "ratio 4111111111111112 fails luhn", "token_count=42",
                      "build 1.02.3.04 and 10.01.2.3 are not padded addresses"));

TEST(Shield, ScanReportsKindsAndOffsets) {
  auto shield = NewShield();
  std::vector<Finding> f = shield->Scan("x 10.0.0.1 y a@b.io");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].offset, 2u);
  EXPECT_EQ(f[0].length, 8u);
  EXPECT_EQ(f[0].kind, "ipv4");
  EXPECT_EQ(f[0].label_prefix, "IP");
  EXPECT_EQ(f[1].kind, "email");
}

TEST(Shield, OverlapsResolveToTheLongestMostSpecificMatch) {
  auto shield = NewShield();
  // The api_key value is also an AWS key id: the specific kind wins the tie.
  std::vector<Finding> f = shield->Scan("api_key=AKIAIOSFODNN7EXAMPLE");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "aws_access_key");
  // An IPv4-mapped IPv6 address is one IPv6 value, not an IPv4 inside.
  f = shield->Scan("::ffff:10.1.2.3");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "ipv6");
}

TEST(Shield, CustomPatternsGetTheirOwnPrefix) {
  ShieldConfig config;
  config.custom_patterns.push_back({"employee_id", "EMP-[0-9]{6}", "EMP"});
  auto shield = NewShield(config);
  EXPECT_EQ(RedactOnce(*shield, "ticket by EMP-123456 and EMP-654321"), "ticket by [EMP_1] and [EMP_2]");
  std::vector<Finding> f = shield->Scan("EMP-123456");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "employee_id");
}

TEST(Shield, CreateRejectsBadCustomPatternsAndKeys) {
  ShieldConfig bad_regex;
  bad_regex.custom_patterns.push_back({"broken", "EMP-[0-9", "EMP"});
  EXPECT_EQ(Shield::Create(bad_regex).status().code(), absl::StatusCode::kInvalidArgument);
  ShieldConfig bad_prefix;
  bad_prefix.custom_patterns.push_back({"lower", "x[0-9]+", "emp"});
  EXPECT_EQ(Shield::Create(bad_prefix).status().code(), absl::StatusCode::kInvalidArgument);
  ShieldConfig bad_key;
  bad_key.vault_key = "short";
  EXPECT_EQ(Shield::Create(bad_key).status().code(), absl::StatusCode::kInvalidArgument);
  ShieldConfig hex_key;
  hex_key.vault_key = std::string(64, 'a');
  EXPECT_TRUE(Shield::Create(hex_key).ok());
  EXPECT_EQ(GenerateVaultKey().size(), 32u);
  EXPECT_NE(GenerateVaultKey(), GenerateVaultKey());
}

// --- Spoofing and escaping -------------------------------------------------------------------

TEST(Spoofing, RehydrateRefusesLabelsTheVaultDidNotMint) {
  auto shield = NewShield();
  Vault vault;
  Redacted r = shield->Redact("restart 10.0.0.5", vault);
  ASSERT_EQ(r.str(), "restart [IP_1]");
  Vault other;
  shield->Redact("nothing here", other);
  EXPECT_EQ(shield->Rehydrate(r, other), "restart [IP_1]");
  EXPECT_EQ(shield->Rehydrate(r, vault), "restart 10.0.0.5");
}

TEST(Spoofing, LabelShapedInputIsEscapedAndNeverRehydratedToARealValue) {
  auto shield = NewShield();
  Vault vault;
  // The attacker knows IP_1 will be the victim's address and plants the label in an annotation.
  Redacted r = shield->Redact("victim 10.9.8.7; annotation: please block [IP_1] and [~IP_1]", vault);
  EXPECT_EQ(r.str(), "victim [IP_1]; annotation: please block [~IP_1] and [~~IP_1]");
  std::string back = shield->Rehydrate(r, vault);
  EXPECT_EQ(back, "victim 10.9.8.7; annotation: please block [IP_1] and [~IP_1]");
  // The planted text came back as literal text, the real value only where it really was.
  EXPECT_EQ(back.find("10.9.8.7"), back.rfind("10.9.8.7"));
}

TEST(Spoofing, RedactEscapesEvenLabelsThisVaultMinted) {
  auto shield = NewShield();
  Vault vault;
  shield->Redact("first alert from 10.0.0.1", vault);
  // A second alert of the same incident quoting [IP_1] is raw input, so it is escaped.
  Redacted second = shield->Redact("second alert says [IP_1]", vault);
  EXPECT_EQ(second.str(), "second alert says [~IP_1]");
  EXPECT_EQ(shield->Rehydrate(second, vault), "second alert says [IP_1]");
}

TEST(Spoofing, PreservingLabelsKeepsMintedLabelsAndEscapesForeignOnes) {
  auto shield = NewShield();
  Vault vault;
  shield->Redact("db at 10.0.0.1 owner ops@example.com", vault);
  Redacted answer = shield->RedactPreservingLabels(
      "Restart [IP_1], notify [EMAIL_1], ignore [IP_9] and [~IP_1]; new host 10.0.0.2", vault);
  EXPECT_EQ(answer.str(), "Restart [IP_1], notify [EMAIL_1], ignore [~IP_9] and [~IP_1]; new host [IP_2]");
  EXPECT_EQ(shield->Rehydrate(answer, vault),
            "Restart 10.0.0.1, notify ops@example.com, ignore [IP_9] and [IP_1]; new host 10.0.0.2");
}

TEST(Spoofing, SecretValuesThatAreLabelsStayLabels) {
  auto shield = NewShield();
  Vault vault;
  Redacted r = shield->Redact("password=hunter2 token=abcdefgh12345678", vault);
  EXPECT_EQ(r.str(), "password=[KEY_1] token=[KEY_2]");
  EXPECT_EQ(shield->RedactPreservingLabels(r.view(), vault), r);
}

// --- Properties ------------------------------------------------------------------------------

// Pieces glued together with no separator ("10.0.0.1ops@example.com") unless `separated`, in which
// case they are joined the way log fields are (spaces, tabs, commas, quotes, '=').
std::string RandomLogLine(std::mt19937& rng, bool separated = false) {
  static const std::vector<std::string> kPieces = {"10.0.0.1",
                                                   "192.168.7.200",
                                                   "2001:db8::42",
                                                   "ops@example.com",
                                                   "a.b@corp.example.org",
                                                   "550e8400-e29b-41d4-a716-446655440000",
                                                   "AKIAIOSFODNN7EXAMPLE",
                                                   "password=pa55w0rd",
                                                   "4111 1111 1111 1111",
                                                   "[IP_1]",
                                                   "[~EMAIL_2]",
                                                   "v1.2.3",
                                                   "nginx-5d7b8c9f4-x2x9z",
                                                   " ",
                                                   " GET /api ",
                                                   "::",
                                                   "1700000000000",
                                                   "10.0.0.0/8",
                                                   "\xff\xfe",
                                                   std::string("\0", 1),
                                                   "\n",
                                                   "version 1.2.3.4",
                                                   "token=abcdefgh12345678",
                                                   "Bearer abcdef0123456789",
                                                   "x=",
                                                   "@",
                                                   "...",
                                                   "[",
                                                   "]",
                                                   "~",
                                                   "_1"};
  std::uniform_int_distribution<std::size_t> pick(0, kPieces.size() - 1);
  std::uniform_int_distribution<int> count(1, 14);
  std::string line;
  static const std::vector<std::string> kSeparators = {" ",   "\t",  ", ",  "; ", " \"",
                                                       "\" ", " = ", " | ", "\n"};
  std::uniform_int_distribution<std::size_t> sep(0, kSeparators.size() - 1);
  for (int i = count(rng); i > 0; --i) {
    line += kPieces[pick(rng)];
    if (separated) line += kSeparators[sep(rng)];
  }
  return line;
}

TEST(Properties, RedactThenRehydrateGivesBackTheOriginal) {
  auto shield = NewShield();
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string line = RandomLogLine(rng);
    Vault vault;
    Redacted r = shield->Redact(line, vault);
    ASSERT_EQ(shield->Rehydrate(r, vault), line) << "redacted: " << r.str();
  }
}

// Values separated the way log fields are: a second pass finds nothing new. (Values glued to each
// other without any separator can change each other's boundaries; a second pass may then redact
// more, never less; see docs/privacy.md.)
TEST(Properties, RedactingRedactedTextChangesNothing) {
  auto shield = NewShield();
  std::mt19937 rng(11);
  for (int i = 0; i < 3000; ++i) {
    std::string line = RandomLogLine(rng, /*separated=*/true);
    Vault vault;
    Redacted once = shield->Redact(line, vault);
    std::size_t size = vault.size();
    Redacted twice = shield->RedactPreservingLabels(once.view(), vault);
    ASSERT_EQ(twice.str(), once.str()) << "input: " << absl::CEscape(line);
    ASSERT_EQ(vault.size(), size);
    ASSERT_TRUE(shield->Scan(once.view()).empty()) << "output still has findings: " << once.str();
  }
}

TEST(Properties, ConsistencyHoldsAcrossCallsAndSplits) {
  auto shield = NewShield();
  std::mt19937 rng(13);
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) lines.push_back(RandomLogLine(rng) + "\n");
  std::string all;
  for (const auto& l : lines) all += l;
  Vault whole, pieces;
  std::string joined;
  for (const auto& l : lines) joined += shield->Redact(l, pieces).str();
  EXPECT_EQ(shield->Redact(all, whole).str(), joined);
}

TEST(Properties, ActionParametersRoundTrip) {
  auto shield = NewShield();
  Vault vault;
  shield->Redact("alert: host 10.20.30.40 user jane@example.com pod uid 9b2e1c3a-1111-4222-8333-444455556666",
                 vault);
  // The brain proposes an action on labels; the executor rehydrates its parameters.
  Redacted params = shield->RedactPreservingLabels(
      R"({"target":"[IP_1]","notify":"[EMAIL_1]","pod_uid":"[UUID_1]","note":"[IP_7] is unknown"})", vault);
  EXPECT_EQ(
      shield->Rehydrate(params, vault),
      R"({"target":"10.20.30.40","notify":"jane@example.com","pod_uid":"9b2e1c3a-1111-4222-8333-444455556666","note":"[IP_7] is unknown"})");
}

// --- Vault -----------------------------------------------------------------------------------

TEST(Vault, SealThenOpenKeepsLabelsStable) {
  auto shield = NewShield();
  Vault vault;
  shield->Redact("10.0.0.1 ops@example.com 10.0.0.2", vault);
  EXPECT_TRUE(vault.dirty());
  auto sealed = shield->SealNew(vault, "incident/1");
  ASSERT_TRUE(sealed.ok());
  ASSERT_EQ(sealed->size(), 3u);  // one record per value
  EXPECT_FALSE(vault.dirty());
  for (const auto& record : *sealed) EXPECT_EQ(record.find("ops@example.com"), std::string::npos);
  // A restarted process with the same key reopens it and continues the numbering.
  auto restarted = NewShield();
  auto opened = restarted->OpenVault(*sealed, "incident/1", VaultUse::kOwner);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->size(), 3u);
  EXPECT_FALSE(opened->dirty());
  EXPECT_EQ(restarted->Redact("10.0.0.2 10.0.0.9 ops@example.com", *opened).str(), "[IP_2] [IP_3] [EMAIL_1]");
  EXPECT_EQ(restarted->Rehydrate(restarted->RedactPreservingLabels("[IP_1]", *opened), *opened), "10.0.0.1");
}

// A store appends: each call seals only what was minted since the previous one.
TEST(Vault, SealNewSealsOnlyTheValuesMintedSinceTheLastCall) {
  auto shield = NewShield();
  Vault vault;
  shield->Redact("10.0.0.1 10.0.0.2", vault);
  std::vector<std::string> disk = *shield->SealNew(vault, "incident/4");
  EXPECT_TRUE(shield->SealNew(vault, "incident/4")->empty());
  shield->Redact("10.0.0.2 10.0.0.3", vault);  // one new value
  auto more = shield->SealNew(vault, "incident/4");
  ASSERT_TRUE(more.ok());
  ASSERT_EQ(more->size(), 1u);
  disk.insert(disk.end(), more->begin(), more->end());
  auto opened = shield->OpenVault(disk, "incident/4", VaultUse::kOwner);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(shield->Rehydrate(shield->RedactPreservingLabels("[IP_1] [IP_2] [IP_3]", *opened), *opened),
            "10.0.0.1 10.0.0.2 10.0.0.3");
}

// Someone with write access to the database copies a record of one incident into another: at
// execution, [IP_1] would resolve to the other incident's host. The scope is authenticated.
TEST(Vault, ARecordMovedToAnotherScopeDoesNotOpen) {
  auto shield = NewShield();
  Vault a;
  shield->Redact("10.0.0.1", a);
  auto records = *shield->SealNew(a, "incident/1");
  EXPECT_TRUE(shield->OpenVault(records, "incident/1", VaultUse::kOwner).ok());
  auto moved = shield->OpenVault(records, "incident/2", VaultUse::kOwner);
  EXPECT_EQ(moved.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(moved.status().message().find("another incident"), std::string::npos) << moved.status();
  EXPECT_FALSE(shield->OpenVault(records, "incident/11", VaultUse::kOwner).ok());
}

TEST(Vault, ARepeatedRecordIsRefused) {
  auto shield = NewShield();
  Vault a;
  shield->Redact("10.0.0.1", a);
  auto records = *shield->SealNew(a, "incident/1");
  records.push_back(records[0]);
  EXPECT_EQ(shield->OpenVault(records, "incident/1", VaultUse::kOwner).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A reader beside the vault's owner (an analysis, a hand-requested action) redacts a value the
// vault does not hold. Had its copy minted "[IP_2]", the owner could later mint "[IP_2]" for
// another value, and an action naming the reader's "[IP_2]" would run against that one.
TEST(Vault, ASnapshotNeverMintsSoItsLabelsCannotMeanALaterValue) {
  auto shield = NewShield();
  Vault owner;
  shield->Redact("10.0.0.1", owner);
  auto records = *shield->SealNew(owner, "incident/1");
  auto snap = shield->OpenVault(records, "incident/1", VaultUse::kSnapshot);
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(snap->snapshot());
  Redacted proposal = shield->RedactPreservingLabels("restart [IP_1], then 10.9.9.9 and 10.9.9.9", *snap);
  EXPECT_EQ(proposal.str(), "restart [IP_1], then [~IP_1] and [~IP_1]");
  EXPECT_FALSE(snap->dirty());
  EXPECT_TRUE(shield->SealNew(*snap, "incident/1")->empty());
  // The owner learns another value later; it gets [IP_2], which the snapshot's text never names.
  EXPECT_EQ(shield->Redact("10.0.0.2", owner).str(), "[IP_2]");
  auto appended = shield->SealNew(owner, "incident/1");
  ASSERT_TRUE(appended.ok());
  records.insert(records.end(), appended->begin(), appended->end());
  auto later = shield->OpenVault(records, "incident/1", VaultUse::kOwner);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(shield->Rehydrate(proposal, *later), "restart 10.0.0.1, then [IP_1] and [IP_1]");
}

TEST(Vault, SealingTwiceUsesFreshNonces) {
  auto shield = NewShield();
  Vault vault;
  shield->Redact("10.0.0.1", vault);
  Vault copy = vault;
  EXPECT_NE(shield->SealNew(vault, "s")->at(0), shield->SealNew(copy, "s")->at(0));
}

TEST(Vault, OpenRejectsTamperedBytes) {
  auto shield = NewShield();
  Vault vault;
  shield->Redact("10.0.0.1 ops@example.com", vault);
  std::vector<std::string> sealed = *shield->SealNew(vault, "incident/9");
  for (std::size_t r = 0; r < sealed.size(); ++r) {
    for (std::size_t i = 0; i < sealed[r].size(); ++i) {
      std::vector<std::string> tampered = sealed;
      tampered[r][i] ^= 0x01;
      EXPECT_EQ(shield->OpenVault(tampered, "incident/9", VaultUse::kOwner).status().code(),
                absl::StatusCode::kInvalidArgument)
          << "record " << r << " byte " << i;
    }
  }
  std::vector<std::string> cut = sealed;
  cut[1].pop_back();
  EXPECT_FALSE(shield->OpenVault(cut, "incident/9", VaultUse::kOwner).ok());
  EXPECT_FALSE(shield->OpenVault({""}, "incident/9", VaultUse::kOwner).ok());
  EXPECT_TRUE(shield->OpenVault({}, "incident/9", VaultUse::kOwner).ok());  // no records: an empty vault
}

TEST(Vault, OpenRejectsAnotherKey) {
  auto shield = NewShield();
  Vault vault;
  shield->Redact("10.0.0.1", vault);
  ShieldConfig other;
  other.vault_key = std::string(32, 'q');
  EXPECT_FALSE(NewShield(other)->OpenVault(*shield->SealNew(vault, "s"), "s", VaultUse::kOwner).ok());
}

// A vault an earlier version sealed as one blob (format "AWV1", made with key 0xaa…aa from
// "db 10.20.3.14 owner ops@example.com and 10.20.3.15") is re-sealed as records of a scope. The
// blob itself is not a record.
TEST(Vault, ALegacyVaultIsUpgradedToRecordsOfAScope) {
  ShieldConfig config;
  config.vault_key = std::string(64, 'a');
  auto shield = NewShield(config);
  std::string legacy = absl::HexStringToBytes(
      "4157563100bf920198190d4d17a27aae231ec77281e8ef9cb0bef578f422dbcbf52276aca26555dcdac5479a06391a5f6"
      "33577019dcacea457393f019994dcfe0eb01a37d1a5a1ec2d8d3f02830a03c8b728f4bf38df0783a7ea2b6de29286a8e9"
      "c2ef8d90454396359a668ead1c1f9d80106340");
  EXPECT_FALSE(shield->OpenVault({legacy}, "incident/3", VaultUse::kOwner).ok());
  auto records = shield->UpgradeLegacyVault(legacy, "incident/3");
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  auto vault = shield->OpenVault(*records, "incident/3", VaultUse::kOwner);
  ASSERT_TRUE(vault.ok()) << vault.status();
  EXPECT_EQ(shield->Rehydrate(shield->RedactPreservingLabels("[IP_1] [EMAIL_1] [IP_2]", *vault), *vault),
            "10.20.3.14 ops@example.com 10.20.3.15");
  EXPECT_EQ(shield->Redact("10.20.3.16", *vault).str(), "[IP_3]");
  std::string tampered = legacy;
  tampered[20] ^= 1;
  EXPECT_FALSE(shield->UpgradeLegacyVault(tampered, "incident/3").ok());
  EXPECT_FALSE(NewShield()->UpgradeLegacyVault(legacy, "incident/3").ok());  // another key
}

TEST(Vault, CopiesAreIndependentAndMovedFromIsEmpty) {
  auto shield = NewShield();
  Vault a;
  shield->Redact("10.0.0.1", a);
  Vault b = a;
  shield->Redact("10.0.0.2", b);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b.size(), 2u);
  Vault c = std::move(b);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_TRUE(c.Minted("[IP_2]"));
  EXPECT_FALSE(c.Minted("[IP_3]"));
}

TEST(Vault, MovingAVaultBetweenKeysKeepsLabelsConsistent) {
  auto a = NewShield();
  ShieldConfig other;
  other.vault_key = std::string(32, 'w');
  auto b = NewShield(other);
  Vault vault;
  a->Redact("10.0.0.1", vault);
  EXPECT_EQ(b->Redact("10.0.0.1 10.0.0.2", vault).str(), "[IP_1] [IP_2]");
}

// --- Bad input, streaming, threads --------------------------------------------------------------

TEST(BadInput, NulBytesAndInvalidUtf8AreFine) {
  auto shield = NewShield();
  std::string text("a\0b 10.0.0.1\xff\xfe\xc3(", 16);
  Vault vault;
  Redacted r = shield->Redact(text, vault);
  EXPECT_EQ(r.str(), std::string("a\0b [IP_1]\xff\xfe\xc3(", 14));
  EXPECT_EQ(shield->Rehydrate(r, vault), text);
}

TEST(BadInput, PathologicalRunsStayLinearAndCorrect) {
  auto shield = NewShield();
  for (std::string unit : {"1", "1.", "@", "a", "f:", "eyJ", "[~", "4", "a@b."}) {
    std::string text;
    while (text.size() < (4u << 20)) text += unit;
    text += " 10.1.2.3";
    Vault vault;
    Redacted r = shield->Redact(text, vault);
    EXPECT_EQ(shield->Rehydrate(r, vault), text) << unit;
  }
}

TEST(Streaming, AnyChunkingGivesTheSameOutputAsOneCall) {
  auto shield = NewShield();
  std::mt19937 rng(5);
  std::string text;
  while (text.size() < (5u << 20)) text += RandomLogLine(rng) + "\n";
  Vault whole_vault;
  std::string whole = shield->Redact(text, whole_vault).str();
  Vault stream_vault;
  auto stream = shield->NewStreamRedactor(stream_vault);
  std::string streamed;
  std::uniform_int_distribution<std::size_t> size(1, 300000);
  std::size_t pos = 0;
  std::size_t events = 0;
  while (pos < text.size()) {
    std::size_t n = std::min(size(rng), text.size() - pos);
    streamed += stream->Write(std::string_view(text).substr(pos, n)).str();
    events += stream->TakeEvents().size();
    pos += n;
  }
  streamed += stream->Finish().str();
  events += stream->TakeEvents().size();
  EXPECT_EQ(streamed, whole);
  EXPECT_EQ(stream->bytes_in(), text.size());
  EXPECT_EQ(events, shield->Scan(text).size());
  EXPECT_EQ(stream_vault.size(), whole_vault.size());
}

// Two threads lay windows out differently and scan the next one while labelling the current one;
// the output, the events and the labels must be those of one thread. Values straddle window
// boundaries (long private keys and JWTs, dense lines) and writes come in every size, from bytes
// to more than a window pair.
TEST(Streaming, TwoThreadsGiveTheSameOutputEventsAndLabelsAsOne) {
  ShieldConfig two;
  two.stream_threads = 2;
  auto parallel = NewShield(two);
  auto serial = NewShield();
  std::mt19937 rng(9);
  std::string text;
  const std::string key_block =
      "-----BEGIN RSA PRIVATE KEY-----\n" + std::string(12000, 'Q') + "\n-----END RSA PRIVATE KEY-----";
  while (text.size() < (11u << 20)) {
    text += RandomLogLine(rng, true) + "\n";
    if (rng() % 400 == 0) text += key_block + "\n";
  }
  Vault serial_vault;
  std::string expected = serial->Redact(text, serial_vault).str();
  for (std::size_t max_write : {std::size_t{997}, std::size_t{1} << 20, std::size_t{5} << 20}) {
    Vault vault;
    auto stream = parallel->NewStreamRedactor(vault);
    std::string streamed;
    std::vector<RedactionEvent> events;
    std::uniform_int_distribution<std::size_t> size(1, max_write);
    for (std::size_t pos = 0; pos < text.size();) {
      std::size_t n = std::min(size(rng), text.size() - pos);
      streamed += stream->Write(std::string_view(text).substr(pos, n)).str();
      for (auto& e : stream->TakeEvents()) events.push_back(std::move(e));
      pos += n;
    }
    streamed += stream->Finish().str();
    for (auto& e : stream->TakeEvents()) events.push_back(std::move(e));
    ASSERT_EQ(streamed, expected) << "writes of up to " << max_write << " bytes";
    std::vector<Finding> findings = serial->Scan(text);
    ASSERT_EQ(events.size(), findings.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(events[i].offset, findings[i].offset);
      EXPECT_EQ(events[i].kind, findings[i].kind);
    }
    EXPECT_EQ(vault.size(), serial_vault.size());
    // The counts per kind agree with the events.
    std::map<std::string, std::uint64_t> by_kind;
    for (const auto& e : events) ++by_kind[e.kind];
    const auto counted = stream->FindingsByKind();
    using Counts = std::map<std::string, std::uint64_t>;
    EXPECT_EQ(Counts(counted.begin(), counted.end()), by_kind);
  }
}

TEST(Streaming, WithoutEventsTheCountsPerKindRemain) {
  auto shield = NewShield();
  Vault vault;
  auto stream = shield->NewStreamRedactor(vault);
  stream->KeepEvents(false);
  std::string out = stream->Write("ip 10.0.0.1 and 10.0.0.2 ").str();
  out += stream->Write("mail ops@example.com").str();
  out += stream->Finish().str();
  EXPECT_EQ(out, "ip [IP_1] and [IP_2] mail [EMAIL_1]");
  EXPECT_TRUE(stream->TakeEvents().empty());
  using Counts = std::vector<std::pair<std::string, std::uint64_t>>;
  EXPECT_EQ(stream->FindingsByKind(), (Counts{{"email", 1}, {"ipv4", 2}}));
}

TEST(Streaming, EventsCarryStreamOffsetsAndLabelsButNoValues) {
  auto shield = NewShield();
  Vault vault;
  auto stream = shield->NewStreamRedactor(vault);
  std::string out = stream->Write("ip 10.0.0.1 ").str();
  out += stream->Write("mail ops@example.com").str();
  out += stream->Finish().str();
  EXPECT_EQ(out, "ip [IP_1] mail [EMAIL_1]");
  std::vector<RedactionEvent> events = stream->TakeEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].offset, 17u);
  EXPECT_EQ(events[1].length, 15u);
  EXPECT_EQ(events[1].kind, "email");
  EXPECT_EQ(events[1].label, "[EMAIL_1]");
}

TEST(Threads, ConcurrentRedactGivesTheSameResultsAsOneThread) {
  auto shield = NewShield();
  std::mt19937 rng(17);
  std::vector<std::string> inputs;
  for (int i = 0; i < 64; ++i) {
    std::string text;
    for (int j = 0; j < 50; ++j) text += RandomLogLine(rng) + "\n";
    inputs.push_back(text);
  }
  std::vector<std::string> expected;
  for (const auto& in : inputs) expected.push_back(RedactOnce(*shield, in));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          if (RedactOnce(*shield, inputs[i]) != expected[i]) ++mismatches[t];
          if (shield->RedactEphemeral(inputs[i]).str() != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace awoooi::privacy
