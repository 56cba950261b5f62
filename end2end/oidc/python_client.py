"""An example app that signs in with Badge, through Authlib: the authorization code flow with
PKCE (S256), state and nonce, as a public client (no secret: token_endpoint_auth_method "none").
    python end2end/oidc/python_client.py PORT ISSUER CLIENT_ID
Register it first: `badge clients add "Python Example App" --public --redirect-uri
http://127.0.0.1:PORT/callback`. Open http://127.0.0.1:PORT/login; the callback shows who signed
in, from the verified id_token."""

import html
import secrets
import sys
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

port, issuer, client_id = sys.argv[1], sys.argv[2], sys.argv[3]
redirect_uri = f"http://127.0.0.1:{port}/callback"
metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
assert metadata["issuer"] == issuer, metadata["issuer"]

# Logins under way, by the random id in this app's cookie (its own name: cookies ignore ports,
# so this app shares 127.0.0.1 with Badge's).
logins = {}
COOKIE = "python_example_login"


def session(**kwargs):
    return OAuth2Session(
        client_id,
        scope="openid email",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
        **kwargs,
    )


def verified_id_token(token, nonce):
    """The id_token's claims once its RS256 signature (through the JWKS), iss, aud, exp, iat,
    nonce and at_hash check out (what Authlib's own OpenID integrations do)."""
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(token["id_token"], keys, registry=JWSRegistry(algorithms=["RS256"]))
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id}},
        {"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
    )
    claims.validate()
    return claims


class App(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/login":
            login = {"code_verifier": generate_token(48), "nonce": generate_token(20)}
            authorization, login["state"] = session().create_authorization_url(
                metadata["authorization_endpoint"], code_verifier=login["code_verifier"], nonce=login["nonce"]
            )
            login_id = secrets.token_hex(16)
            logins[login_id] = login
            self.send_response(302)
            self.send_header("Location", authorization)
            self.send_header("Set-Cookie", f"{COOKIE}={login_id}; Path=/; HttpOnly; SameSite=Lax")
            return self.end_headers()
        if url.path == "/callback":
            return self.callback(url)
        self.reply(200, '<a href="/login">Sign in with Badge</a>')

    def callback(self, url):
        cookie = SimpleCookie(self.headers.get("Cookie", "")).get(COOKIE)
        login = logins.pop(cookie.value, None) if cookie else None
        params = {name: values[0] for name, values in parse_qs(url.query).items()}
        if login is None or params.get("state") != login["state"]:
            return self.reply(400, '<p role="alert">This sign-in did not start here.</p>')
        # RFC 9207: a provider that says so names itself in every answer, errors included, so an
        # answer cannot come from another provider.
        if metadata.get("authorization_response_iss_parameter_supported") and params.get("iss") != issuer:
            return self.reply(400, '<p role="alert">Sign-in failed: "iss" missing or wrong</p>')
        # A refusal (`error=access_denied`) comes back here too, without a code.
        if "error" in params:
            return self.reply(400, f'<p role="alert">Sign-in failed: {html.escape(params["error"])}</p>')
        try:
            oauth = session(state=login["state"])
            token = oauth.fetch_token(
                metadata["token_endpoint"],
                authorization_response=f"{redirect_uri}?{url.query}",
                code_verifier=login["code_verifier"],
            )
            claims = verified_id_token(token, login["nonce"])
            answer = oauth.get(metadata["userinfo_endpoint"], timeout=10)
            answer.raise_for_status()
            userinfo = answer.json()
            if userinfo["sub"] != claims["sub"]:
                raise ValueError("userinfo is about someone else")
        except Exception as error:  # shown as is: this is a test app
            return self.reply(400, f'<p role="alert">Sign-in failed: {html.escape(str(error))}</p>')
        self.reply(
            200,
            f'<p role="status">Signed in as {html.escape(claims["email"])}</p>'
            f'<dl><dt>sub</dt><dd data-testid="sub">{html.escape(claims["sub"])}</dd>'
            f'<dt>userinfo email</dt><dd data-testid="userinfo-email">{html.escape(userinfo["email"])}</dd></dl>',
        )

    def reply(self, status, body):
        page = f"<!doctype html><title>Python example app</title><main>{body}</main>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)


server = ThreadingHTTPServer(("127.0.0.1", int(port)), App)
print("ready", flush=True)
server.serve_forever()
