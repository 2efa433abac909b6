import { enc, get, query } from "../api";
import { chart } from "../charts";
import { badge, clear, dataTable, fmtMs, fmtNumber, fmtPercent, fmtTime, h } from "../dom";
import { t, tv, type Key } from "../i18n";

interface Summary {
  decision_id: string;
  kind: string;
  application_id?: string;
  event_id?: string;
  decided_at: string;
  decision: string;
  score?: number;
  pd?: number;
  limit?: number;
  risk?: number;
  reasons: string[];
}

export function renderDecisions(main: HTMLElement): void {
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const field = (label: Key, input: HTMLElement) =>
    h("label", { class: "field" }, h("span", {}, t(label)), input);
  const id = h("input", { name: "id", placeholder: "dec_…", value: params.get("id") ?? "" });
  const outcome = h(
    "select",
    { name: "decision" },
    h("option", { value: "" }, t("decisions.any")),
    ...["approve", "decline", "review", "allow", "challenge", "block"].map((o) =>
      h("option", { value: o }, tv("outcome", o)),
    ),
  );
  outcome.value = params.get("decision") ?? "";
  const kind = h(
    "select",
    { name: "kind" },
    h("option", { value: "" }, t("decisions.any")),
    h("option", { value: "credit" }, tv("kind", "credit")),
    h("option", { value: "transaction" }, tv("kind", "transaction")),
  );
  const from = h("input", { name: "from", type: "datetime-local" });
  const to = h("input", { name: "to", type: "datetime-local" });
  const rows = h("tbody", {});
  const more = h("button", { class: "secondary", hidden: true }, t("decisions.more"));
  const status = h("p", { class: "muted" });
  let cursor = "";

  const iso = (v: string) => (v ? new Date(v).toISOString() : undefined);
  async function load(append: boolean): Promise<void> {
    if (id.value.trim()) {
      location.hash = `#/decisions/${enc(id.value.trim())}`;
      return;
    }
    status.textContent = t("loading");
    const page = await get<{ decisions: Summary[]; next_cursor: string | null }>(
      "/v1/decisions" +
        query({
          decision: outcome.value,
          kind: kind.value,
          from: iso(from.value),
          to: iso(to.value),
          limit: 50,
          cursor: append ? cursor : "",
        }),
    );
    if (!append) rows.replaceChildren();
    for (const d of page.decisions) {
      rows.append(
        h(
          "tr",
          {
            class: "clickable",
            "data-decision-id": d.decision_id,
            onclick: () => (location.hash = `#/decisions/${enc(d.decision_id)}`),
          },
          h("td", {}, fmtTime(d.decided_at)),
          h("td", {}, h("a", { href: `#/decisions/${enc(d.decision_id)}` }, d.decision_id)),
          h("td", {}, tv("kind", d.kind)),
          h("td", {}, d.application_id ?? d.event_id ?? ""),
          h("td", {}, badge(d.decision, tv("outcome", d.decision))),
          h(
            "td",
            { class: "num" },
            d.pd !== undefined ? fmtPercent(d.pd, 2) : d.risk !== undefined ? fmtNumber(d.risk, 2) : "—",
          ),
          h("td", { class: "num" }, fmtNumber(d.limit)),
          h("td", {}, d.reasons.join(", ")),
        ),
      );
    }
    cursor = page.next_cursor ?? "";
    more.hidden = !cursor;
    status.textContent = rows.children.length ? "" : t("none");
  }
  more.addEventListener("click", () => load(true).catch(showError));
  const showError = (e: Error) => (status.textContent = `${t("error")}: ${e.message}`);

  clear(
    main,
    h("h1", {}, t("nav.decisions")),
    h(
      "form",
      {
        class: "card filters",
        onsubmit: (e: Event) => {
          e.preventDefault();
          load(false).catch(showError);
        },
      },
      field("decisions.id", id),
      field("decisions.outcome", outcome),
      field("decisions.kind", kind),
      field("decisions.from", from),
      field("decisions.to", to),
      h("button", { type: "submit", class: "primary" }, t("decisions.search")),
    ),
    h(
      "section",
      { class: "card" },
      h(
        "table",
        { class: "table", id: "decision-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...(
              [
                "decisions.time",
                "decisions.id",
                "decisions.kind",
                "decisions.subject",
                "decisions.outcome",
              ] as Key[]
            ).map((k) => h("th", {}, t(k))),
            h("th", {}, t("decisions.risk")),
            h("th", {}, t("decision.limit")),
            h("th", {}, t("decisions.reasons")),
          ),
        ),
        rows,
      ),
      status,
      more,
    ),
  );
  load(false).catch(showError);
}

// Phones, ID and card numbers arrive tokenized; free-text personal data (addresses, names,
// e-mails) is shown only in part.
const PERSONAL = /address|name|email|employer/i;
function maskPersonal(value: unknown, key = ""): unknown {
  if (typeof value === "string" && PERSONAL.test(key) && !value.startsWith("tok_")) {
    const chars = [...value];
    return (
      chars.slice(0, Math.min(4, Math.floor(chars.length / 3))).join("") +
      "＊".repeat(Math.min(8, Math.max(3, chars.length - 4)))
    );
  }
  if (Array.isArray(value)) return value.map((v) => maskPersonal(v, key));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskPersonal(v, k)]),
    );
  }
  return value;
}

