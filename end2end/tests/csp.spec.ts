import { test, expect } from "@playwright/test";
import { PASSWORD, submitCredentials, uniqueEmail, waitForHydration } from "./fixtures";

// Every page hydrates under the strict nonce CSP, and the browser reports no violation.
test("pages hydrate under the nonce CSP with no violation reported", async ({ page }) => {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const violations = () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

  for (const path of ["/", "/sign-up", "/sign-in", "/forgot-password", "/reset-password?token=x"]) {
    const response = await page.goto(path);
    expect(response?.headers()["content-security-policy"]).toContain("'nonce-");
    await waitForHydration(page);
    expect(await violations(), path).toEqual([]);
  }

  await page.goto("/sign-up");
  await waitForHydration(page);
  await submitCredentials(page, "Sign up", uniqueEmail("csp"), PASSWORD);
  await page.getByRole("banner").getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
  await waitForHydration(page);
  expect(await violations(), "/account").toEqual([]);
});
