// A small simulated world behind a real `finbrain serve`, for the browser tests and the docs'
// screenshots: history imported offline, the example feature windows, a rules-only credit
// strategy, and every simulated application decided through the API (so the console has
// decisions, reasons and rings to show).
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export const STRATEGY = `description: Console test strategy - fraud screens, policy, bureau bands
variables:
  - {name: payment_to_income, expr: "app.requested_amount / app.term_months / app.declared_income"}
rules:
  - name: fraud
    hit_policy: all
    rules:
      - {id: F01, when: lists.blacklisted, action: decline, reason: {code: F01, text: "An identifier is blacklisted"}}
      - {id: F02, when: "features.users_per_device_30d >= 5", action: decline, reason: {code: F02, text: "The device is used by many accounts"}}
      - {id: F03, when: "features.apps_per_phone_7d >= 2 or features.apps_per_device_7d >= 3", action: review, reason: {code: F03, text: "Several recent applications from the same phone or device"}}
  - name: policy
    hit_policy: first
    rules:
      - {id: P01, when: "app.bureau.delinquencies_24m >= 3", action: decline, reason: {code: P01, text: "Serious recent delinquencies"}}
      - {id: P02, when: "payment_to_income > 0.8", action: decline, reason: {code: P02, text: "The repayment would take most of the income"}}
      - {id: P03, when: "app.bureau.score < 560", action: review, reason: {code: P03, text: "Low bureau score"}}
tables:
  - name: pricing
    inputs: [app.bureau.score]
    default: {limit: 0, apr: 0.36}
    rows:
      - {when: [">= 700"], then: {limit: "app.declared_income * 4", apr: 0.12}}
      - {when: ["[600, 700)"], then: {limit: "app.declared_income * 2", apr: 0.18}}
      - {when: ["< 600"], then: {limit: "app.declared_income", apr: 0.24}}
outcome: {limit: tables.pricing.limit, apr: tables.pricing.apr}
`;

export async function startWorld({ users = 400, bin = process.env.FINBRAIN_BIN } = {}) {
  if (!bin) throw new Error("FINBRAIN_BIN must name the finbrain binary");
  bin = path.resolve(bin);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "finbrain-console-"));
  const run = (...args) =>
    execFileSync(bin, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  run("simulate", "--users", String(users), "--days", "120", "--seed", "3", "--out", "world");
  const key = JSON.parse(run("tenant", "create", "demo", "--data-dir", "data")).api_key;
  fs.mkdirSync(path.join(dir, "history"));
  for (const f of fs.readdirSync(path.join(dir, "world/events"))) {
    if (f !== "credit_application.jsonl")
      fs.symlinkSync(path.join(dir, "world/events", f), path.join(dir, "history", f));
  }
  run("import", "history", "--data-dir", "data", "--tenant", "demo");
  // A PD model with its evaluation report, for the Models page.
  const features = path.join(ROOT, "strategies/credit_features.yaml");
  run(
    "events",
    "to-csv",
    "--events",
    "world/events/credit_application.jsonl",
    "--join",
    "world/truth/applications.jsonl",
    "--on",
    "application_id",
    "--take",
    "defaulted",
    // The registered gender and birth year: protected attributes of the model's fairness report.
    "--join",
    "world/events/user_registration.jsonl",
    "--on",
    "user_id",
    "--take",
    "gender,birth_year",
    "--list",
    "contacts[].phone",
    "--out",
    "apps.csv",
  );
  run(
    "features",
    "backfill",
    "--features",
    features,
    "--events",
    "world/events",
    "--data",
    "apps.csv",
    "--out",
    "train.csv",
  );
  run(
    "train",
    "--data",
    "train.csv",
    "--target",
    "defaulted",
    "--kind",
    "gbdt",
    "--spec",
    path.join(ROOT, "strategies/credit_model.yaml"),
    "--out",
    "model",
  );
  run("evaluate", "--model", "model", "--data", "train.csv", "--target", "defaulted", "--out", "evaluation");
  run(
    "model",
    "register",
    "model",
    "--name",
    "credit_pd",
    "--evaluation",
    "evaluation/metrics.json",
    "--data-dir",
    "data",
    "--tenant",
    "demo",
  );
  run("model", "promote", "credit_pd", "1", "--data-dir", "data", "--tenant", "demo");
  const evaluation = JSON.parse(fs.readFileSync(path.join(dir, "evaluation/metrics.json"), "utf8"));

  const server = spawn(bin, ["serve", "--data-dir", "data", "--listen", "127.0.0.1:0"], {
    cwd: dir,
    env: { ...process.env, FINBRAIN_LOG_LEVEL: "warn", FINBRAIN_RATE_LIMIT_RPS: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // A failed setup must not leave the server running (the test runner would wait for it).
  const cleanup = () => {
    server.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Nor may a script that ends without stop() (an uncaught error).
  const killOnExit = () => server.kill("SIGKILL");
  process.once("exit", killOnExit);
  let url, call, decisions;
  try {
    let log = "";
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 60000);
      const onData = (chunk) => {
        log += chunk;
        const m = log.match(/listening on (http:\/\/[0-9.:]+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      server.stdout.on("data", onData);
      server.stderr.on("data", onData);
      server.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
    });

    call = async (method, route, body, contentType = "application/json") => {
      const r = await fetch(url + route, {
        method,
        headers: { Authorization: `Bearer ${key}`, "Content-Type": contentType },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${route}: ${r.status} ${text}`);
      return text ? JSON.parse(text) : null;
    };
    await call(
      "PUT",
      "/v1/features",
      fs.readFileSync(path.join(ROOT, "strategies/credit_features.yaml"), "utf8"),
      "application/yaml",
    );
    await call("PUT", "/v1/strategies/credit", STRATEGY, "application/yaml");
    await call("POST", "/v1/strategies/credit/versions/1/activate");
    const applications = fs
      .readFileSync(path.join(dir, "world/events/credit_application.jsonl"), "utf8")
      .trim()
      .split("\n");
    decisions = [];
    for (let i = 0; i < applications.length; i += 8) {
      decisions.push(
        ...(await Promise.all(
          applications.slice(i, i + 8).map((line) => call("POST", "/v1/decisions/credit", line)),
        )),
      );
    }
    // Customer service: the shipped KB, an answered guest, and a customer with a loan who asks
    // what is due and then for a person (a handoff with the customer card).
    await call(
      "PUT",
      "/v1/service/kb",
      fs.readFileSync(path.join(ROOT, "resources/service/kb_default.csv"), "utf8"),
      "text/csv",
    );
    const borrower = JSON.parse(
      fs.readFileSync(path.join(dir, "world/events/loan_drawdown.jsonl"), "utf8").split("\n")[0],
    ).user_id;
    await call("POST", "/v1/service/messages", { conversation_id: "guest-1", text: "怎么还款" });
    for (const text of ["这个月要还多少钱", "转人工"]) {
      await call("POST", "/v1/service/messages", { conversation_id: "conv-1", user_id: borrower, text });
    }
  } catch (e) {
    cleanup();
    throw e;
  }
  return {
    url,
    key,
    dir,
    evaluation,
    decisions,
    call,
    async stop() {
      process.off("exit", killOnExit);
      server.kill("SIGTERM");
      await new Promise((resolve) => server.once("exit", resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
