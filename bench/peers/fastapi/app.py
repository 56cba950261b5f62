"""FastAPI + PyJWT peer: the classic "Python API behind a JS auth front end". It verifies the
same HS256 badge Badge mints and answers the same JSON on /api/hello-world.

Run: BADGE_SECRET=… BADGE_ISSUER=… uvicorn app:app --port …
"""
import os

import jwt
from fastapi import FastAPI, Header, HTTPException

SECRET = os.environ["BADGE_SECRET"]
ISSUER = os.environ["BADGE_ISSUER"]

app = FastAPI()


@app.get("/api/hello-world")
async def hello_world(authorization: str = Header(default="")):
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(status_code=401, detail="Missing bearer token")
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer=ISSUER)
    except jwt.PyJWTError as error:
        raise HTTPException(status_code=401, detail=str(error))
    return {
        "message": "Hello World! You are authorized.",
        "your_user_id": claims["sub"],
        "your_email": claims["email"],
    }
