import { api, enc, get, query } from "../api";
import { ARIA, chart } from "../charts";
import { clear, escapeHtml, fmtNumber, fmtPercent, fmtTime, h } from "../dom";
import { t, tv } from "../i18n";

interface Ring {
  ring_id: string;
  kind: string;
  is_ring: boolean;
  size: number;
  members: string[];
  links: { type: string; id: string }[];
  link_types: string[];
  first_seen: string;
  last_seen: string;
  new_account_share: number;
  burstiness: number;
  risk: number;
}
interface GraphNode {
  type: string;
  id: string;
  degree: number;
  users: number;
  hub: boolean;
  first_seen: string;
  last_seen: string;
  propagated_risk?: number; // from confirmed fraud, once a batch analysis has run
}
interface GraphLink {
  from: { type: string; id: string };
  to: { type: string; id: string };
  relations: string[];
  count: number;
}

const TYPE_COLORS: Record<string, string> = {
  user: "#5b8def",
  phone: "#2e8b57",
  device: "#c0392b",
  ip: "#9b59b6",
  address: "#e0a030",
  id_number: "#16a085",
  email: "#7f8c8d",
  card: "#d35400",
  application: "#bdc3c7",
  merchant: "#34495e",
  enterprise: "#8e44ad",
};
const RISK_HIGH = "#b91c1c";
const RISK_MEDIUM = "#e0a030";
const key = (n: { type: string; id: string }) => `${n.type}:${n.id}`;
const short = (id: string) =>
  id.startsWith("tok_") ? `${id.slice(0, 14)}…` : id.length > 18 ? `${id.slice(0, 17)}…` : id;

