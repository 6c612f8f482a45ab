// The admin's whole story in headless Chromium, as a person clicks it: sign in through the
// emailed link, create an issuer and a badge class with uploaded images (with a preview),
// load the catalogue (dry run, then apply), import a Moodle export (dry run, confirm, follow
// its progress), find an award and revoke it (reason, confirmation), read the audit log.
// axe-core (WCAG 2.1 A and AA) runs on every screen, the keyboard reaches every link, button
// and field of it (Tab from the top), and each screen is photographed.
//
// usage: node admin-story.mjs LINK_URL LANG SHOTS_DIR ISSUER_IMAGE BADGE_IMAGE CATALOGUE CSV LEARNER
// Prints one JSON object: { pages: [{ name, url, h1, violations, passes }], journal, revoked }.
// Exit 0 when the story ran to its end, 1 when a step failed (the error on stderr; the
// screenshots taken so far stay in SHOTS_DIR, with one of the page as it was).
import { chromium } from "playwright-core";
import path from "node:path";
import { lookAt } from "./screens.mjs";

const [link, lang, shots, issuerImage, badgeImage, catalogue, csv, learner] = process.argv.slice(2);
if (!learner) {
  console.error("usage: node admin-story.mjs LINK_URL LANG SHOTS_DIR ISSUER_IMAGE BADGE_IMAGE CATALOGUE CSV LEARNER");
  process.exit(2);
}
const executablePath = process.env.INSIGNE_CHROMIUM || "/usr/bin/chromium";
const pages = [];
const refused = [];
const look = (page, name) => lookAt(page, name, shots, pages);

/// Clicks what `selector` finds and waits for the page it leads to.
async function go(page, selector) {
  await Promise.all([page.waitForNavigation(), page.locator(selector).first().click()]);
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
// The content security policy is enforced (no bypass): what it blocks is reported.
page.on("console", (m) => {
  if (m.type() === "error" && /Content Security Policy/i.test(m.text())) refused.push(m.text());
});
let step = "sign-in";
try {
  await page.goto(link, { waitUntil: "load" });
  await look(page, "01-confirm");
  await go(page, "form button[type=submit]");
  const base = new URL(page.url()).origin;
  const at = (p) => `${base}${p}${p.includes("?") ? "&" : "?"}lang=${lang}`;
  await page.goto(at("/admin"), { waitUntil: "load" });
  await look(page, "02-dashboard");

  step = "issuer";
  await page.goto(at("/admin/emetteurs/nouveau"), { waitUntil: "load" });
  await page.fill("#name", "DANE de l'académie de Versailles");
  await page.fill("#url", "https://www.ac-versailles.fr");
  await page.fill("#email", "dane@ac-versailles.fr");
  await page.setInputFiles("#image", issuerImage);
  await look(page, "03-issuer-new");
  await go(page, "form[enctype] button[type=submit]");
  if (!page.url().includes("/admin/emetteurs")) throw new Error(`the issuer was not saved: ${page.url()}`);
  await look(page, "04-issuers");

  step = "catalogue";
  await page.goto(at("/admin/catalogue"), { waitUntil: "load" });
  await look(page, "05-catalogue");
  await page.setInputFiles("#catalogue", catalogue);
  await go(page, "form[enctype] button[type=submit]");
  await look(page, "06-catalogue-dry-run");
  await go(page, "form[action='/admin/catalogue/appliquer'] button[type=submit]");
  if (!(await page.locator("[role=status]").count())) throw new Error("the catalogue was not applied");
  await look(page, "07-catalogue-applied");

  step = "badge class";
  await page.goto(at("/admin/badges/nouveau"), { waitUntil: "load" });
  await page.fill("#name", "Tutorat en classe virtuelle");
  await page.fill("#description", "Anime et suit un groupe de formateurs en classe virtuelle.");
  await page.fill("[id='criteria.narrative']", "Avoir terminé deux modules d'e-CAP2.");
  await page.setInputFiles("#image", badgeImage);
  await page.locator("input[name=alignments]").first().check();
  await look(page, "08-badge-new");
  await go(page, "button[value=preview]");
  const previewed = await page.locator("[data-preview=name]").innerText();
  if (!previewed.includes("Tutorat")) throw new Error("the preview does not show the badge");
  await look(page, "09-badge-preview");
  await go(page, "button[value=save]");
  if (!/\/admin\/badges(\?|$)/.test(page.url())) throw new Error(`the badge was not saved: ${page.url()}`);
  await look(page, "10-badges");

  step = "import";
  await page.goto(at("/admin/imports"), { waitUntil: "load" });
  await look(page, "11-imports");
  await page.setInputFiles("#file", csv);
  await go(page, "form[enctype] button[type=submit]");
  await look(page, "12-import-dry-run");
  await go(page, "form[action='/admin/imports/confirmer'] button[type=submit]");
  // The import page follows the import until it ends (it reloads itself while it runs).
  for (let i = 0; i < 60 && (await page.locator("[data-refresh]").count()); i++) {
    await page.waitForTimeout(500);
    await page.reload({ waitUntil: "load" });
  }
  if (await page.locator("[data-refresh]").count()) throw new Error("the import did not end");
  await look(page, "13-import-done");

  step = "award";
  await page.goto(at(`/admin/badges-delivres?email=${encodeURIComponent(learner)}`), { waitUntil: "load" });
  await look(page, "14-awards-found");
  await go(page, "tbody th a");
  await look(page, "15-award");
  await go(page, "a[href*='/revoquer']");
  await page.fill("#reason", "Attribué par erreur : parcours non suivi.");
  await look(page, "16-revoke-reason");
  await go(page, "form button[type=submit]");
  await look(page, "17-revoke-confirm");
  await go(page, "form:has(input[name=confirmed]) button[type=submit]");
  const revoked = (await page.locator("main").innerText()).includes("Attribué par erreur");
  await look(page, "18-award-revoked");

  step = "other screens";
  for (const [name, p] of [
    ["19-frameworks", "/admin/referentiels"],
    ["20-parcours", "/admin/parcours"],
    ["21-module", "/admin/modules/E1-M1"],
    ["22-notifications", "/admin/notifications"],
    ["23-keys", "/admin/cles"],
    ["24-tokens", "/admin/jetons"],
  ]) {
    const r = await page.goto(at(p), { waitUntil: "load" });
    if (!r || r.status() !== 200) throw new Error(`${p} answered ${r && r.status()}`);
    await look(page, name);
  }

  step = "journal";
  await page.goto(at("/admin/journal"), { waitUntil: "load" });
  await look(page, "25-journal");
  const journal = await page.locator("main table tbody").innerText();
  console.log(JSON.stringify({ pages, journal, revoked, refused }));
} catch (e) {
  await page.screenshot({ path: path.join(shots, `failed-at-${step.replace(/ /g, "-")}.png`), fullPage: true }).catch(() => {});
  console.error(`step ${step}: ${String(e && e.stack || e)}`);
  console.log(JSON.stringify({ pages, step, refused }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
