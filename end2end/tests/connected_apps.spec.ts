import { test, expect, type Page } from "@playwright/test";
import { readyFor, signUpFresh } from "./fixtures";

// The account page's "Connected apps": each app the person allowed (the example apps .ci/e2e
// starts and registers, end2end/oidc/*_client.*), what it may do, and Revoke, with and without
// JavaScript (Revoke is a plain form either way).
const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const node = { name: "Node Example App", url: process.env.NODE_APP_URL ?? "http://127.0.0.1:3001" };
const python = { name: "Python Example App", url: process.env.PYTHON_APP_URL ?? "http://127.0.0.1:3002" };
type App = typeof node;

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "with WebAssembly" : "without JavaScript";

  test.describe(mode, () => {
    test.use({ javaScriptEnabled });
    const ready = (page: Page) => readyFor(page, javaScriptEnabled);

    /** Signed in at Badge: the app's login goes to its consent page, and Allow back to the app. */
    const allow = async (page: Page, app: App) => {
      await page.goto(`${app.url}/login`);
      await expect(page.getByRole("heading", { name: `Allow ${app.name}?` })).toBeVisible();
      await ready(page);
      await page.getByRole("button", { name: "Allow", exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`^${app.url}/callback\\?`));
      await expect(page.getByRole("status")).toContainText("Signed in as");
    };

    const openAccount = async (page: Page) => {
      await page.goto(`${base}/account`);
      await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
      await ready(page);
    };

    test("an allowed app is listed under Connected apps until it is revoked", async ({ page }) => {
      await signUpFresh(page, "apps", javaScriptEnabled);
      await openAccount(page);
      const section = page.getByRole("region", { name: "Connected apps" });
      await expect(section).toContainText("No app signs you in with Badge yet.");

      await allow(page, node);
      await allow(page, python);
      await openAccount(page);
      // Each app a list item: its name, what it may do in words, when it last used that.
      const apps = section.getByRole("list", { name: "Connected apps" });
      const item = (app: App) => apps.getByRole("listitem").filter({ hasText: app.name });
      for (const app of [node, python]) {
        await expect(item(app).getByRole("strong")).toHaveText(app.name);
        await expect(item(app).getByRole("list").getByRole("listitem")).toHaveText([
          "Know who you are on Badge (an identifier for your account)",
          "See your email address and whether it is verified",
        ]);
        await expect(item(app)).toContainText("Last used ");
      }

      await item(python).getByRole("button", { name: "Revoke", exact: true }).click();
      await expect(page).toHaveURL(/\/account\?notice=app-revoked/);
      await expect(page.getByRole("status")).toHaveText("Revoked. That app can no longer use your Badge account.");
      await expect(item(python)).toHaveCount(0);
      await expect(item(node)).toHaveCount(1);
      await ready(page);

      await item(node).getByRole("button", { name: "Revoke", exact: true }).click();
      await expect(section).toContainText("No app signs you in with Badge yet.");
      await expect(page.getByRole("status")).toHaveText("Revoked. That app can no longer use your Badge account.");

      // A revoked app asks again: its next sign-in stops at the consent page.
      await page.goto(`${python.url}/login`);
      await expect(page.getByRole("heading", { name: `Allow ${python.name}?` })).toBeVisible();
    });
  });
}
