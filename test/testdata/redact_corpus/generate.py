#!/usr/bin/env python3
"""Generates corpus.txt, the Privacy Shield's labelled corpus (see docs/privacy.md).

Markup, one log line per corpus line:
  {{kind:value}}    a true value the shield must find with exactly this extent and kind
  {{~class:text}}   a near miss of the named class the shield must leave alone
Everything else must produce no finding either. Deterministic: `python3 generate.py > corpus.txt`.
"""
import base64
import json
import random
import string

R = random.Random(20240501)
HEX = "0123456789abcdef"
ALNUM = string.ascii_letters + string.digits


def t(kind, value):
    return "{{%s:%s}}" % (kind, value)


def n(cls, text):
    return "{{~%s:%s}}" % (cls, text)


def rs(alphabet, k):
    return "".join(R.choice(alphabet) for _ in range(k))


def ipv4():
    while True:
        a = R.choice([10, 172, 192, 203, 198, 100, 34, 52, 81, 185, R.randint(1, 223)])
        o = [a, R.randint(0, 255), R.randint(0, 255), R.randint(1, 254)]
        if o[0] in (0, 127, 255):
            continue
        return ".".join(map(str, o))


def ipv6():
    g = lambda: "%x" % R.randint(0, 0xFFFF)
    form = R.randint(0, 5)
    if form == 0:
        return ":".join("%04x" % R.randint(0, 0xFFFF) for _ in range(8))
    if form == 1:
        return "2001:db8:%s::%s" % (g(), "%x" % R.randint(1, 0xFFFF))
    if form == 2:
        return "::ffff:" + ipv4()
    if form == 3:
        return "fe80::%s:%s:%s:%s" % (g(), g(), g(), "%x" % R.randint(1, 0xFFFF))
    if form == 4:
        return "2600:1f18:%s:%s::%d" % (g(), g(), R.randint(1, 99))
    return "fd12:3456:789a:%d::%x" % (R.randint(1, 9), R.randint(1, 0xFFF))


FIRST = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar",
         "peggy", "trent", "victor", "walter", "li.wei", "chen.jie", "maria.garcia", "o.connor"]
DOMAINS = ["example.com", "company.com", "corp.example.org", "mail.example.co.uk", "acme.io", "sre.example.net",
           "users.noreply.github.com", "example.de"]


def email():
    local = R.choice(FIRST)
    if R.random() < 0.3:
        local += R.choice(["+alerts", "_ops", ".oncall", "-dev", "%team"])
    if R.random() < 0.2:
        local += str(R.randint(1, 99))
    return local + "@" + R.choice(DOMAINS)


def uuid():
    h = rs(HEX, 32)
    h = h[:12] + "4" + h[13:16] + R.choice("89ab") + h[17:]
    u = "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])
    return u.upper() if R.random() < 0.1 else u


def digit_uuid():
    d = rs(string.digits, 32)
    return "%s-%s-%s-%s-%s" % (d[:8], d[8:12], d[12:16], d[16:20], d[20:])


def b64url(obj):
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")


