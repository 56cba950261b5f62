import { test, expect } from "@playwright/test";
import { PASSWORD, signUpFresh, submitCredentials, uniqueEmail, waitForHydration } from "./fixtures";

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
    const status = page.getByRole("region", { name: "Hello World API" }).getByRole("status");
    await expect(status).toContainText("Hello World! You are authorized.");
    await expect(status).toContainText(email);
    await context.close();
  });
}

test("both vault sites are configured (.ci/e2e starts them)", async () => {
  // Without this, a broken VAULT_SITES would silently generate no vault tests at all.
  expect(sites.map((site) => site.mode)).toEqual(["HS256", "EdDSA"]);
});

// `.ci/e2e` also starts end2end/compat/vault_introspect.py, which asks the main server's
// /oauth2/introspect about each badge (as an introspection-only client) and keeps answers 1 s.
const introspectVault = process.env.INTROSPECT_VAULT_URL;

test("the introspecting vault accepts a badge while its session lives, and refuses it after sign-out", async ({
  page,
  request,
}) => {
  expect(introspectVault, "INTROSPECT_VAULT_URL (.ci/e2e sets it)").toBeTruthy();
  const email = await signUpFresh(page, "introspect", true);
  const minted = await page.request.get("/api/token");
  expect(minted.status()).toBe(200);
  const { token } = (await minted.json()) as { token: string };
  const hello = () =>
    request.get(`${introspectVault}/api/hello-world`, { headers: { Authorization: `Bearer ${token}` } });

  const accepted = await hello();
  expect(accepted.status()).toBe(200);
  const { sub } = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as { sub: string };
  expect(await accepted.json()).toEqual({ message: "Hello World! You are authorized.", your_user_id: sub });

  await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByRole("banner")).not.toContainText(email);
  // The same badge, unexpired and well signed: refused once the vault's cached answer is gone.
  await expect.poll(async () => (await hello()).status(), { timeout: 5_000 }).toBe(401);
});
