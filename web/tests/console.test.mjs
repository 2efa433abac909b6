// The console in a real browser (Debian's Chromium, headless, driven by playwright-core) against
// a real server: sign in, the overview populates, a decision's reasons, a strategy edited with a
// deliberate error, a dry run, a ring in the graph view, an entity added to a list. Every page is
// checked by axe-core (no serious or critical accessibility violation) and, in Chinese, for
// labels left in English.
// Run by ctest (web/CMakeLists.txt) with FINBRAIN_BIN, CHROMIUM and CONSOLE_ARTIFACTS set;
// a failing step leaves a screenshot in CONSOLE_ARTIFACTS.
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { startWorld } from "./world.mjs";

const artifacts = process.env.CONSOLE_ARTIFACTS ?? "console-test";
const axeScript = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let world, browser, page;
let listed; // {type, id} the graph test put on the greylist

before(async () => {
  world = await startWorld();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(15000);
});

after(async () => {
  await browser?.close();
  await world?.stop();
});

// Runs one step; on failure saves a screenshot named after it, then fails.
async function step(name, body) {
  try {
    await body();
  } catch (e) {
    fs.mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, `${name.replace(/\W+/g, "-")}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    e.message += `\n(screenshot: ${file})`;
    throw e;
  }
}

// axe-core's WCAG checks on the page as it is now; serious and critical violations fail.
async function assertAccessible(name) {
  await page.addScriptTag({ path: axeScript });
  const { violations } = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `accessibility of ${name}`,
  );
}

test("a wrong key is refused and a tenant key signs in to a live overview", () =>
  step("sign-in", async () => {
    await page.goto(world.url + "/");
    await page.fill("#api-key", "fbk_not_a_key");
    await page.click("button[type=submit]");
    await page.waitForSelector(".signin .error");
    await assertAccessible("sign-in");
    await page.fill("#api-key", world.key);
    await page.click("button[type=submit]");
    await page.waitForSelector(".sidebar");
    // The overview's approval rate is a number once decisions were counted.
    await page.waitForFunction(() =>
      /%$/.test(document.querySelector('[data-kpi="approval"] .kpi-value')?.textContent ?? ""),
    );
    const total = world.decisions.length;
    const approved = world.decisions.filter((d) => d.decision === "approve").length;
    const shown = await page.textContent('[data-kpi="approval"] .kpi-value');
    assert.equal(shown, `${((approved / total) * 100).toFixed(1)}%`);
    assert.ok(Number(await page.getAttribute("#chart-reasons", "data-count")) > 0, "top reasons are charted");
    await assertAccessible("overview");
  }));

test("the language switch shows Chinese labels", () =>
  step("language", async () => {
    await page.click('[data-action="lang"]');
    await page.waitForSelector('[data-nav="decisions"]:has-text("决策")');
    await page.click('[data-action="lang"]');
    await page.waitForSelector('[data-nav="decisions"]:has-text("Decisions")');
  }));

test("a declined decision opens with its reasons, rule hits and latency", () =>
  step("decision", async () => {
    const declined = world.decisions.find((d) => d.decision === "decline");
    assert.ok(declined, "the world has a declined application");
    await page.click('[data-nav="decisions"]');
    await page.selectOption("select[name=decision]", "decline");
    await page.click(".filters button[type=submit]");
    const row = page.locator(`tr[data-decision-id="${declined.decision_id}"]`);
    await row.waitFor();
    await assertAccessible("decisions");
    await row.click();
    await page.waitForSelector("#decision-reasons");
    const reasons = await page.textContent("#decision-reasons");
    for (const r of declined.reasons) assert.ok(reasons.includes(r.code), `reason ${r.code} shown`);
    await page.waitForSelector("#decision-rule-hits");
    // Phones are shown tokenized and addresses masked, never in the clear.
    const inputs = await page.textContent("#decision-inputs");
    assert.match(inputs, /tok_phone_/);
    // The answer names its inputs' event; the stored record reads them back from the event log.
    const record = await world.call("GET", `/v1/decisions/${declined.decision_id}`);
    assert.ok(record.inputs.address && !inputs.includes(record.inputs.address), "the address is masked");
    await assertAccessible("decision");
  }));

test("a strategy with a deliberate error shows line:column, and a fixed draft dry-runs", () =>
  step("strategy", async () => {
    await page.click('[data-nav="strategies"]');
    await page.waitForSelector('#strategy-problems[data-state="valid"]');
    const editor = page.locator("#strategy-yaml");
    const yaml = await editor.inputValue();
    const broken = yaml.replace("app.bureau.score < 560", "app.bureau.scroe < 560");
    assert.notEqual(broken, yaml);
    await editor.fill(broken);
    await page.waitForSelector('#strategy-problems[data-state="invalid"]');
    const line = broken.split("\n").findIndex((l) => l.includes("scroe")) + 1;
    assert.equal(await page.getAttribute("#strategy-problems .error", "data-line"), String(line));
    assert.match(await page.textContent("#strategy-problems"), /scroe/);
    await editor.fill(yaml.replace("app.bureau.score < 560", "app.bureau.score < 900"));
    await page.waitForSelector('#strategy-problems[data-state="valid"]');
    await page.click("#dry-run");
    // The sample applicant's bureau score (650) is now below the review line.
    await page.waitForSelector('#dry-run-result [data-decision="review"]');
    assert.match(await page.textContent("#dry-run-result"), /P03/);
    await assertAccessible("strategies");
  }));

test("the models page shows the registered version's evaluation report", () =>
  step("models", async () => {
    // The test strategy uses no model: score a few applicants directly, for the monitoring.
    for (let i = 0; i < 3; i++) await world.call("POST", "/v1/models/credit_pd/score", { features: {} });
    await page.click('[data-nav="models"]');
    await page.waitForSelector("#model-versions tbody tr");
    await page.waitForSelector("#chart-roc canvas");
    const auc = world.evaluation.auc.toFixed(3);
    assert.match(await page.textContent("#model-evaluation"), new RegExp(`AUC ${auc}`));
    await page.waitForSelector("#chart-calibration canvas");
    await page.waitForSelector('#model-monitoring [data-kpi="psi"]');
    // Scored just now: at least one day of PSI, drawn.
    await page.waitForSelector("#chart-psi-daily canvas");
    assert.ok(Number(await page.getAttribute("#chart-psi-daily", "data-days")) >= 1);
    assert.equal(await page.textContent('#model-monitoring [data-kpi="scored"] .kpi-value'), "3");
    // The report names its data, and warns that it is the model's own training data.
    assert.match(await page.textContent("#model-evaluation-data"), /data train\.csv · \d+ rows/);
    assert.ok(world.evaluation.data.is_training_data);
    await page.waitForSelector('#model-evaluation [data-decision="shifted"]');
    // The world registers gender and birth year as protected: one fairness table each.
    assert.equal(await page.locator("#model-fairness table").count(), 2);
    await assertAccessible("models");
  }));

test("a ring opens in the graph view and an entity goes on a list from there", () =>
  step("graph", async () => {
    await page.click('[data-nav="graph"]');
    const first = page.locator("#ring-table tr[data-ring-id]").first();
    await first.waitFor();
    const ringId = await first.getAttribute("data-ring-id");
    await first.click();
    await page.waitForFunction(
      () => Number(document.querySelector("#graph-view")?.getAttribute("data-nodes")) > 2,
    );
    assert.match(await page.textContent("#graph-title"), new RegExp(ringId));
    const link = page.locator("#ring-links a").first();
    await link.waitFor();
    await link.click();
    await page.waitForSelector("#add-to-list");
    await page.selectOption("#add-list", "greylist");
    await page.click("#add-to-list");
    await page.waitForSelector('#add-message:has-text("greylist")');
    const [, type, id] = decodeURIComponent(new URL(page.url()).hash).match(
      /#\/graph\/entity\/([^/]+)\/(.+)$/,
    );
    const entry = await world.call("GET", `/v1/lists/greylist/${type}/${encodeURIComponent(id)}`);
    assert.equal(entry.reason, "fraud ring investigation");
    listed = { type, id };
    await assertAccessible("graph");
  }));

test("lists show the entry added from the graph", () =>
  step("lists", async () => {
    assert.ok(listed, "the graph test added an entry");
    await page.click('[data-nav="lists"]');
    await page.selectOption("#lists-list", "greylist");
    await page.selectOption("#lists-type", listed.type);
    await page.waitForSelector(`#list-entries tbody tr:has-text("${listed.id.slice(0, 20)}")`);
    assert.match(await page.textContent("#list-entries"), /fraud ring investigation/);
    await assertAccessible("lists");
  }));

