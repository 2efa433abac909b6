#include "apps/finbrain/cli_service_world.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <unordered_map>

#include "common/json_text.h"
#include "ingest/jsonl.h"
#include "lifecycle/account_lifecycle.h"
#include "server/internal/service_customer.h"
#include "service/conversation_evaluation.h"

namespace finbrain::cli {
namespace {

namespace json = boost::json;

// Calls `line` with each object of DIR/NAME (ingest's JSONL reader) as an event; a missing
// file is an error naming --world.
Status ForEachEvent(
    const std::string& dir, const std::string& name,
    const std::function<void(const ingest::ValidatedEvent&, const json::object&)>& line) {
  const std::string path = dir + "/" + name;
  if (!std::filesystem::is_regular_file(path)) {
    return NotFoundError(path + " not found: is it a simulated world?", "world");
  }
  return ingest::ForEachJsonObject({path}, [&](const json::object& o, std::string_view) {
    ingest::ValidatedEvent event{.fields = std::make_shared<const json::object>(o)};
    if (const json::value* at = o.if_contains("occurred_at"); at && at->is_string()) {
      if (StatusOr<TimeMicros> t = ParseRfc3339(at->get_string()); t.ok()) event.occurred_at = *t;
    }
    line(event, o);
    return OkStatus();
  });
}

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The loans of the users that converse, and their repayment reports in time order.
class WorldAccounts {
 public:
  static StatusOr<WorldAccounts> Read(const std::string& dir, const std::set<std::string>& users) {
    WorldAccounts w;
    FB_RETURN_IF_ERROR(ForEachEvent(
        dir, "events/loan_drawdown.jsonl", [&](const ingest::ValidatedEvent& e, const auto& o) {
          if (!users.contains(Text(o, "user_id"))) return;
          if (std::optional<lifecycle::Account> a = lifecycle::AccountFromDrawdown(e)) {
            w.loans_of_[a->user_id].push_back(a->account_id);
            w.accounts_.emplace(a->account_id, Loan{*a, {}});
          }
        }));
    FB_RETURN_IF_ERROR(ForEachEvent(
        dir, "events/repayment.jsonl", [&](const ingest::ValidatedEvent& e, const auto&) {
          std::optional<lifecycle::RepaymentReport> r = lifecycle::RepaymentReportOf(e);
          if (!r) return;
          if (auto it = w.accounts_.find(r->loan_id); it != w.accounts_.end()) {
            it->second.reports.push_back(std::move(*r));
          }
        }));
    for (auto& [id, loan] : w.accounts_) {
      std::stable_sort(loan.reports.begin(), loan.reports.end(),
                       [](const auto& x, const auto& y) { return x.at < y.at; });
    }
    return w;
  }

  // The user's accounts as the events up to `at` left them.
  std::vector<service::AccountFacts> At(std::string_view user_id, TimeMicros at) const {
    std::vector<service::AccountFacts> out;
    const auto loans = loans_of_.find(std::string(user_id));
    if (loans == loans_of_.end()) return out;
    for (const std::string& id : loans->second) {
      const Loan& loan = accounts_.at(id);
      if (loan.opened.opened_at > at) continue;
      lifecycle::Account a = loan.opened;
      for (const lifecycle::RepaymentReport& r : loan.reports) {
        if (r.at > at) break;
        lifecycle::ApplyRepayment(a, r);
      }
      out.push_back(server::internal::AccountFactsFrom(a, at));
    }
    return out;
  }

