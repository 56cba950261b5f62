import { test, expect, type APIRequestContext, type Page } from "@playwright/test";
import { PASSWORD, readyFor, submitCredentials, uniqueEmail } from "./fixtures";

// Badge as an OpenID Provider, for two example apps on certified client libraries (started and
// registered by .ci/e2e, end2end/oidc/*_client.*): Node `openid-client` as a confidential client
// and Python Authlib as a public one, both with PKCE. Each app verifies the RS256 id_token through
// Badge's JWKS and calls userinfo before it says who signed in. Badge's pages run with and
// without JavaScript (without it, sign-in and consent are plain form posts that Badge redirects).
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
    });
  }
}
