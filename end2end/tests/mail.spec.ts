import { test, expect, type Page } from "@playwright/test";
import { PASSWORD, linkFromMail, readyFor, signUpFresh, submitCredentials } from "./fixtures";

const NEW_PASSWORD = "a brand new passphrase";

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "with WebAssembly" : "without JavaScript";

  test.describe(mode, () => {
    test.use({ javaScriptEnabled });
    const ready = (page: Page) => readyFor(page, javaScriptEnabled);

    const signUp = (page: Page, tag: string) => signUpFresh(page, tag, javaScriptEnabled);

    test("forgot password: the mailed link sets a new password, then sign in with it", async ({ page }) => {
      const email = await signUp(page, "forgot");
      const header = page.getByRole("banner");
      await header.getByRole("button", { name: "Sign out" }).click();
      await header.getByRole("link", { name: "Sign in" }).click();
      await page.getByRole("link", { name: "Forgot password?" }).click();
      await expect(page).toHaveURL(/\/forgot-password/);
      await ready(page);

      await page.getByLabel("Email").fill(email);
      await page.getByRole("button", { name: "Send reset link" }).click();
      await expect(page.getByRole("status")).toContainText("on its way");

      const link = await linkFromMail(email, "Reset your password", "/reset-password");
      await page.goto(link);
      await ready(page);
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Set new password" }).click();
      await expect(page).toHaveURL(/\/sign-in\?notice=password-reset$/);
      await expect(page.getByRole("status")).toContainText("Sign in with the new password");

      await ready(page);
      await submitCredentials(page, "Sign in", email, PASSWORD);
      await expect(page.getByRole("alert")).toHaveText("Invalid email or password");
      await page.goto("/sign-in");
      await ready(page);
      await submitCredentials(page, "Sign in", email, NEW_PASSWORD);
      await expect(header).toContainText(email);
    });

    test("the mailed verification link verifies once its button is pressed", async ({ page }) => {
      const email = await signUp(page, "verify");

      await page.goto(await linkFromMail(email, "Verify your email address", "/verify-email"));
      await expect(page.getByRole("heading", { name: "Confirm your email address" })).toBeVisible();
      await ready(page);
      await page.getByRole("button", { name: "Verify email" }).click();

      await expect(page.getByRole("heading", { name: "Email verified" })).toBeVisible();
      await page.goto("/account");
      await expect(page.getByText("Email verified")).toBeVisible();
    });
  });
}
