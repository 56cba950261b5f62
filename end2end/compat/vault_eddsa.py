"""A vault in FastAPI that trusts Badge's EdDSA badges through the published JWKS: it holds no
secret at all, and follows key rotations on its own (PyJWKClient fetches a key it does not know).

Run: BADGE_URL=http://127.0.0.1:3000 SITE_ORIGIN=http://127.0.0.1:3000 uvicorn vault_eddsa:app --port 8000
"""
import os

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

BADGE_URL = os.environ["BADGE_URL"]  # Badge's SITE_URL (or JWT_ISSUER): the badges' issuer

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=[os.environ["SITE_ORIGIN"]],
    allow_methods=["GET"],
    allow_headers=["Authorization"],
)
bearer = HTTPBearer()
jwks = jwt.PyJWKClient(f"{BADGE_URL}/.well-known/jwks.json")


def current_user(credentials: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    token = credentials.credentials
    try:
        key = jwks.get_signing_key_from_jwt(token)
        return jwt.decode(token, key.key, algorithms=["EdDSA"], issuer=BADGE_URL)
    except jwt.PyJWTError as error:
        raise HTTPException(status_code=401, detail=str(error))


@app.get("/api/hello-world")
def hello_world(user: dict = Depends(current_user)) -> dict:
    return {
        "message": "Hello World! You are authorized.",
        "your_user_id": user["sub"],
        "your_email": user["email"],
    }
