import { api, ApiError, enc, get } from "../api";
import { badge, clear, fmtTime, h, menuItem, menuPage } from "../dom";
import { t, tv } from "../i18n";

interface StrategyInfo {
  name: string;
  version: number;
  active: boolean;
  created_at: string;
  created_by?: string;
  description?: string;
  kind?: string;
}

// A credit application like the simulator's (docs/events.md); ids change on every dry run.
const SAMPLE = {
  event_id: "console-sample",
  event_type: "credit_application",
  occurred_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  application_id: "console-sample",
  user_id: "u-console-sample",
  product: "consumer_credit_line",
  requested_amount: 20000,
  term_months: 12,
  declared_income: 9000,
  employment: "employed",
  phone: "13800138000",
  id_number: "110101199003070012",
  address: "浙江省杭州市西湖区文三路100号",
  contacts: [{ phone: "13900139000", relation: "spouse" }],
  bureau: {
    score: 650,
    inquiries_3m: 1,
    inquiries_12m: 3,
    delinquencies_24m: 0,
    open_accounts: 3,
    utilization: 0.4,
    total_debt: 12000,
    months_on_file: 36,
  },
  device_id: "dconsole01",
  ip: "115.99.129.220",
  channel: "app",
};

// "line 12, column 5" / "12:5" in a compiler message.
function errorPosition(message: string): { line: number; column: number } | null {
  const m = message.match(/(?:line\s*)?(\d+):(\d+)/);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}

