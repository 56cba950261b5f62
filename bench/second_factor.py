"""`make bench`: the second step of a two-factor sign-in alone, `POST /api/auth/two-factor/verify`
with a right TOTP code and the challenge cookie the password step set.

Each verification needs an account of its own: a code is accepted once per 30-second step per
account (replays are refused), and a challenge is used once. So each run gets a fresh pool of
accounts with two-factor on (signed up, set up and enabled before any run), and its password
steps are taken before the run's CPU is counted; the run then prices the TOTP check, the
challenge and the session it opens. The code sent is the next step's (accepted within the
±1 step window), as the step used to enable it cannot be used again.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import bench

ACCOUNTS_PER_RUN = 500


def totp(secret: str, step: int) -> str:
    """RFC 6238, SHA-1, 6 digits (what Badge's authenticator-app codes are)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def form(server: bench.Server, path: str, fields: dict, cookie: str = "") -> tuple[int, bytes, list[str]]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": server.base,
               "Accept": "application/json"}
    if cookie:
        headers["Cookie"] = cookie
    return bench.request(server, "POST", path, urllib.parse.urlencode(fields), headers)


def account_with_two_factor(server: bench.Server, email: str) -> str:
    """Signs up `email` and turns two-factor on; returns its TOTP secret."""
    status, _, cookies = form(server, "/api/auth/sign-up", {"email": email, "password": bench.PASSWORD})
    assert status == 200, f"sign-up: {status}"
    session = "; ".join(cookies)
    status, data, _ = form(server, "/api/auth/two-factor/setup", {"password": bench.PASSWORD}, session)
    assert status == 200, f"two-factor setup: {status} {data[:200]!r}"
    secret = json.loads(data)["secret"]
    status, data, _ = form(server, "/api/auth/two-factor/enable", {"code": totp(secret, int(time.time()) // 30)},
                           session)
    assert status == 200, f"two-factor enable: {status} {data[:200]!r}"
    return secret


def challenge(server: bench.Server, email: str, secret: str) -> str:
    """The password step: the challenge cookie, and the verify request's line for wrk."""
    status, data, cookies = form(server, "/api/auth/sign-in", {"email": email, "password": bench.PASSWORD})
    assert status == 200 and json.loads(data).get("two_factor_required"), f"sign-in: {status} {data[:200]!r}"
    body = urllib.parse.urlencode({"code": totp(secret, int(time.time()) // 30 + 1)})
    return "; ".join(cookies) + "\t" + body


def scenario(badge: bench.Server, pools: int) -> bench.Scenario:
    """One pool of accounts per run (warm-up and rounds): `pools` of them."""
    bench.say(f"two-factor: {pools} × {ACCOUNTS_PER_RUN} accounts with an authenticator app")
    ready = []
    with ThreadPoolExecutor(4) as workers:
        for pool in range(pools):
            emails = [f"totp-{pool}-{i}@example.com" for i in range(ACCOUNTS_PER_RUN)]
            secrets = list(workers.map(lambda email: account_with_two_factor(badge, email), emails))
            ready.append(list(zip(emails, secrets)))

    def fresh(_seconds: int) -> list[str]:
        accounts = ready.pop()
        with ThreadPoolExecutor(4) as workers:
            return list(workers.map(lambda account: challenge(badge, *account), accounts))

    return bench.Scenario("totp_verify", "Badge two-factor step `POST /api/auth/two-factor/verify` (TOTP)", badge,
                          "/api/auth/two-factor/verify", {"Origin": badge.base, "Accept": "application/json"},
                          connections=4, fresh=fresh)
