// A real OpenID Provider for the tests: panva's oidc-provider (OpenID Certified) with one static
// client and its development login pages. Usage:
//   node end2end/oidc/provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI...
// The login name is the subject (any password); what the provider says about its email is set
// first with `POST /test/accounts`, so a test chooses the subject, the email and whether the
// provider vouches for it. It prints "ready" once it listens on http://localhost:PORT.
import Provider from "oidc-provider";

const [port, clientId, clientSecret, ...redirectUris] = process.argv.slice(2);
const issuer = `http://localhost:${port}`;
const accounts = new Map();

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  cookies: { keys: ["badge-tests-only-cookie-key"] },
  features: { devInteractions: { enabled: true } },
  // The login is the subject; its email and whether it is verified are what the test last set.
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        const known = accounts.get(sub) ?? {};
        return { sub, ...known, name: known.email };
      },
    };
  },
  // A first-party test client: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email profile");
    grant.addOIDCClaims(["email", "email_verified", "name"]);
    await grant.save();
    return grant;
  },
});
provider.on("server_error", (_ctx, error) => console.error(error));

// The tests' own door: `POST /test/accounts` (`sub`, `email`, `email_verified`) sets what the
// provider says about a subject from its next sign-in on.
provider.use(async (ctx, next) => {
  if (ctx.method !== "POST" || ctx.path !== "/test/accounts") return next();
  let body = "";
  for await (const chunk of ctx.req) body += chunk;
  const fields = new URLSearchParams(body);
  accounts.set(fields.get("sub"), { email: fields.get("email"), email_verified: fields.get("email_verified") === "true" });
  ctx.status = 204;
});

provider.listen(Number(port), "127.0.0.1", () => console.log("ready"));