export function renderStrategies(main: HTMLElement, [selected]: string[]): () => void {
  const { menu: list, detail } = menuPage(main, t("nav.strategies"), t("strategies.list"), "strategy-list");
  let timer = 0;

  get<{ strategies: StrategyInfo[] }>("/v1/strategies")
    .then(({ strategies }) => {
      for (const s of strategies) {
        list.append(
          menuItem(
            `#/strategies/${enc(s.name)}`,
            s.name,
            `v${s.version}${s.active ? " ✓" : ""}`,
            s.name === selected,
          ),
        );
      }
      const name = selected ?? strategies[0]?.name;
      if (name) openStrategy(name);
      else clear(detail, h("p", { class: "muted" }, t("none")));
    })
    .catch((e) => clear(detail, h("p", { class: "error" }, e.message)));

  async function openStrategy(name: string): Promise<void> {
    const { versions } = await get<{ versions: StrategyInfo[] }>(`/v1/strategies/${enc(name)}`);
    const latest = versions[versions.length - 1];
    const active = versions.find((v) => v.active);
    const shown = active ?? latest;
    const { yaml } = await get<{ yaml: string }>(`/v1/strategies/${enc(name)}/versions/${shown.version}`);

    const editor = h("textarea", {
      class: "code",
      id: "strategy-yaml",
      spellcheck: "false",
      rows: 28,
      "aria-label": t("strategies.editorFor", { name }),
    });
    editor.value = yaml;
    const problems = h("div", { class: "problems", id: "strategy-problems", role: "status" });
    const message = h("p", { class: "muted", id: "strategy-message" });
    const sample = h("textarea", { class: "code", id: "dry-run-application", spellcheck: "false", rows: 12 });
    sample.value = JSON.stringify(SAMPLE, null, 2);
    const result = h("div", { id: "dry-run-result" });

    async function validate(): Promise<boolean> {
      try {
        await api("POST", "/v1/strategies/validate", editor.value, { contentType: "application/yaml" });
        clear(problems, h("span", { class: "ok" }, "✓ " + t("strategies.valid")));
        problems.dataset.state = "valid";
        return true;
      } catch (e) {
        const err = e as ApiError;
        const pos = errorPosition(err.message);
        clear(
          problems,
          h(
            "div",
            { class: "error", "data-line": pos?.line ?? "", "data-column": pos?.column ?? "" },
            pos
              ? h(
                  "button",
                  { class: "link", onclick: () => goTo(pos.line, pos.column) },
                  `${pos.line}:${pos.column}`,
                )
              : null,
            " ",
            err.message,
          ),
        );
        problems.dataset.state = "invalid";
        return false;
      }
    }
    function goTo(line: number, column: number): void {
      const lines = editor.value.split("\n");
      let offset = 0;
      for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
      offset += Math.max(0, column - 1);
      editor.focus();
      editor.setSelectionRange(offset, offset + 1);
    }
    editor.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(validate, 400);
    });

    const history = h(
      "table",
      { class: "table", id: "strategy-versions" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, t("common.version")),
          h("th", {}, t("lists.created")),
          h("th", {}, t("common.by")),
          h("th", {}, t("common.action")),
        ),
      ),
      h(
        "tbody",
        {},
        [...versions]
          .reverse()
          .map((v) =>
            h(
              "tr",
              {},
              h("td", {}, String(v.version)),
              h("td", {}, fmtTime(v.created_at)),
              h("td", {}, v.created_by ?? ""),
              h(
                "td",
                {},
                v.active
                  ? badge("active", t("strategies.active"))
                  : h(
                      "button",
                      { class: "secondary", "data-activate": v.version, onclick: () => activate(v.version) },
                      t("strategies.activate"),
                    ),
              ),
            ),
          ),
      ),
    );

    async function activate(version: number): Promise<void> {
      try {
        await api("POST", `/v1/strategies/${enc(name)}/versions/${version}/activate`);
        message.textContent = `${t("strategies.activated")} ${version}`;
        openStrategy(name);
      } catch (e) {
        message.textContent = `${t("error")}: ${(e as Error).message}`;
      }
    }
    async function save(): Promise<void> {
      if (!(await validate())) return;
      try {
        const r = await api<{ version: number }>("PUT", `/v1/strategies/${enc(name)}`, editor.value, {
          contentType: "application/yaml",
        });
        message.textContent = `${t("strategies.saved")} ${r.version}`;
        await openStrategy(name);
      } catch (e) {
        message.textContent = `${t("error")}: ${(e as Error).message}`;
      }
    }
    async function dryRun(): Promise<void> {
      let application: unknown;
      try {
        application = JSON.parse(sample.value);
      } catch (e) {
        clear(result, h("p", { class: "error" }, `JSON: ${(e as Error).message}`));
        return;
      }
      try {
        const d = await api<any>("POST", `/v1/strategies/${enc(name)}/dry-run`, {
          application,
          yaml: editor.value,
        });
        clear(
          result,
          h(
            "p",
            {},
            badge(d.decision, tv("outcome", d.decision)),
            " ",
            t("decision.dryRun", {
              limit: d.limit ?? "—",
              apr: d.apr ?? "—",
              pd: typeof d.pd === "number" ? d.pd.toFixed(4) : "—",
            }),
          ),
          h(
            "ul",
            { class: "reasons" },
            (d.reasons ?? []).map((r: any) => h("li", {}, h("code", {}, r.code), " ", r.text)),
          ),
        );
      } catch (e) {
        clear(result, h("p", { class: "error" }, `${t("error")}: ${(e as Error).message}`));
      }
    }

    clear(
      detail,
      h(
        "section",
        { class: "card" },
        h(
          "h2",
          {},
          h("span", { translate: "no" }, name),
          " ",
          h(
            "small",
            { class: "muted" },
            `${t("strategies.editor")} · v${shown.version}${shown.active ? ` (${t("strategies.active")})` : ""}`,
          ),
        ),
        editor,
        problems,
        h(
          "div",
          { class: "actions" },
          h("button", { class: "primary", id: "strategy-save", onclick: save }, t("strategies.save")),
          message,
        ),
      ),
      h(
        "div",
        { class: "grid2" },
        h(
          "section",
          { class: "card" },
          h("h2", {}, t("strategies.dryRun")),
          h("label", { for: "dry-run-application" }, t("strategies.sample")),
          sample,
          h(
            "div",
            { class: "actions" },
            h("button", { class: "primary", id: "dry-run", onclick: dryRun }, t("strategies.run")),
          ),
          result,
        ),
        h("section", { class: "card" }, h("h2", {}, t("strategies.versions")), history),
      ),
    );
    validate();
  }

  return () => window.clearTimeout(timer);
}
