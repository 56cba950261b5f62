import { test, expect } from "@playwright/test";
import { recordConsoleErrors, recordConsoleProblems, signUpFresh, waitForHydration } from "./fixtures";

test("home page loads, hydrates and logs no errors", async ({ page }) => {
  const errors = recordConsoleErrors(page);
  await page.goto("/");

  const button = page.getByRole("button", { name: "Click Me for Hello World" });
  await expect(button).toBeVisible();
  await waitForHydration(page);
  await expect(button).toBeEnabled();

  expect(errors).toEqual([]);
});

// The browser hydrates only the islands (the interactive parts); a page whose island the bundle
// lacks, or whose island hydrates differently from the server's HTML, says so in the console.
test("every page's islands hydrate with no console warning or error", async ({ page }) => {
  const problems = recordConsoleProblems(page);
  await signUpFresh(page, "islands", true);

  for (const path of [
    "/",
    "/account",
    "/sign-in?next=%2Faccount",
    "/sign-in/two-factor?next=%2Faccount",
    "/sign-up",
    "/forgot-password",
    "/reset-password?token=not-a-token",
    "/verify-email?token=not-a-token",
  ]) {
    await page.goto(path);
    await waitForHydration(page);
  }

  expect(problems).toEqual([]);
});
