"""Verifies an EdDSA Badge JWT the way a Python backend would: PyJWT's PyJWKClient on the JWKS,
so the backend holds no secret at all.

Usage: verify_eddsa.py TOKEN JWKS_URL ISSUER
"""
import sys

import jwt


def main() -> int:
    token, jwks_url, issuer = sys.argv[1:4]

    signing_key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        signing_key.key,
        algorithms=["EdDSA"],  # never take the algorithm from the token
        issuer=issuer,
        options={"require": ["exp", "iat", "iss", "sub"]},
    )
    assert set(claims) == {"sub", "email", "email_verified", "amr", "sid", "iat", "exp", "iss"}, claims
    assert jwt.get_unverified_header(token)["kid"] == signing_key.key_id

    print(f"PyJWT {jwt.__version__} verified the EdDSA badge of {claims['email']} (kid {signing_key.key_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
