import { test, expect, type Page } from "@playwright/test";
import {
  PASSWORD,
  recordConsoleErrors,
  recordConsoleProblems,
  readyFor,
  submitCredentials,
  uniqueEmail,
  waitForHydration,
} from "./fixtures";

// The same journeys twice: hydrated (WebAssembly) and as plain HTML forms (no JavaScript).
for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "with WebAssembly" : "without JavaScript";

  test.describe(mode, () => {
    test.use({ javaScriptEnabled });

    const ready = (page: Page) => readyFor(page, javaScriptEnabled);

    /** An account that exists, with the browser signed out again. */
    const existingAccount = async (page: Page, tag: string) => {
      const email = uniqueEmail(`${javaScriptEnabled ? "wasm" : "nojs"}-${tag}`);
      const header = page.getByRole("banner");
      await page.goto("/sign-up");
      await ready(page);
      await submitCredentials(page, "Sign up", email, PASSWORD);
      await expect(header).toContainText(email);
      await header.getByRole("button", { name: "Sign out" }).click();
      await expect(header.getByRole("link", { name: "Sign in" })).toBeVisible();
      return email;
    };

    test("sign up lands on / showing the email, sign out shows Sign in, sign in again", async ({ page }) => {
      const errors = recordConsoleErrors(page);
      const email = uniqueEmail(javaScriptEnabled ? "wasm" : "nojs");
      const header = page.getByRole("banner");

      await page.goto("/sign-up");
      await ready(page);
      await submitCredentials(page, "Sign up", email, PASSWORD);
      await expect(page).toHaveURL(/\/\?notice=welcome$/);
      await expect(page.getByRole("status").filter({ hasText: "Welcome!" })).toHaveText(
        "Welcome! We have sent you a link to verify your email address.",
      );
      await expect(header).toContainText(email);

      await header.getByRole("button", { name: "Sign out" }).click();
      await expect(header.getByRole("link", { name: "Sign in" })).toBeVisible();
      await expect(header).not.toContainText(email);

      await header.getByRole("link", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/sign-in$/);
      await ready(page);
      await submitCredentials(page, "Sign in", email, PASSWORD);
      await expect(page).toHaveURL(/\/$/);
      await expect(header).toContainText(email);

      expect(errors).toEqual([]);
    });

    test("a wrong password shows the alert and stays signed out", async ({ page }) => {
      const email = await existingAccount(page, "wrong");

      await page.goto("/sign-in");
      await ready(page);
      await submitCredentials(page, "Sign in", email, "definitely not it");

      await expect(page.getByRole("alert")).toHaveText("Invalid email or password");
      await expect(page.getByRole("banner")).not.toContainText(email);
      // Hydrated, the form's island answers in place; a plain form comes back with the error
      // in the URL.
      await expect(page).toHaveURL(javaScriptEnabled ? /\/sign-in$/ : /\/sign-in\?.*__err=/);
    });

    test("a taken email on sign-up shows the alert", async ({ page }) => {
      const email = await existingAccount(page, "taken");

      await page.goto("/sign-up");
      await ready(page);
      await submitCredentials(page, "Sign up", email, PASSWORD);

      await expect(page.getByRole("alert")).toContainText("already exists");
    });
  });
}

test("the forms carry what password managers and phones expect", async ({ page }) => {
  await page.goto("/sign-up");
  const email = page.getByLabel("Email");
  const password = page.getByLabel("Password");
  await expect(email).toHaveAttribute("type", "email");
  await expect(email).toHaveAttribute("autocomplete", "email");
  await expect(email).toHaveAttribute("maxlength", "254");
  await expect(password).toHaveAttribute("autocomplete", "new-password");
  await expect(password).toHaveAttribute("minlength", "8");
  await expect(password).toHaveAttribute("maxlength", "128");

  await page.goto("/sign-in");
  await expect(page.getByLabel("Password")).toHaveAttribute("autocomplete", "current-password");
  await expect(page.getByLabel("Email")).toHaveAttribute("required", "");
});

// A plain form's error comes back in the URL; the island reads it there too, so the page the
// server rendered and the one the browser hydrates agree, and the alert stays.
test("a plain form's error in the URL survives hydration", async ({ browser, page }) => {
  const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await plain.goto("/sign-in");
  await submitCredentials(plain, "Sign in", uniqueEmail("url-error"), PASSWORD);
  await expect(plain).toHaveURL(/__err=/);
  const withError = plain.url();
  await plain.context().close();

  const problems = recordConsoleProblems(page);
  await page.goto(withError);
  await waitForHydration(page);

  await expect(page.getByRole("alert")).toHaveText("Invalid email or password");
  expect(problems).toEqual([]);
});
