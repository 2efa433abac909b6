import "./style.css";

import { api, apiKey, setApiKey, whenUnauthorized } from "./api";
import { disposeCharts } from "./charts";
import { clear, h } from "./dom";
import { currentLang, setLang, t, type Key } from "./i18n";
import { renderDecision, renderDecisions } from "./pages/decisions";
import { renderGraph } from "./pages/graph";
import { renderLists } from "./pages/lists";
import { renderModels } from "./pages/models";
import { renderOverview } from "./pages/overview";
import { renderService } from "./pages/service";
import { renderStrategies } from "./pages/strategies";

// A page draws into `main` and returns a cleanup (timers) run when the route changes.
export type Page = (main: HTMLElement, params: string[]) => (() => void) | void;

const routes: [RegExp, Page, Key][] = [
  [/^\/overview$/, renderOverview, "nav.overview"],
  [/^\/decisions$/, renderDecisions, "nav.decisions"],
  [/^\/decisions\/([^/]+)$/, renderDecision, "nav.decisions"],
  [/^\/strategies(?:\/([^/]+))?$/, renderStrategies, "nav.strategies"],
  [/^\/models(?:\/([^/]+))?$/, renderModels, "nav.models"],
  [/^\/graph(?:\/(ring|entity)\/([^/]+)(?:\/([^/]+))?)?$/, renderGraph, "nav.graph"],
  [/^\/lists$/, renderLists, "nav.lists"],
  [/^\/service(?:\/([^/]+))?$/, renderService, "nav.service"],
];

const app = document.getElementById("app")!;
let cleanup: (() => void) | void;
let tenant = "";

function route(): void {
  if (cleanup) cleanup();
  cleanup = undefined;
  disposeCharts();
  if (!apiKey()) return renderSignIn();
  const path = location.hash.replace(/^#/, "") || "/overview";
  const nav = h(
    "nav",
    { class: "sidebar" },
    h("div", { class: "brand" }, "FinBrain"),
    ...(["overview", "decisions", "strategies", "models", "graph", "lists", "service"] as const).map((name) =>
      h(
        "a",
        {
          href: `#/${name}`,
          class: path.startsWith(`/${name}`) ? "active" : "",
          "data-nav": name,
        },
        t(`nav.${name}` as Key),
      ),
    ),
  );
  const langButton = h(
    "button",
    {
      class: "link",
      "data-action": "lang",
      onclick: () => {
        setLang(currentLang() === "en" ? "zh" : "en");
        route();
      },
    },
    currentLang() === "en" ? "中文" : "English",
  );
  const signOut = h(
    "button",
    {
      class: "link",
      onclick: () => {
        setApiKey(null);
        route();
      },
    },
    t("signout"),
  );
  const main = h("main", { class: "content" });
  const top = h(
    "header",
    { class: "topbar" },
    h("span", { class: "tenant" }, tenant ? `${t("tenant")}: ${tenant}` : ""),
    langButton,
    signOut,
  );
  clear(app, h("div", { class: "layout" }, nav, h("div", { class: "page" }, top, main)));
  for (const [pattern, page] of routes) {
    const m = path.match(pattern);
    if (m) {
      cleanup = page(
        main,
        m
          .slice(1)
          .filter((p) => p !== undefined)
          .map(decodeURIComponent),
      );
      return;
    }
  }
  location.hash = "#/overview";
}

function renderSignIn(error?: string): void {
  const input = h("input", {
    type: "password",
    id: "api-key",
    placeholder: "fbk_…",
    autocomplete: "off",
    size: 60,
  });
  const form = h(
    "form",
    {
      class: "signin card",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const key = input.value.trim();
        if (!key) return;
        try {
          // Any tenant route tells whether the key is good; strategies is cheap and small.
          await api("GET", "/v1/strategies", undefined, { key });
          setApiKey(key);
          await loadTenant();
          route();
        } catch {
          renderSignIn(t("signin.bad"));
        }
      },
    },
    h("h1", {}, t("app.title")),
    h("p", {}, t("signin.help")),
    h("label", { for: "api-key" }, t("signin.key")),
    input,
    error ? h("p", { class: "error", role: "alert" }, error) : null,
    h("button", { type: "submit", class: "primary" }, t("signin.submit")),
    h(
      "button",
      {
        type: "button",
        class: "link",
        onclick: () => {
          setLang(currentLang() === "en" ? "zh" : "en");
          renderSignIn();
        },
      },
      currentLang() === "en" ? "中文" : "English",
    ),
  );
  clear(app, h("main", { class: "signin-page" }, form));
  input.focus();
}

async function loadTenant(): Promise<void> {
  try {
    const stats = await api<{ tenant?: string }>("GET", "/v1/stats/decisions?minutes=1");
    tenant = stats.tenant ?? "";
  } catch {
    tenant = "";
  }
}

whenUnauthorized(() => {
  setApiKey(null);
  route();
});
window.addEventListener("hashchange", route);
setLang(currentLang());
if (apiKey()) loadTenant().then(route);
else route();
