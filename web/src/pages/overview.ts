import { get } from "../api";
import { chart, palette } from "../charts";
import { clear, escapeHtml, fmtMs, fmtNumber, fmtPercent, h } from "../dom";
import { locale, t, tv, type Key } from "../i18n";

interface Stats {
  credit_decisions: number;
  approval_rate: number | null;
  decline_rate: number | null;
  review_rate: number | null;
  fraud_interceptions: number;
  p50_us: number | null;
  p99_us: number | null;
  top_reasons: { code: string; text: string; count: number }[];
  series: { minute: string; counts: Record<string, number>; p50_us: number | null; p99_us: number | null }[];
}

const OUTCOMES = [
  "credit.approve",
  "credit.review",
  "credit.decline",
  "transaction.challenge",
  "transaction.block",
];

export function renderOverview(main: HTMLElement): () => void {
  const kpis = h("div", { class: "kpis" });
  const volume = h("div", { class: "chart", id: "chart-volume" });
  const latency = h("div", { class: "chart", id: "chart-latency" });
  const reasons = h("div", { class: "chart", id: "chart-reasons" });
  const events = h("div", { class: "events" });
  clear(
    main,
    h("h1", {}, t("nav.overview"), " ", h("small", { class: "muted" }, t("overview.live"))),
    kpis,
    h(
      "div",
      { class: "grid2" },
      h("section", { class: "card" }, h("h2", {}, t("overview.volume")), volume),
      h("section", { class: "card" }, h("h2", {}, t("overview.latency")), latency),
    ),
    h(
      "div",
      { class: "grid2" },
      h("section", { class: "card" }, h("h2", {}, t("overview.reasons")), reasons),
      h("section", { class: "card" }, h("h2", {}, t("overview.events")), events),
    ),
  );

  const kpi = (label: Key, value: string, id: string) =>
    h(
      "div",
      { class: "kpi", "data-kpi": id },
      h("div", { class: "kpi-value" }, value),
      h("div", { class: "kpi-label" }, t(label)),
    );

  async function refresh(): Promise<void> {
    const [s, ev] = await Promise.all([
      get<Stats>("/v1/stats/decisions?minutes=60"),
      get<{ total?: number; counts?: Record<string, number> }>("/v1/stats/events").catch(() => null),
    ]);
    // The current minute is still filling; the rate is that of the last complete one.
    const last = s.series.length >= 2 ? s.series[s.series.length - 2] : undefined;
    const perMinute = (prefix: string) =>
      last
        ? Object.entries(last.counts)
            .filter(([k]) => k.startsWith(prefix))
            .reduce((a, [, n]) => a + n, 0)
        : 0;
    clear(
      kpis,
      kpi("overview.credit", fmtNumber(perMinute("credit.")), "credit-per-minute"),
      kpi("overview.transactions", fmtNumber(perMinute("transaction.")), "transactions-per-minute"),
      kpi("overview.approval", fmtPercent(s.approval_rate), "approval"),
      kpi("overview.decline", fmtPercent(s.decline_rate), "decline"),
      kpi("overview.review", fmtPercent(s.review_rate), "review"),
      kpi("overview.p50", fmtMs(s.p50_us), "p50"),
      kpi("overview.p99", fmtMs(s.p99_us), "p99"),
      kpi("overview.interceptions", fmtNumber(s.fraud_interceptions), "interceptions"),
    );
    const minutes = s.series.map((p) =>
      new Date(p.minute).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" }),
    );
    chart(volume).setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 24 },
      xAxis: { type: "category", data: minutes },
      yAxis: { type: "value", minInterval: 1 },
      series: OUTCOMES.map((o) => {
        const [kind, outcome] = o.split(".");
        return {
          name: t("overview.series", { kind: tv("kind", kind), outcome: tv("outcome", outcome) }),
          type: "bar",
          stack: "n",
          itemStyle: { color: (palette as Record<string, string>)[outcome] },
          data: s.series.map((p) => p.counts[o] ?? 0),
        };
      }),
    });
    chart(latency).setOption({
      tooltip: { trigger: "axis", valueFormatter: (v: number) => fmtMs(v) },
      legend: { top: 0 },
      grid: { left: 56, right: 16, top: 40, bottom: 24 },
      xAxis: { type: "category", data: minutes },
      yAxis: { type: "value", axisLabel: { formatter: (v: number) => fmtMs(v) } },
      series: [
        {
          name: "p50",
          type: "line",
          symbolSize: 4,
          connectNulls: false,
          data: s.series.map((p) => p.p50_us),
        },
        {
          name: "p99",
          type: "line",
          symbolSize: 4,
          connectNulls: false,
          data: s.series.map((p) => p.p99_us),
        },
      ],
    });
    const top = [...s.top_reasons].reverse();
    chart(reasons).setOption({
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: (p: any) =>
          `${escapeHtml(top[p[0].dataIndex].code)}: ${escapeHtml(top[p[0].dataIndex].text)}<br/>${p[0].value}`,
      },
      // Code and text, cut to fit: the grid makes room for the labels (containLabel).
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        data: top.map((r) => `${r.code} ${r.text}`),
        axisLabel: { width: 220, overflow: "truncate" },
      },
      series: [{ type: "bar", itemStyle: { color: palette.decline }, data: top.map((r) => r.count) }],
    });
    reasons.dataset.count = String(s.top_reasons.length);
    if (ev?.counts) {
      clear(
        events,
        h(
          "table",
          { class: "table" },
          h(
            "tbody",
            {},
            Object.entries(ev.counts)
              .sort((a, b) => b[1] - a[1])
              .map(([type, n]) => h("tr", {}, h("td", {}, type), h("td", { class: "num" }, fmtNumber(n)))),
          ),
        ),
      );
    }
  }

  let stopped = false;
  const tick = () => {
    refresh().catch((e) => clear(kpis, h("p", { class: "error" }, `${t("error")}: ${e.message}`)));
  };
  tick();
  const timer = window.setInterval(() => !stopped && tick(), 5000);
  return () => {
    stopped = true;
    window.clearInterval(timer);
  };
}