export function renderGraph(main: HTMLElement, params: string[]): void {
  const [mode, a, b] = params;
  const rings = h("tbody", {});
  const view = h("div", { class: "chart tall", id: "graph-view" });
  const side = h("div", { class: "card side", id: "graph-side" }, h("p", { class: "muted" }, "—"));
  const title = h("h2", { id: "graph-title" }, t("graph.open"));
  const type = h(
    "select",
    { name: "type" },
    ["user", "phone", "device", "ip", "address", "id_number", "email", "card"].map((x) =>
      h("option", { value: x }, tv("entity", x)),
    ),
  );
  const value = h("input", { name: "id", placeholder: "u0000001" });
  const ringsById = new Map<string, Ring>();

  clear(
    main,
    h("h1", {}, t("nav.graph")),
    h(
      "div",
      { class: "grid2 wide-left" },
      h(
        "section",
        { class: "card" },
        title,
        view,
        h("p", { class: "muted small" }, t("graph.legend")),
        h(
          "form",
          {
            class: "filters",
            onsubmit: (e: Event) => {
              e.preventDefault();
              if (value.value.trim())
                location.hash = `#/graph/entity/${enc(type.value)}/${enc(value.value.trim())}`;
            },
          },
          h("label", { class: "field" }, h("span", {}, t("graph.type")), type),
          h("label", { class: "field" }, h("span", {}, t("graph.value")), value),
          h("button", { class: "primary", type: "submit" }, t("graph.show")),
        ),
      ),
      side,
    ),
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("graph.rings")),
      h(
        "table",
        { class: "table", id: "ring-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...[
              t("graph.ring"),
              t("graph.kind"),
              t("graph.size"),
              t("graph.risk"),
              t("graph.links"),
              t("graph.newAccounts"),
              t("graph.active"),
            ].map((c) => h("th", {}, c)),
          ),
        ),
        rings,
      ),
    ),
  );

  get<{ rings: Ring[] }>("/v1/graph/rings" + query({ limit: 50 }))
    .then(({ rings: list }) => {
      for (const r of list) {
        ringsById.set(r.ring_id, r);
        rings.append(
          h(
            "tr",
            {
              class: "clickable",
              "data-ring-id": r.ring_id,
              onclick: () => (location.hash = `#/graph/ring/${enc(r.ring_id)}`),
            },
            h("td", {}, h("a", { href: `#/graph/ring/${enc(r.ring_id)}`, translate: "no" }, r.ring_id)),
            h("td", {}, tv("ringKind", r.kind)),
            h("td", { class: "num" }, String(r.size)),
            h("td", { class: "num" }, fmtNumber(r.risk, 2)),
            h("td", {}, r.link_types.map((x) => tv("entity", x)).join(", ")),
            h("td", { class: "num" }, fmtPercent(r.new_account_share, 0)),
            h("td", {}, `${fmtTime(r.first_seen)} – ${fmtTime(r.last_seen)}`),
          ),
        );
      }
      if (!list.length) rings.append(h("tr", {}, h("td", { colspan: 7, class: "muted" }, t("none"))));
      if (mode === "ring" && a) {
        const ring = ringsById.get(a);
        if (ring) showRing(ring);
        else clear(side, h("p", { class: "error" }, `${t("graph.ring")} ${a}?`));
      }
    })
    .catch((e) => rings.append(h("tr", {}, h("td", { colspan: 7, class: "error" }, e.message))));
  if (mode === "entity" && a && b) {
    type.value = a;
    value.value = b;
    showNeighbourhood(
      { type: a, id: b },
      new Map([[key({ type: a, id: b }), 0]]),
      `${t("graph.entity")} ${tv("entity", a)} ${short(b)}`,
    );
  }

  function showRing(ring: Ring): void {
    const members = new Map(ring.members.map((m) => [key({ type: "user", id: m }), ring.risk]));
    showNeighbourhood(
      { type: "user", id: ring.members[0] },
      members,
      `${t("graph.ring")} ${ring.ring_id} · ${tv("ringKind", ring.kind)} · ${ring.size}`,
    );
    clear(
      side,
      h("h2", { translate: "no" }, ring.ring_id),
      h(
        "p",
        {},
        `${tv("ringKind", ring.kind)} · ${t("graph.risk")} ${fmtNumber(ring.risk, 2)} · ${ring.size} ${t("graph.size")}`,
      ),
      h("h3", {}, t("graph.links")),
      h(
        "ul",
        { id: "ring-links" },
        ring.links.map((l) =>
          h(
            "li",
            {},
            h(
              "a",
              { href: `#/graph/entity/${enc(l.type)}/${enc(l.id)}` },
              `${tv("entity", l.type)} ${short(l.id)}`,
            ),
          ),
        ),
      ),
    );
  }

  async function showNeighbourhood(
    center: { type: string; id: string },
    highlight: Map<string, number>, // outlined nodes (ring members, the centre) -> their risk
    label: string,
  ): Promise<void> {
    title.textContent = label;
    let g: { nodes: GraphNode[]; links: GraphLink[]; truncated: boolean };
    try {
      g = await get(`/v1/graph/entities/${enc(center.type)}/${enc(center.id)}/neighborhood?hops=2`);
    } catch (e) {
      clear(side, h("p", { class: "error" }, (e as Error).message));
      return;
    }
    // Risk: a ring member's ring risk or the risk propagated from confirmed fraud, whichever
    // is higher; it colours the outline.
    const nodeRisk = (n: GraphNode) => Math.max(highlight.get(key(n)) ?? 0, n.propagated_risk ?? 0);
    const nodeStyle = (n: GraphNode) => {
      const risk = nodeRisk(n);
      if (risk >= 0.5) return { borderColor: RISK_HIGH, borderWidth: 4 };
      if (risk >= 0.2) return { borderColor: RISK_MEDIUM, borderWidth: 3 };
      if (highlight.has(key(n))) return { borderColor: "#1f4e79", borderWidth: 3 };
      if (n.hub) return { borderColor: "#333", borderType: "dashed", borderWidth: 2 };
      return undefined;
    };
    // Applications are one per user; they only clutter the picture.
    const nodes = g.nodes.filter((n) => n.type !== "application");
    const kept = new Set(nodes.map(key));
    const byKey = new Map(nodes.map((n) => [key(n), n]));
    const types = [...new Set(nodes.map((n) => n.type))];
    view.dataset.nodes = String(nodes.length);
    chart(view).setOption(
      {
        ...ARIA,
        tooltip: {
          formatter: (p: any) =>
            p.dataType === "edge"
              ? escapeHtml(p.data.relations)
              : [
                  escapeHtml(tv("entity", p.data.nodeType)),
                  escapeHtml(p.data.label),
                  `${t("graph.degree")}: ${p.data.degree}`,
                  p.data.risk > 0 ? `${t("graph.risk")}: ${p.data.risk.toFixed(2)}` : "",
                ]
                  .filter(Boolean)
                  .join("<br/>"),
        },
        legend: { data: types.map((ty) => tv("entity", ty)), top: 0 },
        series: [
          {
            type: "graph",
            layout: "force",
            roam: true,
            draggable: true,
            force: { repulsion: 120, edgeLength: 50, gravity: 0.08 },
            categories: types.map((ty) => ({
              name: tv("entity", ty),
              itemStyle: { color: TYPE_COLORS[ty] ?? "#999" },
            })),
            label: { show: nodes.length <= 60, formatter: (p: any) => p.data.label, fontSize: 10 },
            data: nodes.map((n) => ({
              id: key(n),
              name: key(n),
              label: short(n.id),
              nodeType: n.type,
              degree: n.degree,
              category: types.indexOf(n.type),
              symbolSize: Math.min(36, 8 + 4 * Math.log2(1 + n.degree)),
              risk: nodeRisk(n),
              itemStyle: nodeStyle(n),
            })),
            links: g.links
              .filter((l) => kept.has(key(l.from)) && kept.has(key(l.to)))
              .map((l) => ({
                source: key(l.from),
                target: key(l.to),
                relations: l.relations.join(", "),
                lineStyle: { width: Math.min(4, 1 + Math.log2(l.count)) },
              })),
          },
        ],
      },
      true,
    );
    chart(view).off("click");
    chart(view).on("click", (p: any) => {
      if (p.dataType !== "node") return;
      const n = byKey.get(p.data.id);
      if (n) showEntity(n);
    });
    const centerNode = byKey.get(key(center));
    if (centerNode && center.type !== "user") showEntity(centerNode);
  }

  function showEntity(n: GraphNode): void {
    const list = h(
      "select",
      { name: "list", id: "add-list", "aria-label": t("lists.list") },
      ["blacklist", "greylist", "whitelist"].map((x) => h("option", { value: x }, tv("list", x))),
    );
    const reason = h("input", {
      name: "reason",
      id: "add-reason",
      placeholder: t("graph.reason"),
      "aria-label": t("graph.reason"),
      value: t("graph.defaultReason"),
    });
    const message = h("p", { class: "muted", id: "add-message" });
    clear(
      side,
      h("h2", {}, `${tv("entity", n.type)} `, h("code", { class: "wrap", translate: "no" }, n.id)),
      h(
        "table",
        { class: "table kv" },
        h(
          "tbody",
          {},
          h("tr", {}, h("th", {}, t("graph.degree")), h("td", {}, String(n.degree))),
          h("tr", {}, h("th", {}, t("graph.users")), h("td", {}, String(n.users))),
          h("tr", {}, h("th", {}, t("graph.hub")), h("td", {}, n.hub ? t("common.yes") : t("common.no"))),
          h(
            "tr",
            {},
            h("th", {}, t("graph.seen")),
            h("td", {}, `${fmtTime(n.first_seen)} – ${fmtTime(n.last_seen)}`),
          ),
        ),
      ),
      h("p", {}, h("a", { href: `#/graph/entity/${enc(n.type)}/${enc(n.id)}` }, t("graph.show"))),
      h("h3", {}, t("graph.addToList")),
      h(
        "form",
        {
          class: "stack",
          onsubmit: async (e: Event) => {
            e.preventDefault();
            try {
              await api("PUT", `/v1/lists/${list.value}/${enc(n.type)}/${enc(n.id)}`, {
                reason: reason.value,
                source: "manual",
              });
              message.textContent = `${t("graph.added")} ${tv("list", list.value)}`;
            } catch (err) {
              message.textContent = `${t("error")}: ${(err as Error).message}`;
            }
          },
        },
        list,
        reason,
        h("button", { class: "primary", type: "submit", id: "add-to-list" }, t("graph.addToList")),
      ),
      message,
    );
  }
}
