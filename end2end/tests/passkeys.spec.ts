import { test, expect, type Page } from "@playwright/test";
import { recordConsoleProblems, signUpFresh, waitForHydration } from "./fixtures";

// Passkeys in Chromium with a virtual authenticator (DevTools' WebAuthn domain: a platform
// authenticator that verifies its user). Passkeys are bound to a name, never an IP address, so
// without SITE_URL they work at localhost: these pages are opened there.
const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const localhost = base.replace("127.0.0.1", "localhost");

/** A platform authenticator with user verification, attached to this page's browser. */
async function addVirtualAuthenticator(page: Page) {
  const devtools = await page.context().newCDPSession(page);
  await devtools.send("WebAuthn.enable", { enableUI: false });
  await devtools.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

/** A browser that offers no passkeys in autofill (conditional mediation), so a sign-in waits for
 * the button: Chromium's virtual authenticator answers an autofill request at once. */
async function withoutAutofillOffers(page: Page) {
  await page.addInitScript(() => {
    if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
}

/** Adds a passkey named `name` on the account page (this page is signed in). */
async function addPasskey(page: Page, name: string) {
  await page.goto("/account");
  await waitForHydration(page);
  const section = page.getByRole("region", { name: "Passkeys" });
  await section.getByLabel("Passkey name").fill(name);
  await section.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("status")).toContainText("Passkey added");
  return section.getByRole("listitem").filter({ hasText: name });
}

async function signOut(page: Page) {
  await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
}

async function signInWithPasskey(page: Page) {
  await page.goto("/sign-in");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
}

test.describe("at localhost", () => {
  test.use({ baseURL: localhost });

  test("add a passkey on the account page, sign in with it, remove it, and see it refused in words", async ({
    page,
  }) => {
    const problems = recordConsoleProblems(page);
    await withoutAutofillOffers(page);
    await addVirtualAuthenticator(page);
    const email = await signUpFresh(page, "passkey", true);
    const listed = await addPasskey(page, "Test laptop");
    await expect(listed).toContainText("never used");

    await signOut(page);
    await page.goto("/sign-in");
    await expect(page.getByLabel("Email")).toHaveAttribute("autocomplete", "username webauthn");
    await signInWithPasskey(page);
    await expect(page.getByRole("banner")).toContainText(email);

    await page.goto("/account");
    await waitForHydration(page);
    await expect(listed).toContainText("last used");
    await listed.getByRole("button", { name: "Remove" }).click();
    await expect(listed).toHaveCount(0);

    // The authenticator still holds it; the site no longer knows it.
    await signOut(page);
    await signInWithPasskey(page);
    await expect(page.getByRole("alert")).toContainText("That passkey was not accepted");
    await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
    // Chromium logs the refusal's 401 itself; nothing else may have gone wrong.
    expect(problems.filter((problem) => !problem.includes("status of 401"))).toEqual([]);
  });

  test("the Email field's autofill offers the passkey, and picking it signs in", async ({ page }) => {
    await addVirtualAuthenticator(page);
    const email = await signUpFresh(page, "autofill", true);
    await addPasskey(page, "Autofill key");
    await signOut(page);
    // The virtual authenticator picks the one passkey as soon as the page offers it.
    await page.goto("/sign-in");
    await expect(page.getByRole("banner")).toContainText(email);
  });
});

test.describe("without JavaScript", () => {
  test.use({ baseURL: localhost, javaScriptEnabled: false });

  test("the passkey controls are one sentence, and the list still works", async ({ page }) => {
    await page.goto("/sign-in");
    await expect(page.getByText("Signing in with a passkey needs JavaScript.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toHaveCount(0);
    await signUpFresh(page, "passkey", false);
    await page.goto("/account");
    const section = page.getByRole("region", { name: "Passkeys" });
    await expect(section.getByText("Adding a passkey needs JavaScript.")).toBeVisible();
    await expect(section.getByRole("button", { name: "Add a passkey" })).toHaveCount(0);
  });
});

test("a page opened at 127.0.0.1 says in words where passkeys work", async ({ page }) => {
  await page.goto(`${base}/sign-in`);
  const where = page.getByText(`Passkeys work at ${localhost}`);
  await expect(where).toBeVisible();
  await expect(where.getByRole("link", { name: localhost })).toHaveAttribute("href", `${localhost}/sign-in`);
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toHaveCount(0);
});
