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

  const status = page.getByRole("region", { name: "Hello World API" }).getByRole("status");
  await expect(status).toContainText("Hello World! You are authorized.");
  await expect(status).toContainText(email);
  expect(errors).toEqual([]);
});

test("signed out, the button says to sign in first", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);

  await page.getByRole("button", { name: "Click Me for Hello World" }).click();

  const status = page.getByRole("region", { name: "Hello World API" }).getByRole("status");
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

test("server and network errors from the API are shown in the app's own words", async ({ page }) => {
  const email = uniqueEmail("errors");
  await page.goto("/sign-up");
  await waitForHydration(page);
  await submitCredentials(page, "Sign up", email, PASSWORD);
  await expect(page.getByRole("banner")).toContainText(email);
  const button = page.getByRole("button", { name: "Click Me for Hello World" });
  const status = page.getByRole("region", { name: "Hello World API" }).getByRole("status");

  await page.route("**/api/hello-world", (route) =>
    route.fulfill({
      status: 503,
      contentType: "application/json",
      body: JSON.stringify({ error: "unavailable", message: "raw text from the wire" }),
    }),
  );
  await button.click();
  await expect(status).toHaveText(
    "Calling the API failed: The service is temporarily unavailable. Please try again shortly.",
  );

  // A body that is not ours (a proxy's page, say) is explained by its status.
  await page.route("**/api/hello-world", (route) =>
    route.fulfill({ status: 502, contentType: "text/html", body: "<h1>Bad Gateway</h1>" }),
  );
  await button.click();
  await expect(status).toHaveText(
    "Calling the API failed: The service is temporarily unavailable. Please try again shortly.",
  );
  await expect(status).not.toContainText("Bad Gateway");

  await page.unroute("**/api/hello-world");
  await page.route("**/api/token", (route) => route.abort("connectionrefused"));
  await button.click();
  await expect(status).toHaveText(
    "Getting a badge failed: Could not reach the server. Check your connection and try again.",
  );
  await expect(button).toBeEnabled();
});

test("buttons are disabled and say so while their request is in flight", async ({ page }) => {
  const email = uniqueEmail("pending");
  /** Holds requests to `pattern` until `release()` is called, so the in-flight state can be seen. */
  const hold = async (pattern: string) => {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(pattern, async (route) => {
      await released;
      await route.continue();
    });
    return release;
  };
  const releaseSignUp = await hold("**/api/auth/sign-up");
  await page.goto("/sign-up");
  await waitForHydration(page);

  await submitCredentials(page, "Sign up", email, PASSWORD);
  await expect(page.getByRole("button", { name: "Creating account…" })).toBeDisabled();
  releaseSignUp();
  await expect(page.getByRole("banner")).toContainText(email);

  const releaseHello = await hold("**/api/hello-world");
  await page.getByRole("button", { name: "Click Me for Hello World" }).click();
  await expect(page.getByRole("button", { name: "Calling the API…" })).toBeDisabled();
  releaseHello();
  await expect(page.getByRole("region", { name: "Hello World API" }).getByRole("status")).toContainText("Hello World! You are authorized.");
  await expect(page.getByRole("button", { name: "Click Me for Hello World" })).toBeEnabled();
});
