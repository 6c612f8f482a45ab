// The console's sign-in as a person does it, with the keyboard alone, in headless Chromium;
// axe-core (WCAG 2.1 A and AA) on every page it passes, and a screenshot of each.
//
// usage: node console.mjs look URL SHOTS_DIR NAME
//          one page as it is (the front door)
//        node console.mjs ask SIGNIN_URL EMAIL SHOTS_DIR
//          the sign-in form: Tab to the address, type it, Enter; the answer page
//        node console.mjs open LINK_URL SHOTS_DIR
//          the emailed link: Tab to the button, Enter; the dashboard; Tab to sign out, Enter
// Prints one JSON object: { pages: [{ url, status, h1, said, violations, passes }], ... }.
// Exit 0 when it ran (the caller judges the result), 1 when it could not.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import path from "node:path";

const [mode, url, ...rest] = process.argv.slice(2);
if (!["look", "ask", "open"].includes(mode) || !url) {
  console.error("usage: node console.mjs ask SIGNIN_URL EMAIL SHOTS_DIR | open LINK_URL SHOTS_DIR");
  process.exit(2);
}
const executablePath = process.env.INSIGNE_CHROMIUM || "/usr/bin/chromium";
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const pages = [];
async function look(page, name, shots) {
  const h1 = (await page.locator("h1").innerText()).trim();
  const said = (await page.locator("[role=status]").count())
    ? (await page.locator("[role=status]").first().innerText()).trim()
    : null;
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  await page.addScriptTag({ path: axePath });
  const results = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
  );
  pages.push({
    name,
    url: page.url(),
    h1,
    said,
    violations: results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
    })),
    passes: results.passes.length,
  });
}

/// Presses Tab until `matches` holds for the focused element (at most 15 times).
async function tabTo(page, matches) {
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(matches)) return true;
  }
  return false;
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 }, bypassCSP: true });
  const response = await page.goto(url, { waitUntil: "load" });
  const first = response ? response.status() : 0;
  if (mode === "look") {
    const [shots, name] = rest;
    await look(page, name, shots);
    // Keyboard only: the first Tab reaches the skip link.
    await page.keyboard.press("Tab");
    const firstFocus = await page.evaluate(() => document.activeElement && document.activeElement.textContent.trim());
    console.log(JSON.stringify({ first, pages, firstFocus }));
  } else if (mode === "ask") {
    const [email, shots] = rest;
    await look(page, "signin", shots);
    const reached = await tabTo(page, () => document.activeElement && document.activeElement.id === "email");
    if (!reached) throw new Error("the address field cannot be reached with Tab");
    await page.keyboard.type(email);
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    await look(page, "signin-sent", shots);
    console.log(JSON.stringify({ first, pages }));
  } else {
    const [shots] = rest;
    await look(page, "confirm", shots);
    const reached = await tabTo(page, () => document.activeElement && document.activeElement.tagName === "BUTTON");
    if (!reached) throw new Error("the button cannot be reached with Tab");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    await look(page, "dashboard", shots);
    const cookies = await page.context().cookies();
    // The screens the dashboard leads to, then back to sign out.
    const lang = new URL(page.url()).searchParams.get("lang") || "fr";
    const base = new URL(page.url()).origin;
    for (const [name, path] of [["issuers", "/admin/emetteurs"], ["issuer-new", "/admin/emetteurs/nouveau"], ["journal", "/admin/journal"]]) {
      const r = await page.goto(`${base}${path}?lang=${lang}`, { waitUntil: "load" });
      if (!r || r.status() !== 200) throw new Error(`${path} answered ${r && r.status()}`);
      await look(page, name, shots);
    }
    await page.goto(`${base}/admin?lang=${lang}`, { waitUntil: "load" });
    const out = await tabTo(page, () => document.activeElement && document.activeElement.tagName === "BUTTON");
    if (!out) throw new Error("the sign-out button cannot be reached with Tab");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    const after = page.url();
    console.log(JSON.stringify({
      first, pages, after,
      cookie: cookies.filter((c) => c.name === "insigne_admin").map((c) => ({ httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path })),
    }));
  }
} catch (e) {
  console.error(String(e && e.stack || e));
  process.exitCode = 1;
} finally {
  await browser.close();
}
