"""`make bench`: a passkey sign-in alone, `POST /api/auth/passkey/sign-in` with a signed assertion
and the ceremony cookie `sign-in-options` set.

A software authenticator plays the browser: one account gets a passkey (an ES256 key made here,
attestation "none", user verification given) through the same register-options / register calls
the account page makes; each sign-in of a run then needs a ceremony of its own (a challenge is
used once), so the run's sign-in-options calls and signatures are made before its CPU is counted,
and the run prices the assertion check, the counter update and the session it opens. The
authenticator keeps no counter (it always says 0, as many platform authenticators do).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

import bench

SIGN_INS_PER_RUN = 2000

# Authenticator data flags (WebAuthn § 6.1): user present, user verified, attested credential data.
UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Passkey:
    key: ec.EllipticCurvePrivateKey
    credential_id: bytes
    user_handle: bytes
    rp_id: str
    origin: str

    def client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin,
                           "crossOrigin": False}).encode()

    def assertion(self, options: dict) -> str:
        """`navigator.credentials.get()`'s answer, as `PublicKeyCredential.toJSON()` writes it."""
        client_data = self.client_data("webauthn.get", options["publicKey"]["challenge"])
        authenticator_data = hashlib.sha256(self.rp_id.encode()).digest() + bytes([UP | UV]) + struct.pack(">I", 0)
        signature = self.key.sign(authenticator_data + hashlib.sha256(client_data).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        return json.dumps({
            "id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
            "response": {"authenticatorData": b64url(authenticator_data), "clientDataJSON": b64url(client_data),
                         "signature": b64url(signature), "userHandle": b64url(self.user_handle)},
            "clientExtensionResults": {},
        })


def cose_public_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    """RFC 9053: an EC2 key on P-256 for ES256 (kty 2, alg -7, crv 1, x, y)."""
    numbers = key.public_key().public_numbers()
    return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})


def register(server: bench.Server, session: str, origin: str) -> Passkey:
    """The account page's "Add a passkey": options, a new credential, register."""
    headers = {"Origin": server.base, "Accept": "application/json", "Cookie": session,
               "Content-Type": "application/x-www-form-urlencoded"}
    status, data, cookies = bench.request(server, "POST", "/api/auth/passkey/register-options", "", headers)
    assert status == 200, f"passkey register-options: {status} {data[:200]!r}"
    options = json.loads(data)["publicKey"]
    passkey = Passkey(ec.generate_private_key(ec.SECP256R1()), os.urandom(16),
                      b64url_decode(options["user"]["id"]), options["rp"]["id"], origin)
    authenticator_data = (hashlib.sha256(passkey.rp_id.encode()).digest() + bytes([UP | UV | AT])
                          + struct.pack(">I", 0) + bytes(16)  # counter 0, AAGUID zero
                          + struct.pack(">H", len(passkey.credential_id)) + passkey.credential_id
                          + cose_public_key(passkey.key))
    attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": authenticator_data})
    credential = json.dumps({
        "id": b64url(passkey.credential_id), "rawId": b64url(passkey.credential_id), "type": "public-key",
        "response": {"clientDataJSON": b64url(passkey.client_data("webauthn.create", options["challenge"])),
                     "attestationObject": b64url(attestation), "transports": ["internal"]},
        "clientExtensionResults": {},
    })
    body = urllib.parse.urlencode({"credential": credential, "name": "Bench"})
    headers["Cookie"] = "; ".join([session, *cookies])
    status, data, _ = bench.request(server, "POST", "/api/auth/passkey/register", body, headers)
    assert status == 200, f"passkey register: {status} {data[:200]!r}"
    return passkey


def ceremony(server: bench.Server, passkey: Passkey) -> str:
    """One sign-in's line for wrk: the ceremony cookie, and the signed assertion."""
    status, data, cookies = bench.request(server, "POST", "/api/auth/passkey/sign-in-options", "", {
        "Origin": server.base, "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, f"passkey sign-in-options: {status} {data[:200]!r}"
    return "; ".join(cookies) + "\t" + urllib.parse.urlencode({"credential": passkey.assertion(json.loads(data))})


def scenario(badge: bench.Server) -> bench.Scenario:
    """An account of its own with a passkey; each run signs in SIGN_INS_PER_RUN times."""
    body = urllib.parse.urlencode({"email": "passkey@example.com", "password": bench.PASSWORD})
    status, _, cookies = bench.request(badge, "POST", "/api/auth/sign-up", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": badge.base, "Accept": "application/json"})
    assert status == 200, f"passkey account sign-up: {status}"
    # Without SITE_URL, passkeys belong to localhost on the server's port (DESIGN "Passkeys").
    passkey = register(badge, "; ".join(cookies), badge.base.replace("127.0.0.1", "localhost"))
    bench.say(f"passkey: one registered; {SIGN_INS_PER_RUN} ceremonies before each run")

    def fresh(_seconds: int) -> list[str]:
        with ThreadPoolExecutor(4) as workers:
            return list(workers.map(lambda _: ceremony(badge, passkey), range(SIGN_INS_PER_RUN)))

    return bench.Scenario("passkey_sign_in", "Badge passkey sign-in `POST /api/auth/passkey/sign-in`", badge,
                          "/api/auth/passkey/sign-in", {"Origin": badge.base, "Accept": "application/json"},
                          connections=4, fresh=fresh)
