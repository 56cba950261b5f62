import { test, expect } from "@playwright/test";
import { PASSWORD, submitCredentials, uniqueEmail, waitForHydration } from "./fixtures";

// `.ci/e2e` starts, for each mode, a Badge site with VAULT_URL pointing at a FastAPI vault:
// VAULT_SITES="HS256=<site>,<vault> EdDSA=<site>,<vault>".
const sites = (process.env.VAULT_SITES ?? "")
  .split(" ")
  .filter(Boolean)
  .map((entry) => {
    const [mode, urls] = entry.split("=");
    const [site, vault] = urls.split(",");
    return { mode, site, vault };
  });

for (const { mode, site, vault } of sites) {
  test(`with VAULT_URL (${mode}), the button shows the external vault's answer`, async ({ browser }) => {
    const context = await browser.newContext({ baseURL: site });
    const page = await context.newPage();
    const email = uniqueEmail(`vault-${mode.toLowerCase()}`);
    await page.goto("/sign-up");
    await waitForHydration(page);
    await submitCredentials(page, "Sign up", email, PASSWORD);
    await expect(page.getByRole("banner")).toContainText(email);

    const vaultAnswer = page.waitForResponse(
      (response) => response.url() === `${vault}/api/hello-world` && response.request().method() === "GET",
    );
    await page.getByRole("button", { name: "Click Me for Hello World" }).click();

    expect((await vaultAnswer).status()).toBe(200);
    const status = page.getByRole("status");
    await expect(status).toContainText("Hello World! You are authorized.");
    await expect(status).toContainText(email);
    await context.close();
  });
}

test("both vault sites are configured (.ci/e2e starts them)", async () => {
  // Without this, a broken VAULT_SITES would silently generate no vault tests at all.
  expect(sites.map((site) => site.mode)).toEqual(["HS256", "EdDSA"]);
});
