// make bench's OpenID Provider peer: panva's oidc-provider (OpenID Certified) with its defaults
// (opaque access tokens, Koa), one confidential client (client_secret_basic, PKCE S256), an RSA
// 2048 key signing id_tokens (RS256, as Badge's), and an in-memory store: a plain Map, as the
// built-in development store keeps only the last 1,000 entries and a run makes thousands.
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

// Everything in one Map (no eviction, no expiry: a bench run is minutes), with the grant index
// oidc-provider's adapter interface needs to revoke a grant's tokens.
const store = new Map();
class MapAdapter {
  constructor(model) {
    this.model = model;
  }
  key(id) {
    return `${this.model}:${id}`;
  }
  async upsert(id, payload) {
    store.set(this.key(id), payload);
    if (payload.grantId) {
      const members = store.get(`grant:${payload.grantId}`) ?? new Set();
      members.add(this.key(id));
      store.set(`grant:${payload.grantId}`, members);
    }
    if (payload.uid) store.set(`uid:${payload.uid}`, id);
    if (payload.userCode) store.set(`userCode:${payload.userCode}`, id);
  }
  async find(id) {
    return store.get(this.key(id));
  }
  async findByUid(uid) {
    const id = store.get(`uid:${uid}`);
    return id && this.find(id);
  }
  async findByUserCode(userCode) {
    const id = store.get(`userCode:${userCode}`);
    return id && this.find(id);
  }
  async consume(id) {
    const payload = store.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id) {
    store.delete(this.key(id));
  }
  async revokeByGrantId(grantId) {
    for (const key of store.get(`grant:${grantId}`) ?? []) store.delete(key);
    store.delete(`grant:${grantId}`);
  }
}

const provider = new Provider(issuer, {
  adapter: MapAdapter,
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
