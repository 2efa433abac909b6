import { api, enc, get } from "../api";
import { chart } from "../charts";
import { badge, clear, fmtNumber, fmtPercent, fmtTime, h, menuItem, menuPage } from "../dom";
import { t, tv } from "../i18n";

interface ModelVersion {
  name: string;
  version: number;
  kind: string;
  active: boolean;
  registered_at: string;
  registered_by?: string;
  author?: string;
  trained_at?: string;
  data_sha256?: string;
  features: number | string[];
  validation_metrics?: Record<string, number>;
}

interface Evaluation {
  auc: number;
  ks: number;
  rows: number;
  data?: { name: string; sha256: string; rows: number; is_training_data: boolean };
  roc?: [number, number][];
  ks_curve?: [number, number][];
  calibration?: { group: string; rows: number; mean_pd: number; bad_rate: number }[];
  fairness?: Record<
    string,
    {
      group: string;
      rows: number;
      bad_rate: number;
      approval_rate: number;
      approval_rate_ratio: number | null;
      equal_opportunity_difference: number;
      auc: number | null;
    }[]
  >;
}

// Headline metrics by their usual names; counts and rates in the console's language.
function metricLabel(metric: string): string {
  if (metric === "rows") return t("models.rows");
  if (metric === "event_rate") return t("models.badRate");
  if (metric === "logloss") return t("models.logloss");
  return metric.length <= 3 ? metric.toUpperCase() : metric[0].toUpperCase() + metric.slice(1);
}

// The monitoring window the page shows (the API's default is 7 days).
const MONITORING_DAYS = 30;

