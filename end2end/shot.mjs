import { chromium } from "@playwright/test";
const base = process.argv[2];
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
for (const [name, path] of [["signin-reset", "/sign-in?notice=password-reset"], ["signup", "/sign-up"], ["home-welcome", "/?notice=welcome-mail-file"], ["reset-dead", "/reset-password?token=x"]]) {
  await page.goto(base + path);
  await page.screenshot({ path: `/tmp/shots/${name}.png` });
}
await browser.close();
