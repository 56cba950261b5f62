// An example app that signs in with Badge, through the OpenID Certified `openid-client`:
// the authorization code flow with PKCE (S256), state and nonce, as a confidential client.
//   node end2end/oidc/node_client.mjs PORT ISSUER CLIENT_ID CLIENT_SECRET
// Register it first: `badge clients add "Node Example App" --redirect-uri http://127.0.0.1:PORT/callback`.
// Open http://127.0.0.1:PORT/login; the callback shows who signed in, from the verified id_token.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import * as client from "openid-client";

const [port, issuer, clientId, clientSecret] = process.argv.slice(2);
const redirectUri = `http://127.0.0.1:${port}/callback`;

// Discovery reads the endpoints and the JWKS address. openid-client refuses plain http unless
// told otherwise: allowed here only because the tests run on the loopback interface.
const config = await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(clientSecret), {
  execute: [client.allowInsecureRequests],
});

// Logins under way, by the random id in this app's cookie (its own name: cookies ignore ports,
// so this app shares 127.0.0.1 with Badge's).
const logins = new Map();
const cookieName = "node_example_login";

const page = (body) => `<!doctype html><title>Node example app</title><main>${body}</main>`;
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function handle(request, response) {
  const url = new URL(request.url, `http://127.0.0.1:${port}`);
  if (url.pathname === "/login") {
    const login = {
      codeVerifier: client.randomPKCECodeVerifier(),
      state: client.randomState(),
      nonce: client.randomNonce(),
    };
    const id = randomBytes(16).toString("hex");
    logins.set(id, login);
    const authorization = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: "openid email",
      code_challenge: await client.calculatePKCECodeChallenge(login.codeVerifier),
      code_challenge_method: "S256",
      state: login.state,
      nonce: login.nonce,
    });
    response.writeHead(302, {
      location: authorization.href,
      "set-cookie": `${cookieName}=${id}; Path=/; HttpOnly; SameSite=Lax`,
    });
    return response.end();
  }
  if (url.pathname === "/callback") {
    const id = /(?:^|;\s*)node_example_login=(\w+)/.exec(request.headers.cookie ?? "")?.[1];
    const login = logins.get(id);
    logins.delete(id);
    if (!login) return reply(response, 400, `<p role="alert">This sign-in did not start here.</p>`);
    try {
      // Checks state and iss, redeems the code with the verifier, and verifies the id_token
      // (RS256 signature through the JWKS, iss, aud, exp, nonce).
      const tokens = await client.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      return reply(
        response,
        200,
        `<p role="status">Signed in as ${escape(claims.email)}</p>
        <dl><dt>sub</dt><dd data-testid="sub">${escape(claims.sub)}</dd>
        <dt>userinfo email</dt><dd data-testid="userinfo-email">${escape(userinfo.email)}</dd></dl>`,
      );
    } catch (error) {
      // A refusal (`error=access_denied`) arrives as an AuthorizationResponseError with `error`;
      // openid-client's own checks say what failed in `cause`.
      const why = error.error ?? [error.message, error.cause?.message].filter(Boolean).join(": ");
      return reply(response, 400, `<p role="alert">Sign-in failed: ${escape(why)}</p>`);
    }
  }
  reply(response, 200, `<a href="/login">Sign in with Badge</a>`);
}

function reply(response, status, body) {
  response.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  response.end(page(body));
}

createServer((request, response) =>
  handle(request, response).catch((error) => reply(response, 500, `<p role="alert">${escape(error.message)}</p>`)),
).listen(Number(port), "127.0.0.1", () => console.log("ready"));
