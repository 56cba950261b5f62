"""A vault in FastAPI that asks Badge whether a badge is still good (introspection, RFC 7662),
instead of only checking its signature: a badge whose Badge session has ended (signed out, revoked,
password changed) is refused, though its signature and `exp` are still fine. Answers are kept a few
seconds (CACHE_SECONDS), so a sign-out reaches the vault at most that late.

Register the vault once: `badge clients add "Vault" --introspection-only` prints its client_id and
client_secret.
Run: BADGE_URL=http://127.0.0.1:3000 BADGE_CLIENT_ID=… BADGE_CLIENT_SECRET=… uvicorn vault_introspect:app --port 8000
"""
import os
import time

import requests
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

BADGE_URL = os.environ["BADGE_URL"]
# HTTP Basic (client_secret_basic). Badge's ids and secrets are URL-safe, so they need no
# form-encoding first.
CLIENT = (os.environ["BADGE_CLIENT_ID"], os.environ["BADGE_CLIENT_SECRET"])
CACHE_SECONDS = float(os.environ.get("CACHE_SECONDS", "5"))

app = FastAPI()
bearer = HTTPBearer()
cache: dict[str, tuple[float, dict]] = {}  # token -> (until, Badge's answer)


def introspect(token: str) -> dict:
    now = time.monotonic()
    until, answer = cache.get(token, (0.0, {}))
    if until > now:
        return answer
    try:
        response = requests.post(f"{BADGE_URL}/oauth2/introspect", data={"token": token}, auth=CLIENT, timeout=5)
        response.raise_for_status()
    except requests.RequestException as error:
        raise HTTPException(status_code=503, detail=f"Badge did not answer: {error}")
    answer = response.json()
    for old in [t for t, (until, _) in list(cache.items()) if until <= now]:
        cache.pop(old, None)
    cache[token] = (now + CACHE_SECONDS, answer)
    return answer


def current_user(credentials: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    answer = introspect(credentials.credentials)
    # Only Badge's own badges: an app's access token names its client_id (it is for that app), and
    # a refresh token is never a bearer token.
    if not answer["active"] or answer.get("token_type") != "Bearer" or "client_id" in answer:
        raise HTTPException(status_code=401, detail="not an active badge")
    return answer


@app.get("/api/hello-world")
def hello_world(user: dict = Depends(current_user)) -> dict:
    return {
        "message": "Hello World! You are authorized.",
        "your_user_id": user["sub"],
    }