test("the service page: a handoff's conversation and customer card, a reply, and its answer published to the KB", () =>
  step("service", async () => {
    await page.click('[data-nav="service"]');
    await page.waitForSelector('[data-kpi="auto-answer"] .kpi-value:has-text("%")');
    await page.locator("#handoff-queue tr[data-handoff-id]").first().click();
    await page.waitForSelector("#customer-accounts tbody tr");
    assert.match(await page.textContent("#handoff-turns"), /这个月要还多少钱/);
    await page.fill("#handoff-reply", "积分可以在积分商城兑换话费。");
    await page.click('#reply-form button[type="submit"]');
    await page.waitForSelector('#handoff-turns li[data-direction="agent"]');
    await page.fill("#propose-question", "积分可以兑换话费吗");
    assert.equal(await page.inputValue("#propose-answer"), "积分可以在积分商城兑换话费。");
    await page.click('#propose-form button[type="submit"]');
    await page.waitForSelector('#kb-proposals tr[data-proposal-id]:has-text("积分可以兑换话费吗")');
    await assertAccessible("service");
    await page.click('#kb-proposals [data-action="publish"]');
    await page.waitForSelector("#kb-proposals tr[data-proposal-id]", { state: "detached" });
    const kb = await world.call("GET", "/v1/service/kb");
    assert.ok(
      kb.entries.some((e) => e.question === "积分可以兑换话费吗"),
      "published to the KB",
    );
  }));

