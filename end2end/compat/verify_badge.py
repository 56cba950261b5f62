"""Verifies a Badge JWT the way a Python backend would, with PyJWT.

Usage: verify_badge.py TOKEN SECRET ISSUER
Checks twice: the minimal form (secret + algorithm only), then also the issuer.
"""
import sys

import jwt


def main() -> int:
    token, secret, issuer = sys.argv[1:4]

    minimal = jwt.decode(token, secret, algorithms=["HS256"])
    strict = jwt.decode(
        token,
        secret,
        algorithms=["HS256"],
        issuer=issuer,
        options={"require": ["exp", "iat", "iss", "sub"]},
    )
    assert minimal == strict, (minimal, strict)
    assert set(minimal) == {"sub", "email", "email_verified", "amr", "sid", "iat", "exp", "iss"}, minimal
    assert minimal["email_verified"] is False, "a fresh account's email is not verified yet"

    try:
        jwt.decode(token, secret + "x", algorithms=["HS256"])
    except jwt.InvalidSignatureError:
        pass
    else:
        raise AssertionError("a wrong secret must not verify")

    print(f"PyJWT {jwt.__version__} verified the badge of {minimal['email']} (sub {minimal['sub']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
