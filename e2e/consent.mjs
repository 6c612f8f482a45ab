// The Open Badges 3.0 API's consent page as a trainer answers it, in headless Chromium:
// axe-core (WCAG 2.1 A and AA) and a screenshot, then, with the page's own content security
// policy in force, the keyboard alone to "Autoriser" and Enter; the address the browser is then
// sent to, the platform's redirection endpoint with its code and state, is read.
//
// usage: node consent.mjs CONSENT_URL COOKIE(name=value) PLATFORM_ORIGIN SHOTS_DIR
// Prints one JSON object: { pages: [{ url, h1, violations, passes }], landed, refused }.
// Exit 0 when it ran (the caller judges the result), 1 when it could not.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import path from "node:path";

const [url, cookie, platform, shots] = process.argv.slice(2);
if (!url || !cookie || !platform || !shots) {
  console.error("usage: node consent.mjs CONSENT_URL COOKIE PLATFORM_ORIGIN SHOTS_DIR");
  process.exit(2);
}
const executablePath = process.env.INSIGNE_CHROMIUM || "/usr/bin/chromium";
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const [name, value] = cookie.split(/=(.*)/s);
const cookies = [{ name, value, url: new URL(url).origin + "/mes-badges" }];

/// Presses Tab until `matches` holds for the focused element (at most 30 times).
async function tabTo(page, matches) {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(matches)) return true;
  }
  return false;
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  const pages = [];
  // axe is injected as a script, which the page's policy forbids: this look bypasses it.
  {
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, bypassCSP: true });
    await context.addCookies(cookies);
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "load" });
    const h1 = (await page.locator("h1").innerText()).trim();
    await page.screenshot({ path: path.join(shots, "consent.png"), fullPage: true });
    await page.addScriptTag({ path: axePath });
    const results = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
    );
    pages.push({
      url: page.url(),
      h1,
      violations: results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
      })),
      passes: results.passes.length,
    });
    await context.close();
  }
  // The answer, the policy in force: its form-action must let the redirect to the platform go.
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  await context.addCookies(cookies);
  const page = await context.newPage();
  const refused = [];
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) refused.push(m.text()); });
  // Nothing listens at the platform's address: the request the browser makes there (which the
  // policy would have stopped before it left) is the landing.
  let landed = null;
  page.on("request", (r) => { if (!landed && r.url().startsWith(platform)) landed = r.url(); });
  await page.goto(url, { waitUntil: "load" });
  const reached = await tabTo(page, () =>
    document.activeElement && document.activeElement.tagName === "BUTTON" && document.activeElement.value === "autoriser"
  );
  if (!reached) throw new Error("the Autoriser button cannot be reached with Tab");
  await page.keyboard.press("Enter");
  for (let i = 0; i < 100 && !landed; i++) await new Promise((r) => setTimeout(r, 100));
  console.log(JSON.stringify({ pages, landed, refused }));
} catch (e) {
  console.error(String(e && e.stack || e));
  process.exitCode = 1;
} finally {
  await browser.close();
}