function kv(entries: [string, unknown][]): HTMLElement {
  return h(
    "table",
    { class: "table kv" },
    h(
      "tbody",
      {},
      entries.map(([k, v]) =>
        h(
          "tr",
          {},
          h("th", {}, k),
          h(
            "td",
            {},
            v === null || v === undefined ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v),
          ),
        ),
      ),
    ),
  );
}

export function renderDecision(main: HTMLElement, [id]: string[]): void {
  clear(main, h("p", {}, t("loading")));
  get<any>(`/v1/decisions/${enc(id)}`)
    .then((d) => {
      const reasons = (d.reasons ?? []) as { code: string; text: string; source?: string }[];
      const hits = (d.rule_hits ?? []) as {
        rule_set: string;
        rule: string;
        action: string;
        code: string;
        text: string;
        score: number;
      }[];
      const latency = Object.entries((d.latency_us ?? {}) as Record<string, number>).filter(
        ([k]) => k !== "total",
      );
      const latencyChart = h("div", { class: "chart short", id: "chart-stage-latency" });
      const signals: [string, unknown][] = [];
      for (const group of ["graph", "device", "behaviour", "signals"]) {
        for (const [k, v] of Object.entries((d[group] ?? {}) as Record<string, unknown>))
          signals.push([`${group}.${k}`, v]);
      }
      const isCredit = d.kind === undefined || d.kind === "credit";
      clear(
        main,
        h("p", {}, h("a", { href: "#/decisions" }, "← " + t("nav.decisions"))),
        h(
          "h1",
          {},
          `${t("decision.title")} `,
          h("span", { translate: "no" }, d.decision_id),
          " ",
          badge(d.decision, tv("outcome", d.decision)),
        ),
        h(
          "div",
          { class: "kpis" },
          ...(isCredit
            ? [
                ["decision.limit", fmtNumber(d.limit)],
                ["decision.apr", fmtPercent(d.apr, 2)],
                ["decision.pd", fmtPercent(d.pd, 2)],
                ["decision.score", fmtNumber(d.score)],
              ]
            : [["graph.risk", fmtNumber(d.risk, 2)]]
          ).map(([k, v]) =>
            h(
              "div",
              { class: "kpi" },
              h("div", { class: "kpi-value" }, v),
              h("div", { class: "kpi-label" }, t(k as Key)),
            ),
          ),
          h(
            "div",
            { class: "kpi" },
            h("div", { class: "kpi-value" }, fmtMs(d.latency_us?.total)),
            h("div", { class: "kpi-label" }, t("decision.total")),
          ),
        ),
        h(
          "div",
          { class: "grid2" },
          h(
            "section",
            { class: "card" },
            h("h2", {}, t("decision.reasons")),
            reasons.length
              ? dataTable(
                  { id: "decision-reasons" },
                  [t("decision.code"), t("decision.text"), t("decision.source")],
                  reasons.map((r) => [r.code, r.text, r.source ?? ""]),
                )
              : h("p", { class: "muted" }, t("none")),
            h("h2", {}, t("decision.ruleHits")),
            hits.length
              ? dataTable(
                  { id: "decision-rule-hits" },
                  [t("decision.rule"), t("decision.action"), t("decision.text")],
                  hits.map((r) => [
                    `${r.rule_set}/${r.rule}`,
                    r.action === "score"
                      ? t("decision.scoreAction", { score: r.score })
                      : tv("outcome", r.action),
                    r.text,
                  ]),
                )
              : h("p", { class: "muted" }, t("none")),
          ),
          h(
            "section",
            { class: "card" },
            h("h2", {}, t("decision.latency")),
            latencyChart,
            kv([
              [
                t("decision.strategy"),
                d.strategy ? `${d.strategy.name} v${d.strategy.version} (${d.strategy.branch})` : undefined,
              ],
              [
                t("decision.models"),
                (d.models ?? []).map((m: any) => `${m.name} v${m.version}`).join(", ") || undefined,
              ],
              [t("decisions.time"), fmtTime(d.decided_at)],
              [t("decisions.subject"), d.application_id ?? d.event_id],
            ]),
          ),
        ),
        h(
          "div",
          { class: "grid2" },
          h(
            "section",
            { class: "card" },
            h("h2", {}, t("decision.inputs")),
            // Focusable, so the scrolled box can be read with the keyboard.
            h(
              "pre",
              { class: "json", id: "decision-inputs", tabindex: 0, "aria-label": t("decision.inputs") },
              JSON.stringify(maskPersonal(d.inputs ?? {}), null, 2),
            ),
          ),
          h(
            "section",
            { class: "card" },
            h("h2", {}, t("decision.features")),
            kv(Object.entries((d.features ?? {}) as Record<string, unknown>)),
            h("h2", {}, t("decision.signals")),
            kv(signals),
            h("h2", {}, t("decision.lists")),
            kv(Object.entries((d.lists ?? {}) as Record<string, unknown>)),
          ),
        ),
      );
      chart(latencyChart).setOption({
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          valueFormatter: (v: number) => fmtMs(v),
        },
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", axisLabel: { formatter: (v: number) => fmtMs(v) } },
        yAxis: { type: "category", data: latency.map(([k]) => tv("stage", k)) },
        series: [{ type: "bar", data: latency.map(([, v]) => v), itemStyle: { color: "#5b8def" } }],
      });
    })
    .catch((e) =>
      clear(
        main,
        h("p", { class: "error" }, `${t("error")}: ${e.message}`),
        h("a", { href: "#/decisions" }, t("nav.decisions")),
      ),
    );
}