// Lowercase English words in the console's own labels (headings, table headers, form labels,
// buttons, options, KPI labels), outside values shown as they are (translate="no", code):
// identifiers with _ . : / or digits are data, not labels.
function englishWordsInLabels() {
  const words = new Set();
  for (const el of document.querySelectorAll("h1,h2,h3,th,label,button,option,.kpi-label,.badge")) {
    if (el.closest('[translate="no"]')) continue;
    const copy = el.cloneNode(true);
    copy.querySelectorAll('[translate="no"], code').forEach((x) => x.remove());
    for (const token of copy.textContent.split(/[\s,;()（）·:：]+/)) {
      if (/^[a-z]{3,}$/.test(token)) words.add(`${token} (${el.tagName.toLowerCase()})`);
    }
  }
  const charts = [...document.querySelectorAll(".chart")];
  return {
    words: [...words],
    chartsWithoutChineseDescription: charts
      .filter((c) => !/[\u4e00-\u9fff]/.test(c.getAttribute("aria-label") ?? ""))
      .map((c) => c.id),
  };
}

test("in Chinese, every page's labels and chart descriptions are Chinese", () =>
  step("chinese", async () => {
    await page.click('[data-action="lang"]');
    const pages = [
      ["overview", '[data-kpi="approval"] .kpi-value:has-text("%")'],
      ["decisions", "tr[data-decision-id]"],
      ["strategies", '#strategy-problems[data-state="valid"]'],
      ["models", "#model-monitoring #chart-csi canvas"],
      ["graph", "#ring-table tr[data-ring-id]"],
      ["lists", "#list-entries th"],
      ["service", "#handoff-queue th"],
    ];
    try {
      for (const [nav, ready] of pages) {
        await page.click(`[data-nav="${nav}"]`);
        await page.waitForSelector(ready);
        if (nav === "decisions") {
          await page.locator("tr[data-decision-id]").first().click();
          await page.waitForSelector("#decision-reasons");
        }
        if (nav === "graph") {
          await page.locator("#ring-table tr[data-ring-id]").first().click();
          await page.locator("#ring-links a").first().click();
          await page.waitForSelector("#add-to-list");
        }
        const found = await page.evaluate(englishWordsInLabels);
        assert.deepEqual(found, { words: [], chartsWithoutChineseDescription: [] }, `the ${nav} page`);
      }
    } finally {
      await page.click('[data-action="lang"]');
    }
  }));
