import { test, expect, type Page } from "@playwright/test";
import { PASSWORD, readyFor, signUpFresh, submitCredentials, totpCode } from "./fixtures";

// Two-factor authentication from the account page, then signing in with a code and with a
// backup code: hydrated (WebAssembly) and as plain HTML forms.
for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "with WebAssembly" : "without JavaScript";

  test.describe(mode, () => {
    test.use({ javaScriptEnabled });

    const ready = (page: Page) => readyFor(page, javaScriptEnabled);

    const signOut = async (page: Page) => {
      await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
      await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
    };

    /** Signs in with the password; two-factor being on, the second step's page comes. */
    const signInToSecondStep = async (page: Page, email: string) => {
      await page.goto("/sign-in");
      await ready(page);
      await submitCredentials(page, "Sign in", email, PASSWORD);
      await expect(page).toHaveURL(/\/sign-in\/two-factor$/);
      await expect(page.getByRole("heading", { name: "Two-factor authentication" })).toBeVisible();
      await ready(page);
    };

    const answer = async (page: Page, code: string) => {
      await page.getByLabel("Authentication code").fill(code);
      await page.getByRole("button", { name: "Verify" }).click();
    };

    test("turn two-factor on from the account page, then sign in with a code and with a backup code", async ({
      page,
    }) => {
      const email = await signUpFresh(page, "two-factor", javaScriptEnabled);
      await page.goto("/account");
      await ready(page);
      const section = page.getByRole("region", { name: "Two-factor authentication" });

      await section.getByRole("link", { name: "Set up two-factor authentication" }).click();
      await ready(page);
      await section.getByLabel("Confirm with your password").fill(PASSWORD);
      await section.getByRole("button", { name: "Set up two-factor authentication" }).click();
      await expect(section.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
      await ready(page);
      const setupKey = (await section.getByLabel("Setup key").textContent())!.trim();
      // This step turns it on; the next one (valid now too: one step of drift is allowed) signs
      // in below, so a step boundary passing meanwhile leaves both codes valid.
      await section.getByLabel("Authentication code").fill(totpCode(setupKey, 0));
      await section.getByRole("button", { name: "Turn on two-factor" }).click();
      await expect(section.getByText("Two-factor authentication is on")).toBeVisible();
      const backupCodes = await section.getByRole("list", { name: "Backup codes" }).getByRole("listitem").allTextContents();
      expect(backupCodes).toHaveLength(10);
      // Shown once: the next visit no longer lists them.
      await page.goto("/account");
      await expect(section.getByText("Two-factor authentication is on")).toBeVisible();
      await expect(section.getByRole("list", { name: "Backup codes" })).toHaveCount(0);

      await signOut(page);
      await signInToSecondStep(page, email);
      await answer(page, "000000");
      await expect(page.getByRole("alert")).toContainText("That code is not right");
      await ready(page);
      await answer(page, totpCode(setupKey, 1));
      await expect(page.getByRole("banner")).toContainText(email);

      await signOut(page);
      await signInToSecondStep(page, email);
      await answer(page, backupCodes[0]);
      await expect(page.getByRole("banner")).toContainText(email);
    });
  });
}

test("destructive buttons look destructive", async ({ page }) => {
  await signUpFresh(page, "destructive", true);
  await page.goto("/account");

  const deleteButton = page.getByRole("button", { name: "Delete account" });
  const changeButton = page.getByRole("button", { name: "Change password" });
  const colour = (button: typeof deleteButton) =>
    button.evaluate((element) => getComputedStyle(element).backgroundColor);

  expect(await colour(deleteButton)).not.toBe(await colour(changeButton));
});
