import { test, expect, type APIRequestContext, type Page } from "@playwright/test";
import { PASSWORD, submitCredentials, uniqueEmail, waitForHydration } from "./fixtures";

// Badge as an OpenID Provider, for two example apps on certified client libraries (started and
// registered by .ci/e2e, end2end/oidc/*_client.*): Node `openid-client` as a confidential client
// and Python Authlib as a public one, both with PKCE. Each app verifies the RS256 id_token through
// Badge's JWKS and calls userinfo before it says who signed in.
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

/** Opens the app's login, which sends a signed-out browser to Badge's sign-in; signs in there. */
async function startAtApp(page: Page, appUrl: string, email: string) {
  await page.goto(`${appUrl}/login`);
  await expect(page).toHaveURL(new RegExp(`^${base}/sign-in\\?next=`));
  await waitForHydration(page);
  await submitCredentials(page, "Sign in", email, PASSWORD);
}

/** The consent page for `appName`, hydrated, with the scopes the apps ask for in words. */
async function expectConsent(page: Page, appName: string) {
  await expect(page.getByRole("heading", { name: `Allow ${appName}?` })).toBeVisible();
  await expect(page.getByText(`${appName} wants to:`)).toBeVisible();
  const scopes = page.getByRole("listitem");
  await expect(scopes).toHaveText([
    "Know who you are on Badge (an identifier for your account)",
    "See your email address and whether it is verified",
  ]);
  await waitForHydration(page);
}

/** The app's page once it verified the id_token and read userinfo. */
async function expectSignedIn(page: Page, appUrl: string, email: string) {
  await expect(page).toHaveURL(new RegExp(`^${appUrl}/callback\\?`));
  await expect(page.getByRole("status")).toHaveText(`Signed in as ${email}`);
  await expect(page.getByTestId("sub")).not.toBeEmpty();
  await expect(page.getByTestId("userinfo-email")).toHaveText(email);
}

for (const app of apps) {
  test.describe(app.name, () => {
    test("signs in with Badge after sign-in and consent", async ({ page, request }) => {
      const email = await newAccount(request);
      await startAtApp(page, app.url, email);
      await expectConsent(page, app.name);
      await page.getByRole("button", { name: "Allow", exact: true }).click();
      await expectSignedIn(page, app.url, email);
    });

    test("a second sign-in skips the consent it remembers", async ({ page, request }) => {
      const email = await newAccount(request);
      await startAtApp(page, app.url, email);
      await expectConsent(page, app.name);
      await page.getByRole("button", { name: "Allow", exact: true }).click();
      await expectSignedIn(page, app.url, email);

      // Still signed in at Badge, with the consent given: through the authorization (each
      // redirect is a request) straight back to the app.
      const badgePaths: string[] = [];
      page.on("request", (sent) => {
        if (sent.url().startsWith(base)) badgePaths.push(new URL(sent.url()).pathname);
      });
      await page.goto(`${app.url}/login`);
      await expectSignedIn(page, app.url, email);
      expect(badgePaths).toEqual(["/oauth2/authorize"]);
    });

    test("Deny sends access_denied back to the app", async ({ page, request }) => {
      const email = await newAccount(request);
      await startAtApp(page, app.url, email);
      await expectConsent(page, app.name);
      await page.getByRole("button", { name: "Deny", exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`^${app.url}/callback\\?.*error=access_denied`));
      await expect(page.getByRole("alert")).toContainText("access_denied");
    });
  });
}
