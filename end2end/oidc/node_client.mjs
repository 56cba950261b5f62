// An example app that signs in with Badge, through the OpenID Certified `openid-client`:
// the authorization code flow with PKCE (S256), state and nonce, as a confidential client; then
// a refresh, an introspection, and RP-initiated logout.
//   node end2end/oidc/node_client.mjs PORT ISSUER CLIENT_ID CLIENT_SECRET
// Register it first: `badge clients add "Node Example App" --redirect-uri http://127.0.0.1:PORT/callback
// --post-logout-uri http://127.0.0.1:PORT/signed-out`. Open http://127.0.0.1:PORT/login; the
// callback shows who signed in, from the verified id_token; /logout signs out of Badge.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import * as client from "openid-client";

const [port, issuer, clientId, clientSecret] = process.argv.slice(2);
const redirectUri = `http://127.0.0.1:${port}/callback`;
const postLogoutUri = `http://127.0.0.1:${port}/signed-out`;

// Discovery reads the endpoints and the JWKS address. openid-client refuses plain http unless
// told otherwise: allowed here only because the tests run on the loopback interface.
const config = await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(clientSecret), {
  execute: [client.allowInsecureRequests],
});

// What this app remembers of each browser, by the random id in its cookie (its own name: cookies
// ignore ports, so this app shares 127.0.0.1 with Badge's): a login under way, then the id_token
// (the hint for logout), then a logout under way.
const browsers = new Map();
const cookieName = "node_example_app";
const browserId = (request) => new RegExp(`(?:^|;\\s*)${cookieName}=(\\w+)`).exec(request.headers.cookie ?? "")?.[1];

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
    browsers.set(id, { login });
    const authorization = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: "openid email",
      code_challenge: await client.calculatePKCECodeChallenge(login.codeVerifier),
      code_challenge_method: "S256",
      state: login.state,
      nonce: login.nonce,
    });
    return redirect(response, authorization.href, `${cookieName}=${id}; Path=/; HttpOnly; SameSite=Lax`);
  }
  if (url.pathname === "/callback") {
    const id = browserId(request);
    const login = browsers.get(id)?.login;
    browsers.delete(id);
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
      // A new access token for the refresh token, which rotates: keep the new one, the old one
      // is spent (presented again, it would end the whole family).
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
      // Badge's word on the new access token: live, for whom, in which Badge session (sid).
      const introspection = await client.tokenIntrospection(config, refreshed.access_token);
      browsers.set(id, { idToken: tokens.id_token });
      return reply(
        response,
        200,
        `<p role="status">Signed in as ${escape(claims.email)}</p>
        <dl><dt>sub</dt><dd data-testid="sub">${escape(claims.sub)}</dd>
        <dt>userinfo email</dt><dd data-testid="userinfo-email">${escape(userinfo.email)}</dd>
        <dt>Refreshed</dt><dd data-testid="refreshed">yes</dd>
        <dt>Introspection</dt><dd data-testid="introspection">${introspection.active ? "active" : "inactive"}</dd>
        <dt>sid</dt><dd data-testid="sid">${escape(introspection.sid ?? "")}</dd></dl>
        <a href="/logout">Sign out</a>`,
      );
    } catch (error) {
      // A refusal (`error=access_denied`) arrives as an AuthorizationResponseError with `error`;
      // openid-client's own checks say what failed in `cause`.
      const why = error.error ?? [error.message, error.cause?.message].filter(Boolean).join(": ");
      return reply(response, 400, `<p role="alert">Sign-in failed: ${escape(why)}</p>`);
    }
  }
  if (url.pathname === "/logout") {
    // RP-initiated logout: Badge asks the person to confirm, then sends them to the registered
    // post-logout URI with this state.
    const id = browserId(request);
    const idToken = browsers.get(id)?.idToken;
    if (!idToken) return redirect(response, "/");
    const state = client.randomState();
    browsers.set(id, { logoutState: state });
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: postLogoutUri,
      state,
    });
    return redirect(response, endSession.href);
  }
  if (url.pathname === "/signed-out") {
    const id = browserId(request);
    const expected = browsers.get(id)?.logoutState;
    browsers.delete(id);
    if (!expected || url.searchParams.get("state") !== expected) {
      return reply(response, 400, `<p role="alert">This sign-out did not start here.</p>`);
    }
    return reply(response, 200, `<p role="status">Signed out of Badge (state ${escape(expected)} came back)</p>`);
  }
  reply(response, 200, `<a href="/login">Sign in with Badge</a>`);
}

function redirect(response, location, cookie) {
  response.writeHead(302, cookie ? { location, "set-cookie": cookie } : { location });
  response.end();
}

function reply(response, status, body) {
  response.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  response.end(page(body));
}

createServer((request, response) =>
  handle(request, response).catch((error) => reply(response, 500, `<p role="alert">${escape(error.message)}</p>`)),
).listen(Number(port), "127.0.0.1", () => console.log("ready"));
