// The trainer's side in headless Chromium, with the keyboard alone: sign in to « mes badges »
// through the emailed link, reach « Ajouter à mon portefeuille » with Tab and press it, and see
// the wallet page (its two QR codes drawn). With an AUTHORIZE_URL, a platform then asks for the
// trainer's badges (Open Badges 3.0 API): the consent page, answered « Autoriser » by keyboard.
// Every screen gets axe-core, the keyboard walk and a screenshot (see screens.mjs).
//
// usage: node trainer.mjs LINK_URL LANG SHOTS_DIR [AUTHORIZE_URL]
// Prints one JSON object: { pages: [...], qr: [widths], wallet, consentRedirect }.
// Exit 0 when the story ran to its end, 1 when a step failed (the error on stderr).
import { chromium } from "playwright-core";
import path from "node:path";
import { lookAt } from "./screens.mjs";

const [link, lang, shots, authorize] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node trainer.mjs LINK_URL LANG SHOTS_DIR [AUTHORIZE_URL]");
  process.exit(2);
}
const executablePath = process.env.INSIGNE_CHROMIUM || "/usr/bin/chromium";
const pages = [];
const refused = [];
const look = (page, name) => lookAt(page, name, shots, pages);

/// Tabs from the top of the page to the control whose text is `label`, and presses Enter.
async function press(page, label) {
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press("Tab");
    const text = await page.evaluate(() => (document.activeElement?.textContent || "").trim());
    if (text === label) {
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      return;
    }
  }
  throw new Error(`the keyboard does not reach « ${label} » on ${page.url()}`);
}

const words = {
  fr: { confirm: "Ouvrir mes badges", wallet: "Ajouter à mon portefeuille", allow: "Autoriser" },
  en: { confirm: "Open my badges", wallet: "Add to my wallet", allow: "Allow" },
}[lang];

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: lang === "fr" ? "fr-FR" : "en-GB" });
page.on("console", (m) => {
  if (m.type() === "error" && /Content Security Policy/i.test(m.text())) refused.push(m.text());
});
let step = "sign-in";
const out = { pages, refused };
try {
  await page.goto(link, { waitUntil: "load" });
  await press(page, words.confirm);
  const base = new URL(page.url()).origin;
  await page.goto(`${base}/mes-badges?lang=${lang}`, { waitUntil: "load" });
  await look(page, "01-mes-badges");

  // The badge's own page offers the same button to its trainer, signed in.
  step = "badge page";
  const action = await page.locator("form[action$='/portefeuille']").first().getAttribute("action");
  const id = action.split("/")[3];
  await page.goto(`${base}/badges/${id}?lang=${lang}`, { waitUntil: "load" });
  out.badgePageWallet = await page.locator(`form[action='${action}'] button`).count();
  await look(page, "02-badge-page");

  step = "wallet";
  await page.goto(`${base}/mes-badges?lang=${lang}`, { waitUntil: "load" });
  await press(page, words.wallet);
  await page.goto(`${page.url()}?lang=${lang}`, { waitUntil: "load" });
  out.qr = await page.evaluate(() => [...document.querySelectorAll("img.qr")].map((i) => i.naturalWidth));
  out.wallet = await page.evaluate(() => ({
    h1: document.querySelector("h1")?.textContent.trim(),
    link: document.querySelector(".wallet-link")?.textContent.trim(),
    buttons: [...document.querySelectorAll(".wallet-way a.fr-btn")].map((a) => a.getAttribute("href")),
  }));
  await look(page, "03-wallet");

  if (authorize) {
    step = "consent";
    await page.goto(authorize, { waitUntil: "load" });
    await look(page, "04-consent");
    // The platform's redirect URI does not answer: only where the browser is sent matters.
    const sent = page.waitForRequest((r) => r.isNavigationRequest() && !r.url().startsWith(base));
    await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
    let reached = false;
    for (let i = 0; i < 200 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = (await page.evaluate(() => (document.activeElement?.textContent || "").trim())) === words.allow;
    }
    if (!reached) throw new Error(`the keyboard does not reach « ${words.allow} »`);
    await page.keyboard.press("Enter");
    out.consentRedirect = (await sent).url();
  }
  console.log(JSON.stringify(out));
  await browser.close();
} catch (e) {
  await page.screenshot({ path: path.join(shots, `failed-${step}.png`), fullPage: true }).catch(() => {});
  console.error(`step ${step}: ${e.stack || e}`);
  console.log(JSON.stringify(out));
  await browser.close();
  process.exit(1);
}
