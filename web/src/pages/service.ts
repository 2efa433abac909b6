// The agent workspace: the service figures, the handoff queue (oldest first, with its SLA age),
// one handoff's conversation and customer card with reply / resolve / propose to KB, and the KB
// proposals waiting for review.
import { api, enc, get, query } from "../api";
import { badge, clear, dataTable, fmtNumber, fmtPercent, fmtTime, h } from "../dom";
import { t, tv, type Key } from "../i18n";

interface Turn {
  direction: string;
  text: string;
  at: string;
  negative?: number;
}
interface Handoff {
  handoff_id: string;
  conversation_id: string;
  user_id: string;
  created_at: string;
  reason: string;
  status: string;
  kb_id: string;
  confidence: number;
  candidates: { kb_id: string; question: string; confidence: number }[];
  sentiment_trend: number[];
  turns: Turn[];
  customer: {
    accounts?: Record<string, unknown>[];
    risk_flags?: { code: string; text: string; at?: string }[];
  };
  age_seconds?: number;
  last_message?: string;
}
interface Proposal {
  proposal_id: string;
  handoff_id: string;
  kind: string;
  kb_id: string;
  question: string;
  answer: string;
  created_at: string;
}
interface Stats {
  inbound: number;
  auto_answer_rate: number | null;
  handoff_rate: number | null;
  median_seconds_to_handoff: number | null;
  handoff_reasons: Record<string, number>;
  feedback: { precision: number | null; helped: number; not_helped: number; asked_again: number };
}

// Agents answer a handoff within this; older ones are shown as late.
const SLA_SECONDS = 120;

