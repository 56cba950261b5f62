// make bench's OpenID Provider peer: panva's oidc-provider (OpenID Certified), as its README
// starts it: its defaults (opaque access tokens, the in-memory store, Koa), one confidential
// client (client_secret_basic, PKCE S256), an RSA 2048 key signing id_tokens (RS256, as Badge's).
//   PORT=… CLIENT_ID=… CLIENT_SECRET=… REDIRECT_URI=… node server.mjs
// `POST /bench/codes` (`n`, `code_challenge`) mints n authorization codes for the one account, as a
// finished authorization would leave them (its grant holds `openid email`), and answers them one
// per line: the bench then prices the code exchange alone, as it does for Badge.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import Provider from "oidc-provider";

const { PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } = process.env;
const issuer = `http://127.0.0.1:${PORT}`;
const ACCOUNT = "bench-account";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const key = { ...privateKey.export({ format: "jwk" }), kid: randomUUID(), alg: "RS256", use: "sig" };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  jwks: { keys: [key] },
  claims: { openid: ["sub"], email: ["email", "email_verified"] },
  cookies: { keys: [randomUUID()] },
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, email: "bench@example.com", email_verified: true };
      },
    };
  },
});
provider.on("server_error", (_ctx, error) => console.error(error));

provider.use(async (ctx, next) => {
  if (ctx.method !== "POST" || ctx.path !== "/bench/codes") return next();
  let body = "";
  for await (const chunk of ctx.req) body += chunk;
  const fields = new URLSearchParams(body);
  const client = await provider.Client.find(CLIENT_ID);
  const grant = new provider.Grant({ clientId: CLIENT_ID, accountId: ACCOUNT });
  grant.addOIDCScope("openid email");
  const grantId = await grant.save();
  const codes = [];
  for (let i = 0; i < Number(fields.get("n")); i += 1) {
    const code = new provider.AuthorizationCode({
      accountId: ACCOUNT,
      authTime: Math.floor(Date.now() / 1000),
      client,
      codeChallenge: fields.get("code_challenge"),
      codeChallengeMethod: "S256",
      grantId,
      redirectUri: REDIRECT_URI,
      scope: "openid email",
    });
    codes.push(await code.save());
  }
  ctx.body = codes.join("\n");
});

provider.listen(Number(PORT), "127.0.0.1", () => console.log("ready"));
