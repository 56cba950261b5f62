"""A vault in FastAPI that trusts Badge's HS256 badges, written the way the usual beginner's
guide writes it: PyJWT behind an `HTTPBearer` dependency, with the shared secret.

Run: AUTH_SECRET=… SITE_ORIGIN=http://127.0.0.1:3000 uvicorn vault_hs256:app --port 8000
"""
import os

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

AUTH_SECRET = os.environ["AUTH_SECRET"]

app = FastAPI()
# The hello-world card calls the vault from the Badge site's pages.
app.add_middleware(
    CORSMiddleware,
    allow_origins=[os.environ["SITE_ORIGIN"]],
    allow_methods=["GET"],
    allow_headers=["Authorization"],
)
bearer = HTTPBearer()


def current_user(credentials: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    try:
        return jwt.decode(credentials.credentials, AUTH_SECRET, algorithms=["HS256"])
    except jwt.PyJWTError as error:
        raise HTTPException(status_code=401, detail=str(error))


@app.get("/api/hello-world")
def hello_world(user: dict = Depends(current_user)) -> dict:
    return {
        "message": "Hello World! You are authorized.",
        "your_user_id": user["sub"],
        "your_email": user["email"],
    }
