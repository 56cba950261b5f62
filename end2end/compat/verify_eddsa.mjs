// Verifies an EdDSA Badge JWT the way a Node backend would: jose's remote JWKS, no secret.
// Usage: node verify_eddsa.mjs TOKEN JWKS_URL ISSUER
import { createRemoteJWKSet, jwtVerify } from "jose";

const [token, jwksUrl, issuer] = process.argv.slice(2);
const jwks = createRemoteJWKSet(new URL(jwksUrl));
const { payload, protectedHeader } = await jwtVerify(token, jwks, {
  issuer,
  algorithms: ["EdDSA"],
  requiredClaims: ["exp", "iat", "sub"],
});
console.log(`jose verified the EdDSA badge of ${payload.email} (kid ${protectedHeader.kid})`);
