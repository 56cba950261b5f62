import { test, expect, type Page } from "@playwright/test";
import {
  PASSWORD,
  linkFromMail,
  readyFor,
  signUpFresh,
  totpCode,
  uniqueEmail,
  waitForHydration,
} from "./fixtures";

// "Continue with …" against a real OpenID Provider (panva's oidc-provider, started by .ci/e2e):
// its login page takes any login as the subject; what it says about that subject's email is set
// first through its test door. Round trips start and end at localhost (the server's public origin
// without SITE_URL), with and without JavaScript.
const issuer = process.env.OIDC_ISSUER ?? "http://localhost:4000";
const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const localhost = base.replace("127.0.0.1", "localhost");

/** What the provider will say about `subject`. */
async function providerSays(subject: string, email: string, verified: boolean) {
  const response = await fetch(`${issuer}/test/accounts`, {
    method: "POST",
    body: new URLSearchParams({ sub: subject, email, email_verified: String(verified) }),
  });
  expect(response.status).toBe(204);
}

/** Clicks (or follows) Continue with Test ID and signs in at the provider as `subject`. */
async function continueAt(page: Page, link: ReturnType<Page["getByRole"]>, subject: string) {
  await link.click();
  await page.getByPlaceholder("Enter any login").fill(subject);
  await page.getByPlaceholder("and password").fill("any");
  await page.getByRole("button", { name: "Sign-in" }).click();
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? "with WebAssembly" : "without JavaScript";

  test.describe(mode, () => {
    test.use({ baseURL: localhost, javaScriptEnabled });
    const ready = (page: Page) => readyFor(page, javaScriptEnabled);
    const subject = () => `e2e-${Math.random().toString(36).slice(2, 10)}`;

    const continueFromSignIn = async (page: Page, who: string) => {
      await page.goto("/sign-in");
      await ready(page);
      await continueAt(page, page.getByRole("link", { name: "Continue with Test ID" }), who);
    };

    const signOut = async (page: Page) => {
      await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
      await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
    };

    test("a new person continues with the provider and is signed in", async ({ page }) => {
      const email = uniqueEmail("provider");
      const who = subject();
      await providerSays(who, email, true);
      await continueFromSignIn(page, who);
      await expect(page.getByRole("banner")).toContainText(email);
    });

    test("a known subject signs in again after its email changed at the provider", async ({ page }) => {
      const first = uniqueEmail("first");
      const who = subject();
      await providerSays(who, first, true);
      await continueFromSignIn(page, who);
      await expect(page.getByRole("banner")).toContainText(first);
      await signOut(page);
      await providerSays(who, uniqueEmail("changed"), true);
      // Still signed in at the provider: it sends the browser straight back.
      await page.goto("/sign-in");
      await ready(page);
      await page.getByRole("link", { name: "Continue with Test ID" }).click();
      await expect(page.getByRole("banner")).toContainText(first);
    });

    test("a verified provider email does not take over a local account whose email is unverified", async ({
      page,
    }) => {
      const email = await signUpFresh(page, "taken", javaScriptEnabled);
      await signOut(page);
      const who = subject();
      await providerSays(who, email, true);
      await continueFromSignIn(page, who);
      await expect(page.getByRole("alert")).toContainText("its email address was never verified");
      await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
    });

    test("an unverified provider email makes no account and says why", async ({ page }) => {
      const who = subject();
      await providerSays(who, uniqueEmail("unverified"), false);
      await continueFromSignIn(page, who);
      await expect(page.getByRole("alert")).toContainText("did not confirm your email address");
      await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
    });

    test("connect and disconnect the provider on the account page", async ({ page }) => {
      await signUpFresh(page, "connect", javaScriptEnabled);
      const who = subject();
      const providerEmail = uniqueEmail("at-provider");
      await providerSays(who, providerEmail, true);
      await page.goto("/account");
      await ready(page);
      const section = page.getByRole("region", { name: "Connected accounts" });
      await continueAt(page, section.getByRole("link", { name: "Connect" }), who);
      await expect(page.getByRole("status")).toContainText("Connected");
      await expect(section).toContainText(providerEmail);
      await ready(page);
      await section.getByRole("button", { name: "Disconnect" }).click();
      await expect(page.getByRole("status")).toContainText("Disconnected");
      await expect(section.getByRole("link", { name: "Connect" })).toBeVisible();
    });

    test("a callback with another state fails in words", async ({ page }) => {
      await page.goto("/sign-in");
      await ready(page);
      // The round trip starts in this browser (its cookie is set); a forged callback comes back.
      await page.getByRole("link", { name: "Continue with Test ID" }).click();
      await expect(page.getByPlaceholder("Enter any login")).toBeVisible();
      await page.goto("/api/auth/oidc/test/callback?code=forged&state=forged");
      await expect(page.getByRole("alert")).toContainText("did not start in this browser");
    });

    test("a reused callback fails in words", async ({ page }) => {
      const who = subject();
      const email = uniqueEmail("replay");
      await providerSays(who, email, true);
      const callback = page.waitForRequest((request) => request.url().includes("/api/auth/oidc/test/callback"));
      await continueFromSignIn(page, who);
      await expect(page.getByRole("banner")).toContainText(email);
      await page.goto((await callback).url());
      await expect(page.getByRole("alert")).toContainText("took too long or was already used");
    });
  });
}

test.describe("at localhost", () => {
  test.use({ baseURL: localhost });

  test("two-factor is still asked after the provider when it is on", async ({ page }) => {
    const email = await signUpFresh(page, "provider-2fa", true);
    // Verified, so the provider's verified address may link to it.
    await page.goto(await linkFromMail(email, "Verify your email address", "/verify-email"));
    await waitForHydration(page);
    await page.getByRole("button", { name: "Verify email" }).click();
    await expect(page.getByRole("heading", { name: "Email verified" })).toBeVisible();
    await page.goto("/account");
    await waitForHydration(page);
    const section = page.getByRole("region", { name: "Two-factor authentication" });
    await section.getByRole("link", { name: "Set up two-factor authentication" }).click();
    await section.getByLabel("Confirm with your password").fill(PASSWORD);
    await section.getByRole("button", { name: "Set up two-factor authentication" }).click();
    const setupKey = (await section.getByLabel("Setup key").textContent())!.trim();
    await section.getByLabel("Authentication code").fill(totpCode(setupKey, 0));
    await section.getByRole("button", { name: "Turn on two-factor" }).click();
    await expect(section.getByText("Two-factor authentication is on")).toBeVisible();
    await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();

    const who = `e2e-2fa-${Date.now()}`;
    await providerSays(who, email, true);
    await page.goto("/sign-in");
    await continueAt(page, page.getByRole("link", { name: "Continue with Test ID" }), who);
    await expect(page).toHaveURL(/\/sign-in\/two-factor/);
    await waitForHydration(page);
    await page.getByLabel("Authentication code").fill(totpCode(setupKey, 1));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByRole("banner")).toContainText(email);
  });
});
