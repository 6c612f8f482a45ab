// A badge on request in headless Chromium, with the keyboard alone: the trainer signs in to
// « mes badges » through the emailed link, applies for the badge, writes the analysis and a
// link, attaches a PDF (the file is handed to the file input as a file dialog would) and
// submits; the tutor signs in to the console through theirs, opens the request, assesses each
// criterion of the grid as met, writes a message and approves. Every screen gets axe-core, the
// keyboard walk and a screenshot (see screens.mjs).
//
// usage: node requests.mjs TRAINER_LINK TUTOR_LINK LANG PDF_PATH SHOTS_DIR
// Prints one JSON object: { pages: [...], refused: [...], submitted, approved }.
// Exit 0 when the story ran to its end, 1 when a step failed (the error on stderr).
import { chromium } from "playwright-core";
import path from "node:path";
import { lookAt } from "./screens.mjs";

const [trainerLink, tutorLink, lang, pdf, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node requests.mjs TRAINER_LINK TUTOR_LINK LANG PDF_PATH SHOTS_DIR");
  process.exit(2);
}
const executablePath = process.env.INSIGNE_CHROMIUM || "/usr/bin/chromium";
const pages = [];
const refused = [];
const look = (page, name) => lookAt(page, name, shots, pages);

const words = {
  fr: {
    trainerConfirm: "Ouvrir mes badges", tutorConfirm: "Ouvrir la console", apply: "Demander ce badge",
    submit: "Soumettre au tuteur", approve: "Approuver et délivrer le badge",
  },
  en: {
    trainerConfirm: "Open my badges", tutorConfirm: "Open the console", apply: "Apply for this badge",
    submit: "Submit to the tutor", approve: "Approve and issue the badge",
  },
}[lang];

const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  return el ? { tag: el.tagName, id: el.id, type: el.type || "", value: el.value || "", checked: !!el.checked, text: (el.textContent || "").trim() } : null;
});

/// Tabs from the top of the page until `test` holds for the focused element; false if never.
async function tabTo(page, test) {
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  for (let i = 0; i < 300; i++) {
    await page.keyboard.press("Tab");
    if (test(await focused(page))) return true;
  }
  return false;
}

/// Tabs to the control whose text starts with `label` and presses Enter, waiting for the page.
async function press(page, label) {
  if (!(await tabTo(page, (f) => f && f.text.startsWith(label)))) {
    throw new Error(`the keyboard does not reach « ${label} » on ${page.url()}`);
  }
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const open = async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: lang === "fr" ? "fr-FR" : "en-GB" });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) refused.push(m.text());
  });
  return page;
};
const out = { pages, refused };
let step = "trainer sign-in";
let page = await open();
try {
  await page.goto(trainerLink, { waitUntil: "load" });
  await press(page, words.trainerConfirm);
  const base = new URL(page.url()).origin;
  await page.goto(`${base}/mes-badges?lang=${lang}`, { waitUntil: "load" });
  await look(page, "01-mes-badges");

  step = "apply";
  await press(page, words.apply);
  await look(page, "02-request-form");

  step = "write";
  if (!(await tabTo(page, (f) => f && f.id === "analysis"))) throw new Error("the analysis field is out of reach");
  await page.keyboard.type(lang === "fr"
    ? "J'ai conçu un parcours hybride de six semaines ; les classes virtuelles ont servi de points d'étape."
    : "I designed a six-week blended course; the virtual classes served as milestones.");
  await page.keyboard.press("Tab");
  if ((await focused(page)).id !== "links") throw new Error("Tab does not lead from the analysis to the links");
  await page.keyboard.type("https://magistere.education.fr/ac-versailles/course/view.php?id=4242");
  await page.keyboard.press("Tab");
  if ((await focused(page)).id !== "files") throw new Error("Tab does not lead from the links to the files");
  // The file dialog is the system's: the file is handed to the focused input as it would.
  await page.setInputFiles("#files", pdf);
  await press(page, words.submit);
  out.submitted = await page.evaluate(() => document.querySelector("[role=status]")?.textContent.trim());
  await look(page, "03-request-submitted");
  await page.context().close();

  step = "tutor sign-in";
  page = await open();
  await page.goto(tutorLink, { waitUntil: "load" });
  await press(page, words.tutorConfirm);
  await page.goto(`${base}/admin/demandes?lang=${lang}`, { waitUntil: "load" });
  await look(page, "04-requests");

  step = "open the request";
  const learner = await page.locator("tbody th a").first().innerText();
  await press(page, learner.trim());
  await look(page, "05-request-review");

  step = "assess";
  // Every criterion met, with the keyboard: Tab into each group of radio buttons, Space on
  // « met » (the first of each group).
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  const groups = await page.locator("fieldset.criterion").count();
  let assessed = 0;
  for (let i = 0; i < 400 && assessed < groups; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    if (f && f.type === "radio" && f.value === "oui" && !f.checked) {
      await page.keyboard.press("Space");
      assessed++;
    }
  }
  if (assessed < groups) throw new Error(`only ${assessed} of ${groups} criteria reached`);
  if (!(await tabTo(page, (f) => f && f.id === "note"))) throw new Error("the message field is out of reach");
  await page.keyboard.type(lang === "fr" ? "Parcours solide, tutorat bien planifié." : "A sound course, tutoring well planned.");
  await press(page, words.approve);
  out.approved = await page.evaluate(() => document.querySelector("[role=status]")?.textContent.trim());
  await look(page, "06-request-approved");

  console.log(JSON.stringify(out));
  await browser.close();
} catch (e) {
  await page.screenshot({ path: path.join(shots, `failed-${step.replace(/ /g, "-")}.png`), fullPage: true }).catch(() => {});
  console.error(`step ${step}: ${e.stack || e}`);
  console.log(JSON.stringify(out));
  await browser.close();
  process.exit(1);
}
