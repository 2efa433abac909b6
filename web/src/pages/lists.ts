import { api, enc, get, query } from "../api";
import { clear, fmtTime, h } from "../dom";
import { t, tv } from "../i18n";

interface Entry {
  list: string;
  entity_type: string;
  value: string;
  reason: string;
  source: string;
  created_at: string;
  expires_at?: string | null;
  created_by?: string;
}

const TYPES = [
  "user",
  "phone",
  "device",
  "ip",
  "address",
  "card",
  "id_number",
  "email",
  "enterprise",
  "merchant",
];

export function renderLists(main: HTMLElement): void {
  const list = h(
    "select",
    { name: "list", id: "lists-list" },
    ["blacklist", "greylist", "whitelist"].map((x) => h("option", { value: x }, tv("list", x))),
  );
  const type = h(
    "select",
    { name: "entity_type", id: "lists-type" },
    TYPES.map((x) => h("option", { value: x }, tv("entity", x))),
  );
  const rows = h("tbody", {});
  const status = h("p", { class: "muted" });
  const value = h("input", { name: "value", placeholder: "13800138000" });
  const reason = h("input", { name: "reason", placeholder: t("lists.reason") });
  const expires = h("input", { name: "expires_at", type: "datetime-local" });
  const message = h("p", { class: "muted" });

  async function load(): Promise<void> {
    status.textContent = t("loading");
    const page = await get<{ entries: Entry[] }>(
      `/v1/lists/${list.value}/${type.value}` + query({ limit: 200 }),
    );
    clear(
      rows,
      page.entries.map((e) =>
        h(
          "tr",
          {},
          h("td", {}, h("code", { class: "wrap", translate: "no" }, e.value)),
          h("td", {}, e.reason),
          h("td", {}, e.source),
          h("td", {}, fmtTime(e.created_at)),
          h("td", {}, e.expires_at ? fmtTime(e.expires_at) : t("lists.never")),
          h(
            "td",
            {},
            h(
              "button",
              {
                class: "secondary",
                onclick: async () => {
                  await api("DELETE", `/v1/lists/${list.value}/${type.value}/${enc(e.value)}`).catch(
                    (err) => (message.textContent = err.message),
                  );
                  load();
                },
              },
              t("lists.remove"),
            ),
          ),
        ),
      ),
    );
    status.textContent = page.entries.length ? "" : t("none");
  }
  const reload = () => load().catch((e) => (status.textContent = `${t("error")}: ${e.message}`));
  list.addEventListener("change", reload);
  type.addEventListener("change", reload);

  clear(
    main,
    h("h1", {}, t("nav.lists")),
    h(
      "div",
      { class: "card filters" },
      h("label", { class: "field" }, h("span", {}, t("lists.list")), list),
      h("label", { class: "field" }, h("span", {}, t("lists.type")), type),
    ),
    h(
      "form",
      {
        class: "card filters",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          try {
            await api("PUT", `/v1/lists/${list.value}/${type.value}/${enc(value.value.trim())}`, {
              reason: reason.value,
              source: "manual",
              ...(expires.value ? { expires_at: new Date(expires.value).toISOString() } : {}),
            });
            message.textContent = "✓";
            value.value = "";
            reload();
          } catch (err) {
            message.textContent = `${t("error")}: ${(err as Error).message}`;
          }
        },
      },
      h("label", { class: "field" }, h("span", {}, t("lists.value")), value),
      h("label", { class: "field" }, h("span", {}, t("lists.reason")), reason),
      h("label", { class: "field" }, h("span", {}, t("lists.expires")), expires),
      h("button", { class: "primary", type: "submit" }, t("lists.add")),
      message,
    ),
    h(
      "section",
      { class: "card" },
      h(
        "table",
        { class: "table", id: "list-entries" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...[
              t("lists.value"),
              t("lists.reason"),
              t("lists.source"),
              t("lists.created"),
              t("lists.expires"),
              t("common.action"),
            ].map((c) => h("th", {}, c)),
          ),
        ),
        rows,
      ),
      status,
    ),
  );
  reload();
}