def jwt():
    header = b64url({"alg": R.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"})
    payload = b64url({"sub": str(R.randint(1000, 99999)), "iat": R.randint(1600000000, 1750000000),
                      "email": R.choice(FIRST) + "@x"})
    sig = rs(ALNUM + "-_", R.choice([43, 86, 342]))
    return "%s.%s.%s" % (header, payload, sig)


def aws_key():
    return R.choice(["AKIA", "ASIA"]) + rs(string.ascii_uppercase + string.digits, 16)


def aws_secret():
    return rs(ALNUM + "/+", 40)


def gh_classic():
    return R.choice(["ghp_", "gho_", "ghs_", "ghu_", "ghr_"]) + rs(ALNUM, 36)


def gh_fine():
    return "github_pat_" + rs(ALNUM, 22) + "_" + rs(ALNUM, 59)


def slack_token():
    return "%s-%d-%d-%s" % (R.choice(["xoxb", "xoxp"]), R.randint(10 ** 11, 10 ** 12 - 1),
                            R.randint(10 ** 12, 10 ** 13 - 1), rs(ALNUM, 24))


def slack_webhook():
    return "https://hooks.slack.com/services/T%s/B%s/%s" % (rs(string.ascii_uppercase + string.digits, 8),
                                                           rs(string.ascii_uppercase + string.digits, 8),
                                                           rs(ALNUM, 24))


def opaque_token():
    return rs(ALNUM, R.randint(24, 40)) + str(R.randint(0, 9))


def password():
    return rs(ALNUM + "!#%^*-_", R.randint(6, 18)) + str(R.randint(0, 9))


def private_key():
    kind = R.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
    body = "\\n".join(rs(ALNUM + "+/", 64) for _ in range(R.randint(3, 8)))
    return "-----BEGIN %s-----\\n%s\\n-----END %s-----" % (kind, body, kind)


def luhn_complete(prefix, length):
    digits = [int(c) for c in prefix] + [R.randint(0, 9) for _ in range(length - len(prefix) - 1)]
    for check in range(10):
        cand = digits + [check]
        s = 0
        for i, d in enumerate(reversed(cand)):
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            s += d
        if s % 10 == 0:
            return "".join(map(str, cand))


def card():
    prefix, length = R.choice([("4", 16), ("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15),
                               ("6011", 16), ("3528", 16), ("4", 13)])
    num = luhn_complete(prefix + "".join(str(R.randint(0, 9)) for _ in range(max(0, 4 - len(prefix)))), length)
    style = R.randint(0, 2)
    if style == 0 or length == 13:
        return num
    sep = " " if style == 1 else "-"
    if length == 15:
        return sep.join([num[:4], num[4:10], num[10:]])
    return sep.join(num[i:i + 4] for i in range(0, 16, 4))


def luhn_non_card():
    return luhn_complete(R.choice(["1", "7", "8", "9"]), 16)


def ms_timestamp():
    return luhn_complete("17", 13)


def ts():
    return "2024-%02d-%02dT%02d:%02d:%02d.%03dZ" % (R.randint(1, 12), R.randint(1, 28), R.randint(0, 23),
                                                    R.randint(0, 59), R.randint(0, 59), R.randint(0, 999))


def pod():
    return "%s-%s-%s" % (R.choice(["nginx", "api", "checkout", "auth-service", "order-api", "product-api"]),
                         rs("bcdfghjklmnpqrstvwxz2456789", 9), rs("bcdfghjklmnpqrstvwxz2456789", 5))


def semver():
    return "%d.%d.%d" % (R.randint(0, 20), R.randint(0, 40), R.randint(0, 99))


def version4():
    return "%d.%d.%d.%d" % (R.randint(1, 20), R.randint(0, 40), R.randint(0, 99), R.randint(1, 200))


def mac():
    parts = ["%02x" % R.randint(0, 255) for _ in range(6)]
    return R.choice([":", "-"]).join(parts)


def cidr():
    return R.choice(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "10.244.0.0/16", "100.64.0.0/10",
                     "10.%d.0.0/16" % R.randint(0, 255), "fd00::/8", "2001:db8::/32", "0.0.0.0/0"])


UA = ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
      "curl/8.4.0", "kube-probe/1.29", "Prometheus/2.48.1", "okhttp/4.9.3", "Go-http-client/1.1"]
PATHS = ["/api/v1/users", "/healthz", "/api/v1/orders", "/metrics", "/login", "/api/v1/payments/charge"]


def nginx():
    ip = t("ipv4", ipv4())
    path = R.choice(PATHS)
    if R.random() < 0.4:
        path += "/" + t("uuid", uuid())
    extra = ""
    if R.random() < 0.2:
        extra = " user=" + t("email", email())
    return '%s - - [10/Oct/2024:13:%02d:%02d +0000] "GET %s HTTP/1.1" %d %d "-" "%s" rt=%d.%03d%s' % (
        ip, R.randint(0, 59), R.randint(0, 59), path, R.choice([200, 201, 304, 404, 500, 502]),
        R.randint(100, 90000), R.choice(UA), R.randint(0, 3), R.randint(0, 999), extra)


def envoy():
    up = t("ipv4", ipv4()) + ":" + str(R.choice([8080, 9090, 443, 5432]))
    client = t("ipv6", ipv6()) if R.random() < 0.3 else t("ipv4", ipv4())
    return '[%s] "POST /v1/charge HTTP/2" %d %s 0 %d %d - "%s" "grpc-go/1.59.0" "%s" "payments.svc.cluster.local" "%s" %s' % (
        n("timestamp", ts()), R.choice([200, 503, 504]), R.choice(["-", "UF", "URX"]), R.randint(10, 999),
        R.randint(1, 900), client, t("uuid", uuid()), up, n("trace_id", "trace=" + rs(HEX, 32)))


def k8s():
    p = pod()
    return R.choice([
        "Warning  FailedMount  pod/%s  MountVolume.SetUp failed for volume \"secret-vol\" : %s not found" % (
            n("pod_name", p), n("secret_name", 'secret "db-credentials"')),
        "Normal   Pulled       pod/%s  Successfully pulled image \"registry.example.com/app@%s\" in %s" % (
            n("pod_name", p), n("image_digest", "sha256:" + rs(HEX, 64)), n("duration", "1.%03ds" % R.randint(0, 999))),
        "Warning  Unhealthy    pod/%s  Liveness probe failed: Get \"http://%s:8080/healthz\": dial tcp %s:8080: connect: connection refused" % (
            n("pod_name", p), t("ipv4", ipv4()), t("ipv4", ipv4())),
        "Normal   Scheduled    pod/%s  Successfully assigned default/%s to %s" % (
            n("pod_name", p), n("pod_name", p), n("hostname", "ip-10-0-%d-%d.ec2.internal" % (R.randint(0, 255), R.randint(1, 254)))),
        "Normal   Created      pod/%s  Created container nginx (uid %s)" % (n("pod_name", p), t("uuid", uuid())),
        "Warning  BackOff      pod/%s  Back-off restarting failed container api; resourceVersion=%s" % (
            n("pod_name", p), n("resource_version", '"%d"' % R.randint(10 ** 7, 10 ** 9))),
        "Normal   Killing      pod/%s  Stopping container app after %s, node %s" % (
            n("pod_name", p), n("duration", "%dm%ds" % (R.randint(1, 59), R.randint(1, 59))), n("mac", mac())),
    ])


def stack():
    return R.choice([
        "\tat com.example.users.UserService.find(UserService.java:%d)" % R.randint(10, 999),
        "Caused by: java.sql.SQLException: Access denied for user 'app'@'%s' (%s)" % (
            t("ipv4", ipv4()), n("mysql_using_password", "using password: YES")),
        "#%d 0x%s in std::vector<int, std::allocator<int> >::at (this=0x%s, __n=10) at %s" % (
            R.randint(0, 9), rs(HEX, 16), rs(HEX, 12), n("cpp_scope", "/usr/include/c++/12/bits/stl_vector.h:1142")),
        "panic: runtime error: invalid memory address or nil pointer dereference [signal SIGSEGV: code=0x1 addr=0x0 pc=0x%s]" % rs(HEX, 6),
        "  File \"/app/handlers.py\", line %d, in handle: HTTPSConnectionPool(host='%s', port=443)" % (
            R.randint(1, 500), t("ipv4", ipv4())),
        "goroutine %d [running]: main.(*Server).serve(0xc000%s) /app/server.go:%d +0x1d" % (
            R.randint(1, 999), rs(HEX, 6), R.randint(1, 400)),
        "ERROR in handler: user=%s request_id=%s %s" % (t("email", email()), t("uuid", uuid()),
                                                         n("cpp_scope", "awoooi::privacy::Shield::Redact")),
        "Exception in thread \"main\" java.lang.IllegalStateException: pool exhausted after %s (%s)" % (
            n("duration", "%d.%ds" % (R.randint(1, 60), R.randint(0, 9))), n("semver", "HikariCP " + semver())),
    ])


def alertmanager():
    a = {
        "status": R.choice(["firing", "resolved"]),
        "labels": {"alertname": R.choice(["HighErrorRate", "InstanceDown", "DiskFull"]),
                   "instance": "@@IP@@:9100", "job": "node"},
        "annotations": {"summary": "5xx rate > 15% on frontend",
                        "description": "User @@EMAIL@@ reported errors from @@IP2@@"},
        "startsAt": "@@TS@@", "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": "@@FP@@",
    }
    s = json.dumps(a, separators=(",", ":"))
    return (s.replace("@@IP@@", t("ipv4", ipv4())).replace("@@EMAIL@@", t("email", email()))
            .replace("@@IP2@@", t("ipv6", ipv6()) if R.random() < 0.3 else t("ipv4", ipv4()))
            .replace("@@TS@@", n("timestamp", ts())).replace("@@FP@@", n("fingerprint", rs(HEX, 16))))


def sql():
    return R.choice([
        "ERROR:  duplicate key value violates unique constraint \"users_email_key\" DETAIL:  Key (email)=(%s) already exists." % t("email", email()),
        "FATAL:  password authentication failed for user \"app\" (host %s)" % t("ipv4", ipv4()),
        "psql: error: connection to server at \"%s\", port %s failed: Connection refused" % (
            t("ipv4", ipv4()), n("port", "5432")),
        "ERROR 1045 (28000): Access denied for user 'root'@'%s' (%s)" % (t("ipv4", ipv4()),
                                                                        n("mysql_using_password", "using password: YES")),
        "ERROR:  insert into payments (card, amount) values ('%s', 12.50) violates check constraint" % t("card", card()),
        "LOG:  statement: SELECT * FROM orders WHERE customer_id = %s AND placed_at > %s" % (
            n("luhn_non_card", luhn_non_card()), n("ms_timestamp", ms_timestamp())),
    ])


def secrets():
    return R.choice([
        "export AWS_ACCESS_KEY_ID=%s" % t("aws_access_key", aws_key()),
        "aws_secret_access_key = %s" % t("aws_secret_key", aws_secret()),
        "{\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\"}" % (t("aws_access_key", aws_key()), t("aws_secret_key", aws_secret())),
        "GITHUB_TOKEN=%s" % t("github_token", gh_classic()),
        "git clone https://x-access-token:%s@github.com/org/repo.git" % t("github_token", gh_fine()),
        "curl -H \"Authorization: Bearer %s\" https://api.example.com/v1/me" % t("jwt", jwt()),
        "curl -H 'Authorization: Bearer %s' https://api.example.com" % t("bearer_token", opaque_token()),
        "request headers: Authorization: Basic %s" % t("authorization", base64.b64encode(
            ("%s:%s" % (R.choice(FIRST), password())).encode()).decode()),
        "SLACK_WEBHOOK_URL=%s" % t("slack_webhook", slack_webhook()),
        "posting with slack token %s to #alerts" % t("slack_token", slack_token()),
        "config: api_key=%s region=us-east-1" % t("secret", opaque_token()),
        "{\"client_secret\": \"%s\", \"client_id\": \"awoooi\"}" % t("secret", opaque_token()),
        "db connect password=%s user=app host=db" % t("secret", password()),
        "DATABASE_URL=postgres://app:%s@db.internal:5432/app" % t("url_password", password()),
        "{\"private_key\": \"%s\", \"type\": \"service_account\"}" % t("private_key", private_key()),
        "payment declined for card %s (amount %s)" % (t("card", card()), n("decimal", "%d.%02d" % (R.randint(1, 999), R.randint(0, 99)))),
        "session token=%s expired at %s" % (t("secret", opaque_token()), n("timestamp", ts())),
        "id_token: %s" % t("jwt", jwt()),
    ])


def near_misses():
    return R.choice([
        "deployed chart nginx-ingress %s (app %s)" % (n("semver", semver()), n("semver", semver())),
        "agent %s installed" % n("version4", "version " + version4()),
        "node-exporter %s running" % n("version4", "v" + version4()),
        "build info: %s" % n("version4", "release=" + version4()),
        "commit %s by ci" % n("git_sha", rs(HEX, 40)),
        "checkout %s (short %s)" % (n("git_sha", rs(HEX, 40)), n("git_sha", rs(HEX, 7))),
        "image %s" % n("image_digest", "sha256:" + rs(HEX, 64)),
        "traceparent: %s" % n("trace_id", "00-%s-%s-01" % (rs(HEX, 32), rs(HEX, 16))),
        "span trace_id=%s span_id=%s" % (n("trace_id", rs(HEX, 32)), rs(HEX, 16)),
        "listening on %s and %s" % (n("port", ":8080"), n("unspecified", "0.0.0.0:9090")),
        "bind %s failed: address in use" % n("bare_colons", "[::]:443"),
        "route %s via default" % n("bare_colons", "::"),
        "allow from %s and %s" % (n("cidr", cidr()), n("cidr", cidr())),
        "interface eth0 ether %s" % n("mac", mac()),
        "event at %s ms" % n("ms_timestamp", ms_timestamp()),
        "order %s shipped" % n("luhn_non_card", luhn_non_card()),
        "request %s took %s" % (t("uuid", digit_uuid()), n("duration", "%dms" % R.randint(1, 999))),
        "healthcheck %s and %s ok" % (n("loopback", "127.0.0.1:8080"), n("loopback", "[::1]:9090")),
        "netmask %s broadcast" % n("netmask", "255.255.255.0"),
        "snmp oid %s" % n("oid", "1.3.6.1.4.1.%d.%d" % (R.randint(1, 9999), R.randint(1, 99))),
        "cpu %s load %s" % (n("decimal", "%d.%d%%" % (R.randint(0, 99), R.randint(0, 9))), n("decimal", "0.%02d" % R.randint(0, 99))),
        "at %s pod %s restarted" % (n("timestamp", ts()), n("pod_name", pod())),
        "uptime %s" % n("duration", "%dh%dm%ds" % (R.randint(0, 99), R.randint(0, 59), R.randint(0, 59))),
        "Bearer authentication required for %s" % n("prose", "realm=\"api\""),
        "authorization: denied for role viewer (%s)" % n("prose", "authorization failed"),
        "env %s set from vault" % n("template_or_mask", "password=${DB_PASSWORD}"),
        "config %s, %s" % (n("template_or_mask", "password: \"********\""), n("template_or_mask", "token=<redacted>")),
        "kubelet %s on %s" % (n("version4", "version: " + version4()), n("hostname", "ip-10-1-%d-%d" % (R.randint(0, 255), R.randint(1, 254)))),
        "cache %s hits, %s" % (n("counter", "token_count=%d" % R.randint(1, 99999)), n("counter", "max_tokens=4096")),
        "UA %s" % n("user_agent_version", R.choice(UA)),
    ])


def main():
    generators = [(nginx, 400), (envoy, 250), (k8s, 300), (stack, 300), (alertmanager, 250), (sql, 200),
                  (secrets, 400), (near_misses, 500)]
    lines = []
    for gen, count in generators:
        lines.extend(gen() for _ in range(count))
    R.shuffle(lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
