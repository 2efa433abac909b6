// Screenshots of every console page for the docs, taken from a running server (e.g. the demo):
//   node web/tests/screenshots.mjs URL API_KEY OUT_DIR
// Each page is given time to load its data and charts before the picture is taken.
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

const [url, key, out = "docs/console"] = process.argv.slice(2);
if (!url || !key) {
  console.error("usage: node web/tests/screenshots.mjs URL API_KEY [OUT_DIR]");
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
page.setDefaultTimeout(20000);
await page.goto(url + "/");
await page.fill("#api-key", key);
await page.click("button[type=submit]");
await page.waitForSelector(".sidebar");
const shot = async (name, ready) => {
  await ready();
  await page.waitForTimeout(1500); // chart animations
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: false });
  console.log(`wrote ${path.join(out, `${name}.png`)}`);
};
await shot("overview", () =>
  page.waitForFunction(() =>
    /%$/.test(document.querySelector('[data-kpi="approval"] .kpi-value')?.textContent ?? ""),
  ),
);
await page.click('[data-nav="decisions"]');
await shot("decisions", () => page.waitForSelector("#decision-table tbody tr"));
await page.selectOption("select[name=decision]", "decline");
await page.selectOption("select[name=kind]", "credit");
await page.click(".filters button[type=submit]");
await page.locator("#decision-table tbody tr[data-decision-id]").first().click();
await shot("decision", () => page.waitForSelector("#decision-reasons"));
await page.goto(url + "/#/strategies/credit");
await page.waitForSelector('#strategy-problems[data-state="valid"]');
const editor = page.locator("#strategy-yaml");
await editor.fill(
  (await editor.inputValue()).replace(
    "app.bureau.delinquencies_24m >= 3",
    "app.bureau.delinquencies_24m >= ",
  ),
);
await shot("strategy-error", async () => {
  await page.waitForSelector('#strategy-problems[data-state="invalid"]');
  await page.click("#strategy-problems .error button"); // jumps to line:column
});
await page.click('[data-nav="models"]');
await shot("models", () => page.waitForSelector("#model-versions tbody tr"));
await page.click('[data-nav="graph"]');
await page.locator("#ring-table tr[data-ring-id]").first().click();
await shot("fraud-graph", () =>
  page.waitForFunction(() => Number(document.querySelector("#graph-view")?.getAttribute("data-nodes")) > 2),
);
await page.click('[data-nav="lists"]');
await page.selectOption("#lists-list", "greylist");
await page.selectOption("#lists-type", "device");
await shot("lists", () => page.waitForSelector("#list-entries"));
await page.click('[data-action="lang"]');
await page.click('[data-nav="overview"]');
await shot("overview-zh", () =>
  page.waitForFunction(() =>
    /%$/.test(document.querySelector('[data-kpi="approval"] .kpi-value')?.textContent ?? ""),
  ),
);
await page.click('[data-action="lang"]');
await browser.close();
