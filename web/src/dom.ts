import { locale } from "./i18n";

// A tiny element builder: text goes in as text nodes, never as HTML, so values from the API
// (names, reasons, addresses) cannot inject markup.
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined | null>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// A table with one header row and one row per item; cells are text or elements.
export function dataTable(attrs: Attrs, headers: string[], rows: Child[][]): HTMLTableElement {
  return h(
    "table",
    { class: "table", ...attrs },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        headers.map((label) => h("th", {}, label)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((cells) =>
        h(
          "tr",
          {},
          cells.map((cell) => h("td", {}, cell)),
        ),
      ),
    ),
  );
}

export function clear(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function fmtNumber(v: unknown, digits = 0): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return "—";
  // A value that rounds to zero shows as 0, not -0.000.
  const shown = Math.abs(v) < 0.5 * 10 ** -digits ? 0 : v;
  return shown.toLocaleString(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtPercent(v: unknown, digits = 1): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return "—";
  return `${(v * 100).toFixed(digits)}%`;
}

export function fmtMs(us: unknown): string {
  if (typeof us !== "number" || !Number.isFinite(us)) return "—";
  return us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${Math.round(us)} µs`;
}

export function fmtTime(iso: unknown): string {
  if (typeof iso !== "string") return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(locale());
}

// A coloured tag for a value (an outcome, a status), shown as `text`.
export function badge(value: string, text = value): HTMLElement {
  return h("span", { class: `badge badge-${value}`, "data-decision": value }, text);
}

// A page with a menu of items on the left and the chosen item's detail on the right.
export function menuPage(
  main: HTMLElement,
  title: string,
  menuTitle: string,
  menuId: string,
): { menu: HTMLElement; detail: HTMLElement } {
  const menu = h("ul", { class: "menu", id: menuId });
  const detail = h("div", {});
  clear(
    main,
    h("h1", {}, title),
    h("div", { class: "split" }, h("section", { class: "card" }, h("h2", {}, menuTitle), menu), detail),
  );
  return { menu, detail };
}

export function menuItem(href: string, label: string, note: string, active: boolean): HTMLElement {
  return h(
    "li",
    {},
    h("a", { href, class: active ? "active" : "" }, label, " ", h("small", { class: "muted" }, note)),
  );
}

// For the few places that take HTML (ECharts tooltips): API values escaped first.
export function escapeHtml(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}
