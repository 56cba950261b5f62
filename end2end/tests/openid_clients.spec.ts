import { test, expect, type APIRequestContext, type Page } from "@playwright/test";
import { PASSWORD, readyFor, submitCredentials, uniqueEmail } from "./fixtures";

// Badge as an OpenID Provider, for two example apps on certified client libraries (started and
// registered by .ci/e2e, end2end/oidc/*_client.*): Node `openid-client` as a confidential client
// and Python Authlib as a public one, both with PKCE. Each app verifies the RS256 id_token through
// Badge's JWKS and calls userinfo before it says who signed in. Badge's pages run with and
// without JavaScript (without it, sign-in and consent are plain form posts that Badge redirects).
// The Node app also refreshes its tokens, introspects the new access token, and signs out of Badge
// (RP-initiated logout, to its registered post-logout URI).
const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const apps = [
  { name: "Node Example App", url: process.env.NODE_APP_URL ?? "http://127.0.0.1:3001" },
  { name: "Python Example App", url: process.env.PYTHON_APP_URL ?? "http://127.0.0.1:3002" },
];

/** A new Badge account, made through the API so the browser itself stays signed out. */
async function newAccount(request: APIRequestContext): Promise<string> {
  const email = uniqueEmail("openid-client");
  const response = await request.post(`${base}/api/auth/sign-up`, {
    headers: { Origin: base, Accept: "application/json" },
    form: { email, password: PASSWORD },
  });
  expect(response.ok()).toBe(true);
  return email;
}

/** The app's page once it verified the id_token and read userinfo. */
async function expectSignedIn(page: Page, appUrl: string, email: string) {
  await expect(page).toHaveURL(new RegExp(`^${appUrl}/callback\\?`));
  await expect(page.getByRole("status")).toHaveText(`Signed in as ${email}`);
  await expect(page.getByTestId("sub")).not.toBeEmpty();
  await expect(page.getByTestId("userinfo-email")).toHaveText(email);
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "with WebAssembly" : "without JavaScript";

  for (const app of apps) {
    test.describe(`${app.name} ${mode}`, () => {
      test.use({ javaScriptEnabled });
      const ready = (page: Page) => readyFor(page, javaScriptEnabled);

      /** Opens the app's login: a signed-out browser lands on Badge's sign-in, and signs in. */
      const signInFromApp = async (page: Page, email: string) => {
        await page.goto(`${app.url}/login`);
        await expect(page).toHaveURL(new RegExp(`^${base}/sign-in\\?next=`));
        await ready(page);
        await submitCredentials(page, "Sign in", email, PASSWORD);
      };

      /** The consent page names the app and the scopes it asks for, in words. */
      const expectConsent = async (page: Page) => {
        await expect(page.getByRole("heading", { name: `Allow ${app.name}?` })).toBeVisible();
        await expect(page.getByText(`${app.name} wants to:`)).toBeVisible();
        await expect(page.getByRole("main").getByRole("listitem")).toHaveText([
          "Know who you are on Badge (an identifier for your account)",
          "See your email address and whether it is verified",
        ]);
        await ready(page);
      };

      test("signs in with Badge after sign-in and consent", async ({ page, request }) => {
        const email = await newAccount(request);
        await signInFromApp(page, email);
        await expectConsent(page);
        await page.getByRole("button", { name: "Allow", exact: true }).click();
        await expectSignedIn(page, app.url, email);
      });

      test("Deny sends access_denied back to the app", async ({ page, request }) => {
        const email = await newAccount(request);
        await signInFromApp(page, email);
        await expectConsent(page);
        await page.getByRole("button", { name: "Deny", exact: true }).click();
        await expect(page).toHaveURL(new RegExp(`^${app.url}/callback\\?.*error=access_denied`));
        await expect(page.getByRole("alert")).toContainText("access_denied");
      });

      test("a consent given once is not asked again", async ({ page, request }) => {
        const email = await newAccount(request);
        await signInFromApp(page, email);
        await expectConsent(page);
        await page.getByRole("button", { name: "Allow", exact: true }).click();
        await expectSignedIn(page, app.url, email);

        // Still signed in at Badge: through the authorization (each redirect is a request)
        // straight back to the app.
        const badgePaths: string[] = [];
        page.on("request", (sent) => {
          if (sent.url().startsWith(base)) badgePaths.push(new URL(sent.url()).pathname);
        });
        await page.goto(`${app.url}/login`);
        await expectSignedIn(page, app.url, email);
        expect(badgePaths).toEqual(["/oauth2/authorize"]);

        // Signed out at Badge: its sign-in, then straight back to the app.
        await page.goto(base);
        await ready(page);
        await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
        await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
        badgePaths.length = 0;
        await signInFromApp(page, email);
        await expectSignedIn(page, app.url, email);
        expect(badgePaths).not.toContain("/oauth2/consent");
      });

      if (app.name !== "Node Example App") return;

      /** A new account signed in to the app through Badge's sign-in and consent. */
      const signedInToApp = async (page: Page, request: APIRequestContext) => {
        const email = await newAccount(request);
        await signInFromApp(page, email);
        await expectConsent(page);
        await page.getByRole("button", { name: "Allow", exact: true }).click();
        await expectSignedIn(page, app.url, email);
        return email;
      };

      test("refreshes its tokens and introspects the new access token", async ({ page, request }) => {
        await signedInToApp(page, request);
        await expect(page.getByTestId("refreshed")).toHaveText("yes");
        await expect(page.getByTestId("introspection")).toHaveText("active");
        // The access token lives in this browser's Badge session: the one its badge names too.
        const badge = await page.request.get(`${base}/api/token`);
        expect(badge.status()).toBe(200);
        const { token } = (await badge.json()) as { token: string };
        const { sid } = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as { sid: string };
        expect(sid).toBeTruthy();
        await expect(page.getByTestId("sid")).toHaveText(sid);
      });

      /** The app's "Sign out" link: Badge asks first, naming the app. */
      const askBadgeToSignOut = async (page: Page) => {
        await page.getByRole("link", { name: "Sign out", exact: true }).click();
        await expect(page).toHaveURL(new RegExp(`^${base}/oauth2/end-session\\?`));
        await expect(page.getByRole("heading", { name: "Sign out of Badge?", level: 1 })).toBeVisible();
        await expect(page.getByText(`${app.name} asks to sign you out of Badge.`)).toBeVisible();
      };

      test("its /logout signs out of Badge after confirmation and comes back with the state", async ({
        page,
        request,
      }) => {
        await signedInToApp(page, request);
        await askBadgeToSignOut(page);
        await page.getByRole("button", { name: "Sign out", exact: true }).click();

        // The app checks that the state it sent came back before it says so.
        await expect(page).toHaveURL(new RegExp(`^${app.url}/signed-out\\?state=`));
        const state = new URL(page.url()).searchParams.get("state");
        await expect(page.getByRole("status")).toHaveText(`Signed out of Badge (state ${state} came back)`);

        // Badge's session is over: its pages are signed out, and it mints no badge.
        await page.goto(base);
        await ready(page);
        await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
        expect((await page.request.get(`${base}/api/token`)).status()).toBe(401);
      });

      test("its /logout leaves Badge signed in on Stay signed in", async ({ page, request }) => {
        const email = await signedInToApp(page, request);
        await askBadgeToSignOut(page);
        await page.getByRole("button", { name: "Stay signed in", exact: true }).click();
        await expect(page).toHaveURL(`${base}/`);
        await ready(page);
        await expect(page.getByRole("banner")).toContainText(email);
      });
    });
  }
}
