// ECharts with only the charts and components the console uses (keeps the bundle small).
import { BarChart, GraphChart, LineChart } from "echarts/charts";
import {
  AriaComponent,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

import { currentLang } from "./i18n";

echarts.use([
  AriaComponent,
  BarChart,
  GraphChart,
  LineChart,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);

const live = new Set<echarts.ECharts>();
window.addEventListener("resize", () => live.forEach((c) => c.resize()));

// A chart in `el`, reused when `el` already has one; disposed with the page (disposeCharts).
// Charts are canvases: ECharts' aria option describes each one (its series and data) in the
// console's language as the element's aria-label, for screen readers (an option set with
// notMerge must repeat `aria`).
export const ARIA = { aria: { enabled: true } };
export function chart(el: HTMLElement): echarts.ECharts {
  const existing = echarts.getInstanceByDom(el);
  if (existing) return existing;
  const c = echarts.init(el, undefined, { locale: currentLang() === "zh" ? "ZH" : "EN" });
  c.setOption(ARIA);
  live.add(c);
  return c;
}

export function disposeCharts(): void {
  live.forEach((c) => c.dispose());
  live.clear();
}

export const palette = {
  approve: "#2e8b57",
  decline: "#c0392b",
  review: "#e0a030",
  allow: "#5b8def",
  challenge: "#9b59b6",
  block: "#7f1d1d",
};

export type { echarts };
