// Shared helpers: wait for hydration, collect console errors, make and sign in unique users.
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, type Page } from "@playwright/test";

export const PASSWORD = "correct horse battery staple";

/** Resolves once the page has hydrated (the app sets data-hydrated on <body> after its islands). */
export async function waitForHydration(page: Page) {
  await expect(page.locator("[data-hydrated=true]")).toBeAttached();
}

/** For tests run with and without JavaScript: waits for hydration only when there is some. */
export async function readyFor(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) await waitForHydration(page);
}

/** Starts recording console errors and uncaught exceptions; read the array at the end. */
export function recordConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));
  return errors;
}

/** Like `recordConsoleErrors`, with warnings too (a missing island or a hydration mismatch is one). */
export function recordConsoleProblems(page: Page): string[] {
  const problems = recordConsoleErrors(page);
  page.on("console", (msg) => {
    if (msg.type() === "warning") problems.push(`${page.url()}: ${msg.text()}`);
  });
  return problems;
}

/** A fresh email per test, so tests can run in parallel against one server. */
export function uniqueEmail(tag: string): string {
  return `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Signs up a fresh account on /sign-up (this page is then signed in); returns its email. */
export async function signUpFresh(page: Page, tag: string, javaScriptEnabled: boolean): Promise<string> {
  const email = uniqueEmail(`${javaScriptEnabled ? "wasm" : "nojs"}-${tag}`);
  await page.goto("/sign-up");
  await readyFor(page, javaScriptEnabled);
  await submitCredentials(page, "Sign up", email, PASSWORD);
  await expect(page.getByRole("banner")).toContainText(email);
  return email;
}

/** Fills and submits the sign-up or sign-in form on the current page. */
export async function submitCredentials(page: Page, button: "Sign up" | "Sign in", email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: button, exact: true }).click();
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 setup key, `stepsFromNow` steps away. */
export function totpCode(setupKey: string, stepsFromNow = 0): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of setupKey.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  }
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const step = Math.floor(Date.now() / 1000 / 30) + stepsFromNow;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, "0");
}

// Mails go to a real SMTP server started by .ci/e2e, which writes each one as JSON to MAIL_DIR.
const mailDir = process.env.MAIL_DIR;

type Mail = { rcpt_tos: string[]; subject: string; text: string };

function mailsTo(email: string, subject: string): Mail[] {
  if (!mailDir) throw new Error("MAIL_DIR is not set: run the suite through .ci/e2e");
  return readdirSync(mailDir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(mailDir, name), "utf8")) as Mail)
    .filter((mail) => mail.rcpt_tos.includes(email) && mail.subject === subject);
}

/** The link to `path` in the newest mail to `email` with `subject`, once it has arrived. */
export async function linkFromMail(email: string, subject: string, path: string): Promise<string> {
  await expect.poll(() => mailsTo(email, subject).length, { timeout: 20_000 }).toBeGreaterThan(0);
  const mail = mailsTo(email, subject).at(-1)!;
  const link = mail.text.match(new RegExp(`https?://\\S+${path}\\?token=\\S+`));
  if (!link) throw new Error(`no ${path} link in: ${mail.text}`);
  return link[0];
}
