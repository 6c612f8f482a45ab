// Loads a badge page in headless Chromium, reads what a person sees, tries the keyboard, takes
// a screenshot and runs axe-core (WCAG 2.1 A and AA rules).
//
// usage: node badge-page.mjs URL SCREENSHOT.png
// Prints one JSON object: { h1, status, firstFocus, focusOutline, violations: [...], passes,
// printPages, printQr, printNote }.
// Exit 0 when it ran (the caller judges the result), 1 when the page could not be checked.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error("usage: node badge-page.mjs URL SCREENSHOT.png");
  process.exit(2);
}
const executablePath = process.env.INSIGNE_CHROMIUM || "/usr/bin/chromium";
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
try {
  // bypassCSP: the pages forbid inline scripts, and axe-core is injected as one.
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 }, bypassCSP: true });
  const response = await page.goto(url, { waitUntil: "load" });
  if (!response || response.status() !== 200) {
    throw new Error(`${url} answered ${response && response.status()}`);
  }
  const h1 = (await page.locator("h1").innerText()).trim();
  const status = (await page.locator(".status").first().innerText()).trim();
  // Keyboard only: the first Tab reaches the skip link, and the focus is visible.
  await page.keyboard.press("Tab");
  const firstFocus = await page.evaluate(() => document.activeElement && document.activeElement.textContent.trim());
  const focusOutline = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return `${s.outlineStyle} ${s.outlineWidth}`;
  });
  await page.keyboard.press("Shift+Tab");
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.addScriptTag({ path: axePath });
  const results = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
  );
  const violations = results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
  }));
  // The print view: one A4 page, with the QR code and the live-status address.
  await page.emulateMedia({ media: "print" });
  const printQr = await page.locator(".qr img").evaluate((img) => img.complete && img.naturalWidth > 0
    && getComputedStyle(img).display !== "none");
  const printNote = await page.locator(".print-only").isVisible();
  const pdf = await page.pdf({ format: "A4", printBackground: false });
  const printPages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  console.log(JSON.stringify({
    h1, status, firstFocus, focusOutline, violations, passes: results.passes.length,
    printPages, printQr, printNote,
  }));
} catch (e) {
  console.error(String(e && e.stack || e));
  process.exitCode = 1;
} finally {
  await browser.close();
}
