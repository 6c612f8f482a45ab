// What every browser test does on each screen: a full-page screenshot, axe-core (WCAG 2.1 A
// and AA) and a keyboard walk that must reach every link, button and field from the top.
import { createRequire } from "node:module";
import path from "node:path";
import { readFileSync } from "node:fs";

// Run through the debugger protocol, so that the page's own policy (enforced) does not apply.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export async function lookAt(page, name, shots, pages) {
  const h1 = (await page.locator("h1").first().innerText()).trim();
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
  );
  const unreachable = await keyboardReach(page);
  pages.push({
    name,
    url: page.url(),
    h1,
    unreachable,
    violations: results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
    })),
    passes: results.passes.length,
  });
}

/// Tabs through the whole page from its top and returns what the keyboard cannot reach:
/// every visible link, button and field must get the focus (a group of radio buttons once,
/// as browsers give it), in a page with no keyboard trap.
export async function keyboardReach(page) {
  const expected = await page.evaluate(() => {
    const selector = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea";
    const seenGroups = new Set();
    let n = 0;
    for (const el of document.querySelectorAll(selector)) {
      if (!el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
      if (el.type === "radio") {
        if (seenGroups.has(el.name)) continue;
        seenGroups.add(el.name);
        el.dataset.radioGroup = el.name;
      }
      el.dataset.tabStop = String(n++);
    }
    return n;
  });
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  const reached = new Set();
  // Some fields take several stops (a date's day, month and year): Tab on until all are
  // reached, or far past their number.
  for (let i = 0; reached.size < expected && i < expected * 4 + 20; i++) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el) return null;
      if (el.type === "radio") {
        const first = document.querySelector(`[data-radio-group="${el.name}"]`);
        return first ? first.dataset.tabStop : null;
      }
      return el.dataset ? el.dataset.tabStop || null : null;
    });
    if (stop !== null) reached.add(stop);
  }
  return page.evaluate((seen) => [...document.querySelectorAll("[data-tab-stop]")]
    .filter((el) => !seen.includes(el.dataset.tabStop))
    .map((el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} ${(el.textContent || el.name || "").trim().slice(0, 40)}`), [...reached]);
}

