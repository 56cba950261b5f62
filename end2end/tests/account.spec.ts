import { test, expect, type Browser, type Page } from "@playwright/test";
import { PASSWORD, recordConsoleErrors, readyFor, signUpFresh, submitCredentials } from "./fixtures";

const NEW_PASSWORD = "a brand new passphrase";

// The account page's journeys twice: hydrated (WebAssembly) and as plain HTML forms.
for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "with WebAssembly" : "without JavaScript";

  test.describe(mode, () => {
    test.use({ javaScriptEnabled });

    const ready = (page: Page) => readyFor(page, javaScriptEnabled);

    /** A new page in its own browser context (its own cookies), like a second device. */
    const newDevice = async (browser: Browser) =>
      (await browser.newContext({ javaScriptEnabled })).newPage();

    const signUp = (page: Page, tag: string) => signUpFresh(page, tag, javaScriptEnabled);

    const signIn = async (page: Page, email: string, password: string) => {
      await page.goto("/sign-in");
      await ready(page);
      await submitCredentials(page, "Sign in", email, password);
    };

    const openAccount = async (page: Page) => {
      await page.getByRole("banner").getByRole("link", { name: "Account" }).click();
      await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
      await ready(page);
    };

    test("revoking another browser's session from /account signs it out", async ({ page, browser }) => {
      const email = await signUp(page, "revoke");
      const other = await newDevice(browser);
      await signIn(other, email, PASSWORD);
      await expect(other.getByRole("banner")).toContainText(email);

      await openAccount(page);
      const sessions = page.getByRole("list", { name: "Sessions" });
      await expect(sessions.getByRole("listitem")).toHaveCount(2);
      await expect(sessions.getByRole("listitem").filter({ hasText: "This device" })).toHaveCount(1);
      await sessions.getByRole("listitem").filter({ hasNotText: "This device" }).getByRole("button", { name: "Revoke" }).click();
      await expect(sessions.getByRole("listitem")).toHaveCount(1);

      await other.goto("/");
      await expect(other.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
      await expect(other.getByRole("banner")).not.toContainText(email);
      await other.context().close();
    });

    test("sign out everywhere else keeps only this browser", async ({ page, browser }) => {
      const email = await signUp(page, "others");
      const other = await newDevice(browser);
      await signIn(other, email, PASSWORD);
      await expect(other.getByRole("banner")).toContainText(email);

      await openAccount(page);
      await page.getByRole("button", { name: "Sign out everywhere else" }).click();
      await expect(page.getByRole("list", { name: "Sessions" }).getByRole("listitem")).toHaveCount(1);

      await other.goto("/account");
      await expect(other).toHaveURL(/\/sign-in\?next=%2Faccount$/);
      await expect(page.getByRole("banner")).toContainText(email);
      await other.context().close();
    });

    test("change password, then the old password fails and the new one works", async ({ page }) => {
      const errors = recordConsoleErrors(page);
      const email = await signUp(page, "change");

      await openAccount(page);
      await page.getByLabel("Current password").fill(PASSWORD);
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Change password" }).click();
      await expect(page.getByRole("status")).toContainText("Password changed");

      await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
      await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
      await signIn(page, email, PASSWORD);
      await expect(page.getByRole("alert")).toHaveText("Invalid email or password");
      await signIn(page, email, NEW_PASSWORD);
      await expect(page.getByRole("banner")).toContainText(email);
      // The sign-in with the old password answered 401 (a console line); nothing else went wrong.
      expect(errors.filter((e) => !e.includes("401"))).toEqual([]);
    });

    test("a wrong current password is refused in words", async ({ page }) => {
      await signUp(page, "wrong-current");

      await openAccount(page);
      await page.getByLabel("Current password").fill("not the password");
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Change password" }).click();

      await expect(page.getByRole("alert")).toHaveText("That password is not correct.");
      // Hydrated, the section's island answers in place, with no page load.
      await expect(page).toHaveURL(javaScriptEnabled ? /\/account$/ : /\/account\?.*__err=/);
    });

    test("delete account, then signing in fails", async ({ page }) => {
      const email = await signUp(page, "delete");

      await openAccount(page);
      await page.getByLabel("Confirm with your password").fill(PASSWORD);
      await page.getByRole("button", { name: "Delete account" }).click();
      await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
      await expect(page).toHaveURL(/\/$/);

      await signIn(page, email, PASSWORD);
      await expect(page.getByRole("alert")).toHaveText("Invalid email or password");
    });

    test("signed out, /account leads to sign-in and back to /account", async ({ page }) => {
      const email = await signUp(page, "next");
      await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
      await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();

      await page.goto("/account");
      await expect(page).toHaveURL(/\/sign-in\?next=%2Faccount$/);
      await ready(page);
      await submitCredentials(page, "Sign in", email, PASSWORD);

      await expect(page).toHaveURL(/\/account$/);
      await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
    });
  });
}
