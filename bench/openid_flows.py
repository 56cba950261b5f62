"""`make bench`: Badge as an OpenID Provider beside panva's oidc-provider (Node, OpenID Certified).

Both sides get one confidential client (client_secret_basic, PKCE S256) and sign id_tokens with
RS256 (RSA 2048). Two rows each:
- the code exchange at the token endpoint: every request spends a fresh authorization code, made
  before the run's CPU is counted (Badge: by `GET /oauth2/authorize` with a session cookie and a
  first-party client; oidc-provider: minted in-process by the peer's `POST /bench/codes`, as its
  authorization would leave them), so the row prices the exchange alone;
- userinfo with the access token the exchange gave.
The peer runs its defaults: opaque access tokens kept in its in-memory store (Badge's are signed
JWTs whose session is looked up).
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import urllib.parse
from pathlib import Path

import bench

CLIENT_ID = "bench-app"
CLIENT_SECRET = os.urandom(24).hex()
REDIRECT_URI = "http://127.0.0.1:9/callback"
VERIFIER = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
# Codes made per second of a run: more than either side exchanges, so a run ends on time.
CODES_PER_SECOND = 900
CONNECTIONS = 4


def basic(client_id: str, secret: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def exchange_body(code: str) -> str:
    return urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                                   "code_verifier": VERIFIER})


def access_token(server: bench.Server, path: str, headers: dict, code: str) -> str:
    status, data, _ = bench.request(server, "POST", path, exchange_body(code),
                                    {**headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, f"{server.name} code exchange: {status} {data[:300]!r}"
    return json.loads(data)["access_token"]


def start_peer(scratch: Path) -> bench.Server:
    home = bench.ensure_node_peer("oidc-provider")
    port = bench.free_port()
    return bench.start("oidc-provider", ["node", "server.mjs"], {
        "PORT": str(port), "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET, "REDIRECT_URI": REDIRECT_URI,
    }, port, "/.well-known/openid-configuration", scratch, cwd=home)


def peer_codes(peer: bench.Server, n: int) -> list[str]:
    status, data, _ = bench.request(peer, "POST", "/bench/codes", urllib.parse.urlencode(
        {"n": n, "code_challenge": CHALLENGE}), {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, f"oidc-provider codes: {status} {data[:300]!r}"
    return data.decode().split("\n")


def register_badge_client(badge_bin: Path, database: Path) -> tuple[str, str]:
    added = bench.run([str(badge_bin), "clients", "add", "Bench app", "--redirect-uri", REDIRECT_URI,
                       "--first-party"],
                      env={**os.environ, "AUTH_SECRET": bench.SECRET, "DATABASE_URL": f"sqlite://{database}"},
                      capture_output=True, text=True).stdout
    lines = dict(line.split(": ", 1) for line in added.splitlines() if ": " in line)
    return lines["client_id"], lines["client_secret"]


def badge_codes(badge: bench.Server, cookie: str, client_id: str, n: int) -> list[str]:
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI, "scope": "openid email",
        "state": "bench", "code_challenge": CHALLENGE, "code_challenge_method": "S256"})
    codes = []
    for _ in range(n):
        status, location = redirect(badge, f"/oauth2/authorize?{query}", cookie)
        assert status in (302, 303), f"authorize: {status}"
        codes.append(urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0])
    return codes


def redirect(server: bench.Server, path: str, cookie: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, response.getheader("Location") or ""


def scenarios(badge: bench.Server, badge_bin: Path, database: Path, cookie: str,
              peer: bench.Server) -> list[bench.Scenario]:
    """The four rows: exchange and userinfo on Badge and on the peer."""
    client_id, secret = register_badge_client(badge_bin, database)
    badge_auth = basic(client_id, secret)
    peer_auth = basic(CLIENT_ID, CLIENT_SECRET)
    badge_token = access_token(badge, "/oauth2/token", badge_auth, badge_codes(badge, cookie, client_id, 1)[0])
    peer_token = access_token(peer, "/token", peer_auth, peer_codes(peer, 1)[0])

    def fresh_badge(seconds: int) -> list[str]:
        return [exchange_body(c) for c in badge_codes(badge, cookie, client_id, CODES_PER_SECOND * seconds)]

    def fresh_peer(seconds: int) -> list[str]:
        return [exchange_body(c) for c in peer_codes(peer, CODES_PER_SECOND * seconds)]

    return [
        bench.Scenario("op_exchange", "Badge code exchange `POST /oauth2/token` (RS256 id_token)", badge,
                       "/oauth2/token", badge_auth, connections=CONNECTIONS, fresh=fresh_badge),
        bench.Scenario("op_userinfo", "Badge `GET /oauth2/userinfo`", badge, "/oauth2/userinfo",
                       {"Authorization": f"Bearer {badge_token}"}),
        bench.Scenario("peer_exchange", "oidc-provider code exchange `POST /token` (RS256 id_token)", peer, "/token",
                       peer_auth, connections=CONNECTIONS, fresh=fresh_peer),
        bench.Scenario("peer_userinfo", "oidc-provider `GET /me` (userinfo)", peer, "/me",
                       {"Authorization": f"Bearer {peer_token}"}),
    ]