export function renderModels(main: HTMLElement, [selected]: string[]): () => void {
  const { menu: list, detail } = menuPage(main, t("nav.models"), t("models.list"), "model-list");
  let timer = 0;

  get<{ models: ModelVersion[] }>("/v1/models")
    .then(({ models }) => {
      for (const m of models) {
        list.append(
          menuItem(
            `#/models/${enc(m.name)}`,
            m.name,
            `${tv("modelKind", m.kind)} v${m.version}`,
            m.name === selected,
          ),
        );
      }
      const name = selected ?? models[0]?.name;
      if (name) {
        open(name);
        timer = window.setInterval(() => monitoring(name), 10000);
      } else {
        clear(detail, h("p", { class: "muted" }, t("none")));
      }
    })
    .catch((e) => clear(detail, h("p", { class: "error" }, e.message)));

  const monitorBox = h("section", { class: "card", id: "model-monitoring" });
  const evaluationBox = h("section", { class: "card", id: "model-evaluation" });

  async function open(name: string): Promise<void> {
    const { versions } = await get<{ versions: ModelVersion[] }>(`/v1/models/${enc(name)}`);
    const active = versions.find((v) => v.active);
    const metrics = Object.entries(active?.validation_metrics ?? {});
    const message = h("p", { class: "muted" });
    const act = async (path: string) => {
      try {
        await api("POST", path);
        await open(name);
      } catch (e) {
        message.textContent = `${t("error")}: ${(e as Error).message}`;
      }
    };
    clear(
      detail,
      h(
        "section",
        { class: "card" },
        h(
          "h2",
          {},
          h("span", { translate: "no" }, name),
          ` · ${t("models.active")}: ${active ? `v${active.version} (${tv("modelKind", active.kind)})` : "—"}`,
        ),
        h(
          "p",
          { class: "muted" },
          t("models.validation", { rows: fmtNumber(active?.validation_metrics?.rows) }),
        ),
        h(
          "div",
          { class: "kpis" },
          metrics
            .filter(([k]) => ["auc", "ks", "gini", "brier", "logloss", "event_rate", "rows"].includes(k))
            .map(([k, v]) =>
              h(
                "div",
                { class: "kpi", "data-metric": k },
                h("div", { class: "kpi-value" }, fmtNumber(v, k === "rows" ? 0 : 3)),
                h("div", { class: "kpi-label" }, metricLabel(k)),
              ),
            ),
        ),
        h("h2", {}, t("models.versions")),
        h(
          "table",
          { class: "table", id: "model-versions" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...[
                t("common.version"),
                t("models.kind"),
                t("models.registered"),
                t("common.by"),
                "AUC",
                "KS",
                t("models.data"),
                t("common.action"),
              ].map((c) => h("th", {}, c)),
            ),
          ),
          h(
            "tbody",
            {},
            [...versions].reverse().map((v) =>
              h(
                "tr",
                {},
                h("td", {}, String(v.version)),
                h("td", {}, tv("modelKind", v.kind)),
                h("td", {}, fmtTime(v.registered_at)),
                h("td", {}, v.author || v.registered_by || ""),
                h("td", { class: "num" }, fmtNumber(v.validation_metrics?.auc, 3)),
                h("td", { class: "num" }, fmtNumber(v.validation_metrics?.ks, 3)),
                h("td", {}, h("code", {}, (v.data_sha256 ?? "").slice(0, 12))),
                h(
                  "td",
                  {},
                  v.active
                    ? badge("active", t("strategies.active"))
                    : h(
                        "button",
                        {
                          class: "secondary",
                          onclick: () => act(`/v1/models/${enc(name)}/versions/${v.version}/promote`),
                        },
                        t("models.promote"),
                      ),
                ),
              ),
            ),
          ),
        ),
        h(
          "div",
          { class: "actions" },
          h(
            "button",
            { class: "secondary", onclick: () => act(`/v1/models/${enc(name)}/rollback`) },
            t("models.rollback"),
          ),
          message,
        ),
      ),
      evaluationBox,
      monitorBox,
    );
    if (active) await evaluation(name, active.version);
    await monitoring(name);
  }

  async function evaluation(name: string, version: number): Promise<void> {
    const e = await get<Evaluation>(`/v1/models/${enc(name)}/versions/${version}/evaluation`).catch(
      () => null,
    );
    if (!e) {
      clear(
        evaluationBox,
        h("h2", {}, t("models.evaluation")),
        h("p", { class: "muted" }, t("models.noEvaluation")),
      );
      return;
    }
    const roc = h("div", { class: "chart", id: "chart-roc" });
    const ks = h("div", { class: "chart", id: "chart-ks" });
    const calibration = h("div", { class: "chart", id: "chart-calibration" });
    const fairness = Object.entries(e.fairness ?? {});
    clear(
      evaluationBox,
      h(
        "h2",
        {},
        `${t("models.evaluation")} · v${version}`,
        " ",
        h(
          "small",
          { class: "muted", id: "model-evaluation-data" },
          t("models.evaluationData", { name: e.data?.name ?? "?", rows: fmtNumber(e.rows) }),
        ),
        e.data?.is_training_data ? [" ", badge("shifted", t("models.onTrainingData"))] : [],
      ),
      h(
        "div",
        { class: "grid2" },
        h("div", {}, h("h3", {}, `ROC · AUC ${fmtNumber(e.auc, 3)}`), roc),
        h("div", {}, h("h3", {}, `KS ${fmtNumber(e.ks, 3)}`), ks),
      ),
      h(
        "div",
        { class: "grid2" },
        h("div", {}, h("h3", {}, t("models.calibration")), calibration),
        h(
          "div",
          { id: "model-fairness" },
          h("h3", {}, t("models.fairness")),
          fairness.length
            ? fairness.map(([attribute, groups]) =>
                h(
                  "table",
                  { class: "table" },
                  h(
                    "thead",
                    {},
                    h(
                      "tr",
                      {},
                      h("th", { translate: "no" }, attribute),
                      ...[
                        t("models.rows"),
                        t("models.badRate"),
                        t("models.approval"),
                        t("models.approvalRatio"),
                        t("models.equalOpportunity"),
                        "AUC",
                      ].map((c) => h("th", {}, c)),
                    ),
                  ),
                  h(
                    "tbody",
                    {},
                    groups.map((g) =>
                      h(
                        "tr",
                        {
                          class: g.approval_rate_ratio !== null && g.approval_rate_ratio < 0.8 ? "warn" : "",
                        },
                        h("td", {}, g.group),
                        h("td", { class: "num" }, fmtNumber(g.rows)),
                        h("td", { class: "num" }, fmtPercent(g.bad_rate)),
                        h("td", { class: "num" }, fmtPercent(g.approval_rate)),
                        h("td", { class: "num" }, fmtNumber(g.approval_rate_ratio, 2)),
                        h("td", { class: "num" }, fmtNumber(g.equal_opportunity_difference, 3)),
                        h("td", { class: "num" }, fmtNumber(g.auc, 3)),
                      ),
                    ),
                  ),
                ),
              )
            : h("p", { class: "muted" }, t("models.noFairness")),
        ),
      ),
    );
    const axis = { type: "value", min: 0, max: 1 };
    chart(roc).setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 32, bottom: 40 },
      xAxis: { ...axis, name: t("models.fpr"), nameLocation: "middle", nameGap: 26 },
      yAxis: { ...axis, name: t("models.tpr"), nameTextStyle: { align: "left" } },
      series: [
        { type: "line", showSymbol: false, data: e.roc ?? [], areaStyle: { opacity: 0.1 } },
        {
          type: "line",
          showSymbol: false,
          data: [
            [0, 0],
            [1, 1],
          ],
          lineStyle: { type: "dashed", color: "#aaa" },
        },
      ],
    });
    // ks_curve: (share of applicants, riskiest first; cumulative share of bads minus of goods).
    chart(ks).setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 32, bottom: 40 },
      xAxis: { ...axis, name: t("models.ksAxis"), nameLocation: "middle", nameGap: 26 },
      yAxis: { type: "value", min: 0, name: t("models.ksGap"), nameTextStyle: { align: "left" } },
      series: [{ type: "line", showSymbol: false, data: e.ks_curve ?? [], areaStyle: { opacity: 0.1 } }],
    });
    const groups = e.calibration ?? [];
    chart(calibration).setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      xAxis: {
        type: "category",
        name: t("models.pdDecile"),
        nameLocation: "middle",
        nameGap: 26,
        data: groups.map((g) => g.group),
      },
      yAxis: { type: "value" },
      series: [
        { name: t("models.predicted"), type: "bar", data: groups.map((g) => g.mean_pd) },
        { name: t("models.observed"), type: "bar", data: groups.map((g) => g.bad_rate) },
      ],
    });
  }

  async function monitoring(name: string): Promise<void> {
    const m = await get<any>(`/v1/models/${enc(name)}/monitoring?days=${MONITORING_DAYS}`).catch(() => null);
    if (!m) return;
    const daily = (m.daily ?? []) as { day: string; scored: number; psi: number }[];
    const bins = h("div", { class: "chart", id: "chart-score-bins" });
    const trend = h("div", { class: "chart", id: "chart-psi-daily", "data-days": daily.length });
    const csi = h("div", { class: "chart", id: "chart-csi" });
    const csiEntries = Object.entries((m.csi ?? {}) as Record<string, number>)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .reverse();
    clear(
      monitorBox,
      h("h2", {}, t("models.monitoring")),
      h(
        "div",
        { class: "kpis" },
        h(
          "div",
          { class: "kpi", "data-kpi": "psi" },
          h("div", { class: "kpi-value" }, fmtNumber(m.psi, 3)),
          h("div", { class: "kpi-label" }, t("models.psi")),
        ),
        h(
          "div",
          { class: "kpi", "data-kpi": "scored" },
          h("div", { class: "kpi-value" }, fmtNumber(m.scored)),
          h("div", { class: "kpi-label" }, t("models.scored")),
        ),
        h(
          "div",
          { class: "kpi" },
          h("div", { class: "kpi-value" }, m.status ? badge(m.status, tv("status", m.status)) : "—"),
          h("div", { class: "kpi-label" }, t("models.status")),
        ),
      ),
      h(
        "div",
        { class: "grid2" },
        h("div", {}, h("h3", {}, t("models.bins")), bins),
        h("div", {}, h("h3", {}, t("models.csi")), csi),
      ),
      m.scored ? [] : h("p", { class: "muted" }, t("models.noTraffic")),
      h("h3", {}, t("models.psiDaily")),
      trend,
    );
    const scoreBins = (m.score_bins ?? []) as {
      pd_below: number;
      training_share: number;
      live_share: number;
    }[];
    chart(bins).setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      xAxis: {
        type: "category",
        name: t("models.pdBelow"),
        nameLocation: "middle",
        nameGap: 26,
        data: scoreBins.map((b) => (Number.isFinite(b.pd_below) ? b.pd_below.toFixed(3) : "∞")),
      },
      yAxis: { type: "value", name: t("models.share"), nameTextStyle: { align: "left" } },
      series: [
        { name: t("models.training"), type: "bar", data: scoreBins.map((b) => b.training_share) },
        { name: t("models.live"), type: "bar", data: scoreBins.map((b) => b.live_share) },
      ],
    });
    chart(csi).setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value" },
      yAxis: {
        type: "category",
        data: csiEntries.map(([k]) => k),
        axisLabel: { width: 200, overflow: "truncate" },
      },
      series: [{ type: "bar", data: csiEntries.map(([, v]) => v), itemStyle: { color: "#e0a030" } }],
    });
    // PSI per day, with the watch (0.1) and shifted (0.25) lines: drift shows as a trend.
    chart(trend).setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      xAxis: { type: "category", data: daily.map((d) => d.day) },
      yAxis: { type: "value", min: 0 },
      series: [
        {
          name: "PSI",
          type: "bar",
          barMaxWidth: 24,
          data: daily.map((d) => d.psi),
          markLine: {
            symbol: "none",
            silent: true,
            label: { show: false },
            data: [
              { yAxis: 0.1, lineStyle: { color: "#e0a030" } },
              { yAxis: 0.25, lineStyle: { color: "#d04040" } },
            ],
          },
        },
      ],
    });
  }

  return () => window.clearInterval(timer);
}
