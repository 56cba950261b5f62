import { test, expect } from "@playwright/test";
import { recordConsoleErrors, waitForHydration } from "./fixtures";

test("home page loads, hydrates and logs no errors", async ({ page }) => {
  const errors = recordConsoleErrors(page);
  await page.goto("/");

  const button = page.getByRole("button", { name: "Click Me for Hello World" });
  await expect(button).toBeVisible();
  await waitForHydration(page);
  await expect(button).toBeEnabled();

  expect(errors).toEqual([]);
});