function age(seconds: number | undefined): string {
  if (seconds === undefined) return "—";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function renderService(main: HTMLElement, params: string[]): () => void {
  const selected = params[0] ? decodeURIComponent(params[0]) : "";
  const kpis = h("div", { class: "kpis", id: "service-kpis" });
  const reasons = h("p", { class: "muted", id: "service-reasons" });
  const queue = h("tbody", {});
  const queueStatus = h("p", { class: "muted" });
  const detail = h("section", { class: "card", id: "handoff-detail" });
  const proposals = h("tbody", {});
  const proposalStatus = h("p", { class: "muted" });

  const kpi = (label: Key, value: string, id: string) =>
    h(
      "div",
      { class: "kpi", "data-kpi": id },
      h("div", { class: "kpi-value" }, value),
      h("div", { class: "kpi-label" }, t(label)),
    );

  async function loadStats(): Promise<void> {
    const s = await get<Stats>("/v1/service/stats" + query({ entries: 0 }));
    clear(
      kpis,
      kpi("service.inbound", fmtNumber(s.inbound), "inbound"),
      kpi("service.autoAnswer", fmtPercent(s.auto_answer_rate), "auto-answer"),
      kpi("service.handoffRate", fmtPercent(s.handoff_rate), "handoff-rate"),
      kpi("service.toHandoff", age(s.median_seconds_to_handoff ?? undefined), "to-handoff"),
      kpi("service.precision", fmtPercent(s.feedback.precision), "precision"),
    );
    const parts = Object.entries(s.handoff_reasons).map(([r, n]) => `${tv("handoff", r)}: ${n}`);
    reasons.textContent = parts.length ? `${t("service.reasons")} — ${parts.join(" · ")}` : "";
  }

  async function loadQueue(): Promise<void> {
    const list = await get<{ handoffs: Handoff[] }>("/v1/service/handoffs" + query({ limit: 200 }));
    clear(
      queue,
      list.handoffs.map((x) =>
        h(
          "tr",
          {
            "data-handoff-id": x.handoff_id,
            class: x.handoff_id === selected ? "selected" : "",
            onclick: () => (location.hash = `#/service/${enc(x.handoff_id)}`),
          },
          h(
            "td",
            {},
            (x.age_seconds ?? 0) > SLA_SECONDS ? badge("decline", age(x.age_seconds)) : age(x.age_seconds),
          ),
          h("td", {}, tv("handoff", x.reason)),
          h("td", {}, h("code", { translate: "no" }, x.user_id || t("service.guest"))),
          h("td", {}, x.last_message ?? ""),
        ),
      ),
    );
    queueStatus.textContent = list.handoffs.length ? "" : t("service.emptyQueue");
  }

  async function loadProposals(): Promise<void> {
    const list = await get<{ proposals: Proposal[] }>("/v1/service/kb/proposals");
    const act = (p: Proposal, action: "publish" | "reject") => async () => {
      proposalStatus.textContent = t("loading");
      try {
        await api("POST", `/v1/service/kb/proposals/${enc(p.proposal_id)}/${action}`, {});
        proposalStatus.textContent = "✓";
      } catch (e) {
        proposalStatus.textContent = `${t("error")}: ${(e as Error).message}`;
      }
      loadProposals();
    };
    clear(
      proposals,
      list.proposals.map((p) =>
        h(
          "tr",
          { "data-proposal-id": p.proposal_id },
          h("td", {}, tv("proposal", p.kind)),
          h("td", {}, h("code", { translate: "no" }, p.kb_id)),
          h("td", {}, p.question),
          h("td", {}, p.answer),
          h(
            "td",
            {},
            h(
              "button",
              { class: "primary", "data-action": "publish", onclick: act(p, "publish") },
              t("service.publish"),
            ),
            " ",
            h(
              "button",
              { class: "secondary", "data-action": "reject", onclick: act(p, "reject") },
              t("service.reject"),
            ),
          ),
        ),
      ),
    );
    if (!list.proposals.length) proposalStatus.textContent = t("none");
  }

  function customerCard(x: Handoff): HTMLElement {
    const accounts = x.customer.accounts ?? [];
    const flags = x.customer.risk_flags ?? [];
    return h(
      "div",
      { id: "customer-card" },
      h("h3", {}, t("service.customer")),
      accounts.length
        ? dataTable(
            { id: "customer-accounts" },
            [
              t("service.account"),
              t("service.status"),
              t("decision.limit"),
              t("service.outstanding"),
              t("service.nextDue"),
              t("service.overdue"),
              t("service.dpd"),
            ],
            accounts.map((a) => [
              h("code", { translate: "no" }, String(a.account_id)),
              String(a.status),
              fmtNumber(a.limit, 2),
              fmtNumber(a.outstanding, 2),
              a.next_due_at ? fmtTime(a.next_due_at) : "—",
              fmtNumber(a.overdue_amount, 2),
              fmtNumber(a.days_past_due),
            ]),
          )
        : h("p", { class: "muted" }, x.user_id ? t("service.noAccounts") : t("service.guest")),
      h("h3", {}, t("service.riskFlags")),
      flags.length
        ? h(
            "ul",
            { id: "risk-flags" },
            flags.map((f) =>
              h("li", {}, badge("decline", f.code), " ", f.text, f.at ? ` (${fmtTime(f.at)})` : ""),
            ),
          )
        : h("p", { class: "muted" }, t("none")),
    );
  }

  async function loadDetail(): Promise<void> {
    if (!selected) {
      clear(detail, h("p", { class: "muted" }, t("service.pick")));
      return;
    }
    const x = await get<Handoff>(`/v1/service/handoffs/${enc(selected)}`);
    const message = h("p", { class: "muted", id: "handoff-message" });
    const reply = h("textarea", { name: "reply", id: "handoff-reply", rows: 3 });
    const lastInbound = [...x.turns].reverse().find((turn) => turn.direction === "inbound");
    const lastAgent = [...x.turns].reverse().find((turn) => turn.direction === "agent");
    const question = h("input", { name: "question", id: "propose-question", value: lastInbound?.text ?? "" });
    const answer = h("textarea", { name: "answer", id: "propose-answer", rows: 2 });
    answer.value = lastAgent?.text ?? "";
    const run = (body: () => Promise<unknown>) => async (e: Event) => {
      e.preventDefault();
      message.textContent = t("loading");
      try {
        await body();
        message.textContent = "✓";
        await Promise.all([loadDetail(), loadQueue(), loadProposals()]);
      } catch (err) {
        message.textContent = `${t("error")}: ${(err as Error).message}`;
      }
    };
    clear(
      detail,
      h("h2", {}, t("service.handoff"), " ", h("code", { translate: "no" }, x.handoff_id)),
      h(
        "p",
        {},
        badge(x.status === "resolved" ? "approve" : "review", tv("handoffStatus", x.status)),
        " ",
        tv("handoff", x.reason),
        " · ",
        fmtTime(x.created_at),
      ),
      h(
        "ol",
        { class: "conversation", id: "handoff-turns" },
        x.turns.map((turn) =>
          h(
            "li",
            { class: `turn turn-${turn.direction}`, "data-direction": turn.direction },
            h("small", { class: "muted" }, `${tv("direction", turn.direction)} · ${fmtTime(turn.at)}`),
            h("div", {}, turn.text),
          ),
        ),
      ),
      x.candidates.length
        ? h(
            "p",
            { class: "muted", id: "handoff-candidates" },
            `${t("service.candidates")}: `,
            x.candidates.map((c) => `${c.question} (${fmtPercent(c.confidence, 0)})`).join(" · "),
          )
        : null,
      x.sentiment_trend.length
        ? h(
            "p",
            { class: "muted" },
            `${t("service.sentiment")}: `,
            x.sentiment_trend.map((v) => fmtPercent(v, 0)).join(" → "),
          )
        : null,
      customerCard(x),
      x.status === "resolved"
        ? null
        : h(
            "form",
            {
              class: "filters",
              id: "reply-form",
              onsubmit: run(() =>
                api("POST", `/v1/service/handoffs/${enc(x.handoff_id)}/reply`, { text: reply.value }),
              ),
            },
            h("label", { class: "field" }, h("span", {}, t("service.reply")), reply),
            h("button", { class: "primary", type: "submit" }, t("service.send")),
            h(
              "button",
              {
                class: "secondary",
                type: "button",
                "data-action": "resolve",
                onclick: run(() => api("POST", `/v1/service/handoffs/${enc(x.handoff_id)}/resolve`, {})),
              },
              t("service.resolve"),
            ),
          ),
      h(
        "form",
        {
          class: "filters",
          id: "propose-form",
          onsubmit: run(() =>
            api("POST", `/v1/service/handoffs/${enc(x.handoff_id)}/propose`, {
              question: question.value,
              answer: answer.value,
            }),
          ),
        },
        h("label", { class: "field" }, h("span", {}, t("service.question")), question),
        h("label", { class: "field" }, h("span", {}, t("service.answer")), answer),
        h("button", { class: "secondary", type: "submit" }, t("service.propose")),
      ),
      message,
    );
  }

  clear(
    main,
    h("h1", {}, t("nav.service")),
    kpis,
    reasons,
    h(
      "div",
      { class: "split" },
      h(
        "section",
        { class: "card" },
        h("h2", {}, t("service.queue")),
        h(
          "table",
          { class: "table", id: "handoff-queue" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              [t("service.age"), t("service.reason"), t("service.user"), t("service.lastMessage")].map((c) =>
                h("th", {}, c),
              ),
            ),
          ),
          queue,
        ),
        queueStatus,
      ),
      detail,
    ),
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("service.proposals")),
      h(
        "table",
        { class: "table", id: "kb-proposals" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [
              t("service.kind"),
              t("service.entry"),
              t("service.question"),
              t("service.answer"),
              t("common.action"),
            ].map((c) => h("th", {}, c)),
          ),
        ),
        proposals,
      ),
      proposalStatus,
    ),
  );
  const fail = (target: HTMLElement) => (e: Error) => (target.textContent = `${t("error")}: ${e.message}`);
  const refresh = () => {
    loadStats().catch(fail(reasons));
    loadQueue().catch(fail(queueStatus));
  };
  refresh();
  loadDetail().catch(fail(detail));
  loadProposals().catch(fail(proposalStatus));
  // The queue is live: new handoffs appear and ages grow.
  const timer = window.setInterval(refresh, 5000);
  return () => window.clearInterval(timer);
}