 private:
  struct Loan {
    lifecycle::Account opened;
    std::vector<lifecycle::RepaymentReport> reports;
  };
  std::unordered_map<std::string, std::vector<std::string>> loans_of_;
  std::unordered_map<std::string, Loan> accounts_;
};

StatusOr<std::vector<service::ScriptedTurn>> ReadTurns(const std::string& dir) {
  std::unordered_map<std::string, std::string> texts;  // message_id -> text
  FB_RETURN_IF_ERROR(ForEachEvent(dir, "events/service_message.jsonl",
                                  [&](const ingest::ValidatedEvent&, const json::object& o) {
                                    texts[Text(o, "message_id")] = Text(o, "text");
                                  }));
  std::vector<service::ScriptedTurn> turns;
  Status missing;
  FB_RETURN_IF_ERROR(ForEachEvent(
      dir, "truth/service_turns.jsonl", [&](const ingest::ValidatedEvent&, const json::object& o) {
        service::ScriptedTurn t{.conversation_id = Text(o, "conversation_id"),
                                .message_id = Text(o, "message_id"),
                                .user_id = Text(o, "user_id"),
                                .kind = Text(o, "kind"),
                                .expected = Text(o, "expected"),
                                .intent = Text(o, "intent"),
                                .account_id = Text(o, "account_id")};
        if (StatusOr<TimeMicros> at = ParseRfc3339(Text(o, "at")); at.ok()) t.at = *at;
        if (const json::value* amount = o.if_contains("amount"); amount && amount->is_number()) {
          t.amount = amount->to_number<double>();
        }
        const auto text = texts.find(t.message_id);
        if (text == texts.end()) {
          missing = NotFoundError("message " + t.message_id + " of the truth is not in the events",
                                  "world");
          return;
        }
        t.text = text->second;
        turns.push_back(std::move(t));
      }));
  FB_RETURN_IF_ERROR(missing);
  if (turns.empty()) {
    return NotFoundError(dir + "/truth/service_turns.jsonl has no turns", "world");
  }
  return turns;
}

json::object MetricsJson(const service::ConversationEvaluation& e) {
  json::object kinds;
  for (const auto& [kind, t] : e.by_kind) {
    kinds[kind] = {{"turns", t.turns},
                   {"answered", t.answered},
                   {"correct", t.correct},
                   {"handed_off", t.handed_off}};
  }
  const auto account = e.by_kind.find("account");
  const size_t account_turns = account == e.by_kind.end() ? 0 : account->second.turns;
  return {{"auto_answer_rate", Round4(e.in_scope_answer_rate())},
          {"answer_precision", Round4(e.in_scope_precision())},
          {"oos_answered_rate", Round4(e.oos_answered_rate())},
          {"person_handoff_rate", Round4(e.person_handoff_rate())},
          {"angry_handoff_rate", Round4(e.angry_handoff_rate())},
          {"needs_person_handoff_rate", Round4(e.needs_person_handoff_rate())},
          {"account_answer_rate",
           Round4(account_turns == 0 ? 0
                                     : static_cast<double>(e.account_right_amount) /
                                           static_cast<double>(account_turns))},
          {"counts",
           {{"conversations", e.conversations},
            {"in_scope", e.in_scope().turns},
            {"account_right_account", e.account_right_account},
            {"account_right_amount", e.account_right_amount},
            {"by_kind", std::move(kinds)}}}};
}

void PrintMistakes(const service::ConversationEvaluation& e) {
  for (const auto& m : e.mistakes) {
    std::string answer = m.reply.answer;
    std::replace(answer.begin(), answer.end(), '\n', ' ');
    std::cerr << m.turn.kind << "\t" << m.turn.expected << "\t"
              << service::ReplyTypeName(m.reply.type) << "\t" << m.reply.kb_id << "\t"
              << (m.reply.candidates.empty() ? "" : m.reply.candidates[0].kb_id) << "\t"
              << Round4(m.reply.confidence) << "\t" << m.turn.text << "\t" << answer << "\n";
  }
}

StatusOr<std::unique_ptr<service::FaqBot>> BuildBot(std::vector<service::KbEntry> kb) {
  std::cerr << "building the bot on " << kb.size() << " entries (calibration)...\n";
  FB_ASSIGN_OR_RETURN(const service::BotModels models, service::SharedBotModels());
  return service::FaqBot::Build(std::move(kb), models, {});
}

}  // namespace

Status EvaluateOnWorld(std::vector<service::KbEntry> kb, const Args& a) {
  const std::string dir = a["world"];
  const double learn = a["learn"].empty() ? 0.5 : a.Number("learn");
  FB_ASSIGN_OR_RETURN(const std::vector<service::ScriptedTurn> turns, ReadTurns(dir));
  std::set<std::string> users;
  for (const service::ScriptedTurn& t : turns) users.insert(t.user_id);
  FB_ASSIGN_OR_RETURN(const WorldAccounts accounts, WorldAccounts::Read(dir, users));
  const service::AccountsAt accounts_at = [&](std::string_view user, TimeMicros at) {
    return accounts.At(user, at);
  };
  FB_ASSIGN_OR_RETURN(const auto bot, BuildBot(kb));
  std::cerr << "evaluating " << turns.size() << " turns of " << users.size() << " users...\n";
  const service::ConversationEvaluation e =
      service::EvaluateConversations(*bot, turns, accounts_at);
  if (a.Flag("mistakes")) PrintMistakes(e);
  json::object out = MetricsJson(e);
  if (learn > 0) {
    // Conversations that began in the first `learn` share of the time are the past agents
    // answered; the rest are evaluated with the KB before and after their answers.
    TimeMicros first = turns.front().at, last = turns.front().at;
    for (const service::ScriptedTurn& t : turns) {
      first = std::min(first, t.at);
      last = std::max(last, t.at);
    }
    const TimeMicros cut =
        first + static_cast<TimeMicros>(learn * static_cast<double>(last - first));
    std::map<std::string, TimeMicros> began;
    for (const service::ScriptedTurn& t : turns) began.try_emplace(t.conversation_id, t.at);
    std::vector<service::ScriptedTurn> past, future;
    for (const service::ScriptedTurn& t : turns) {
      (began.at(t.conversation_id) < cut ? past : future).push_back(t);
    }
    const service::ConversationEvaluation before =
        service::EvaluateConversations(*bot, future, accounts_at);
    std::vector<service::KbEntry> learned =
        service::LearnFromAgents(kb, service::EvaluateConversations(*bot, past, accounts_at));
    size_t published = 0;
    for (size_t i = 0; i < kb.size(); ++i) {
      published += learned[i].alternatives.size() - kb[i].alternatives.size();
    }
    FB_ASSIGN_OR_RETURN(const auto learned_bot, BuildBot(std::move(learned)));
    std::cerr << "evaluating the later " << future.size() << " turns after " << published
              << " published alternatives...\n";
    const service::ConversationEvaluation after =
        service::EvaluateConversations(*learned_bot, future, accounts_at);
    out["learning_from_agents"] = {{"past_share", learn},
                                   {"past_turns", past.size()},
                                   {"alternatives_published", published},
                                   {"before", MetricsJson(before)},
                                   {"after", MetricsJson(after)}};
  }
  std::cout << ToJsonText(out) << "\n";
  return OkStatus();
}

}  // namespace finbrain::cli
