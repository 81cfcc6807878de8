#!/usr/bin/env python3
"""Writes a PII-dense operations log for the `awoooi redact` end-to-end benchmark.

One value to redact every ~90 bytes: access-log client addresses, e-mails in auth errors,
request UUIDs, `api_key=` secrets, vendor tokens in client logs, passwords in connection URLs.
Values come from pools (500 addresses, 200 e-mails, 2,000 UUIDs, 2,000 keys, 500 tokens, 200
passwords) so a scope's vault fills the way an incident's does. Deterministic for a given size.

usage: dense_log.py MEGABYTES [clean] > file
"""
import random
import string
import sys

R = random.Random(42)
HEX = "0123456789abcdef"
ALNUM = string.ascii_letters + string.digits


def rs(alphabet, k):
    return "".join(R.choice(alphabet) for _ in range(k))


IPS = ["%d.%d.%d.%d" % (R.randint(11, 223), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))
       for _ in range(500)]
MAILS = ["user%d@example.com" % i for i in range(200)]
UUIDS = ["%s-%s-4%s-a%s-%s" % (rs(HEX, 8), rs(HEX, 4), rs(HEX, 3), rs(HEX, 3), rs(HEX, 12)) for _ in range(2000)]
KEYS = ["sk" + rs(HEX, 24) for _ in range(2000)]
TOKENS = ["ghp_" + rs(ALNUM, 36) for _ in range(250)] + ["glpat-" + rs(ALNUM, 20) for _ in range(250)]
PASSWORDS = [rs(ALNUM, 12) for _ in range(200)]


def dense_line():
    r = R.randrange(6)
    if r == 0:
        return '%s - - [10/Oct/2024:13:55:36 +0000] "GET /api/v1/users HTTP/1.1" 200 2326\n' % R.choice(IPS)
    if r == 1:
        return "2024-05-01T12:00:01Z ERROR auth: login failed for %s after 3 tries\n" % R.choice(MAILS)
    if r == 2:
        return "2024-05-01T12:00:02Z WARN request %s upstream 503 in 12ms\n" % R.choice(UUIDS)
    if r == 3:
        return "2024-05-01T12:00:03Z INFO config reload: api_key=%s pool=primary\n" % R.choice(KEYS)
    if r == 4:
        return "2024-05-01T12:00:04Z DEBUG git fetch with token %s ok\n" % R.choice(TOKENS)
    return "2024-05-01T12:00:05Z WARN db retry postgres://app:%s@db:5432/orders\n" % R.choice(PASSWORDS)


def clean_line():
    r = R.randrange(4)
    if r == 0:
        return ("2024-05-01T12:%02d:07.123Z INFO http GET /api/v1/orders/%d status=200 duration=%dms trace_id=%s\n"
                % (R.randint(10, 59), R.randrange(100000), R.randrange(900), rs(HEX, 32)))
    if r == 1:
        return 'Normal Pulled pod/checkout-5d7b8c9f4-x2x9z Successfully pulled image "registry.example.com/app@sha256:%s" in 1.234s\n' % rs(HEX, 64)
    if r == 2:
        return "\tat com.example.orders.OrderService.place(OrderService.java:%d) ~[orders-1.4.2.jar:1.4.2]\n" % R.randrange(999)
    return "deployed chart nginx-ingress 4.7.1 (app 1.8.1) revision %d commit %s\n" % (R.randrange(100), rs(HEX, 40))


def main():
    size = int(float(sys.argv[1]) * 1e6)
    line = clean_line if len(sys.argv) > 2 and sys.argv[2] == "clean" else dense_line
    out = sys.stdout
    written = 0
    chunk = []
    while written < size:
        s = line()
        chunk.append(s)
        written += len(s)
        if len(chunk) >= 10000:
            out.write("".join(chunk))
            chunk = []
    out.write("".join(chunk))


if __name__ == "__main__":
    main()
