import { test, expect } from "@playwright/test";
import { PASSWORD, submitCredentials, uniqueEmail, waitForHydration } from "./fixtures";

// `.ci/e2e` starts the server as `make run` does: no SITE_URL, bound to 127.0.0.1.
for (const host of ["127.0.0.1", "localhost"]) {
  test(`a browser at ${host} signs up, signs in and gets a hello-world answer`, async ({ browser, baseURL }) => {
    const site = new URL(baseURL ?? "http://127.0.0.1:3000");
    site.hostname = host;
    const context = await browser.newContext({ baseURL: site.origin });
    const page = await context.newPage();
    const header = page.getByRole("banner");
    const email = uniqueEmail(`host-${host.replace(/\W/g, "")}`);

    await page.goto("/sign-up");
    await waitForHydration(page);
    await submitCredentials(page, "Sign up", email, PASSWORD);
    await expect(header).toContainText(email);
    await header.getByRole("button", { name: "Sign out" }).click();
    await expect(header.getByRole("link", { name: "Sign in" })).toBeVisible();

    await page.goto("/sign-in");
    await waitForHydration(page);
    await submitCredentials(page, "Sign in", email, PASSWORD);
    await expect(header).toContainText(email);
    await page.getByRole("button", { name: "Click Me for Hello World" }).click();
    await expect(page.getByRole("status")).toContainText("Hello World! You are authorized.");
    await expect(page.getByRole("status")).toContainText(email);

    await context.close();
  });
}
