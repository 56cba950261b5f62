import { test, expect } from "@playwright/test";
import { PASSWORD, recordConsoleErrors, submitCredentials, uniqueEmail, waitForHydration } from "./fixtures";

test("signed in, the button shows the API's greeting and the user's email", async ({ page }) => {
  const errors = recordConsoleErrors(page);
  const email = uniqueEmail("hello");
  await page.goto("/sign-up");
  await waitForHydration(page);
  await submitCredentials(page, "Sign up", email, PASSWORD);
  await expect(page.getByRole("banner")).toContainText(email);

  await page.getByRole("button", { name: "Click Me for Hello World" }).click();

  const status = page.getByRole("status");
  await expect(status).toContainText("Hello World! You are authorized.");
  await expect(status).toContainText(email);
  expect(errors).toEqual([]);
});

test("signed out, the button says to sign in first", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);

  await page.getByRole("button", { name: "Click Me for Hello World" }).click();

  const status = page.getByRole("status");
  await expect(status).toContainText("You must sign in");
  await expect(status.getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/sign-in");
});

test("after sign-out an earlier badge still works until it expires, but no new one is minted", async ({ page }) => {
  const email = uniqueEmail("after-sign-out");
  await page.goto("/sign-up");
  await waitForHydration(page);
  await submitCredentials(page, "Sign up", email, PASSWORD);
  await expect(page.getByRole("banner")).toContainText(email);
  // page.request shares the browser context's cookies.
  const minted = await page.request.get("/api/token");
  expect(minted.status()).toBe(200);
  const { token } = await minted.json();

  await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();

  const hello = await page.request.get("/api/hello-world", { headers: { Authorization: `Bearer ${token}` } });
  expect(hello.status()).toBe(200);
  expect((await hello.json()).your_email).toBe(email);
  const again = await page.request.get("/api/token");
  expect(again.status()).toBe(401);
  expect(await again.json()).toEqual({ error: "No session" });
});
