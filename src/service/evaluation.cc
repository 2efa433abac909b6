#include "service/evaluation.h"

#include <set>

#include "models/dataset.h"

namespace finbrain::service {
namespace {

double Share(size_t part, size_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

StatusOr<std::vector<LabelledQuery>> ReadLabelledQueries(const std::string& path) {
  FB_ASSIGN_OR_RETURN(models::Dataset data,
                      models::ReadCsv(path, {.categorical = {"text", "expected"}}));
  const models::Column* text = data.Find("text");
  const models::Column* expected = data.Find("expected");
  if (text == nullptr || expected == nullptr) {
    return InvalidArgumentError(path + ": needs the columns text and expected", "queries");
  }
  std::vector<LabelledQuery> queries;
  for (size_t r = 0; r < data.rows; ++r) {
    if (text->IsMissing(r) || expected->IsMissing(r)) {
      return InvalidArgumentError(
          path + ": row " + std::to_string(r + 1) + " needs a text and an expected reply",
          "queries");
    }
    queries.push_back({text->Text(r), expected->Text(r)});
  }
  return queries;
}

double BotEvaluation::top1_accuracy() const { return Share(answerable_correct, answerable); }
double BotEvaluation::oos_rejection_rate() const {
  return Share(out_of_scope_rejected, out_of_scope);
}
double BotEvaluation::handoff_recall() const { return Share(human_handed_off, human); }
double BotEvaluation::answer_precision() const { return Share(correct_answers, answers); }
double BotEvaluation::auto_answer_rate() const { return Share(answerable_answered, answerable); }

BotEvaluation EvaluateBot(const FaqBot& bot, const std::vector<LabelledQuery>& queries) {
  BotEvaluation e;
  for (const LabelledQuery& q : queries) {
    const BotReply reply = bot.Respond(q.text, {});
    ++e.rows;
    ++e.by_type[static_cast<int>(reply.type)];
    const bool answered = reply.type == ReplyType::kAnswer;
    bool right = false;
    if (q.expected == kExpectOutOfScope) {
      ++e.out_of_scope;
      right = !answered;
      e.out_of_scope_rejected += right;
    } else if (q.expected == kExpectHuman) {
      ++e.human;
      right = reply.type == ReplyType::kHandoff;
      e.human_handed_off += right;
    } else {
      ++e.answerable;
      right = answered && reply.kb_id == q.expected;
      e.answerable_answered += answered;
      e.answerable_correct += right;
    }
    e.answers += answered;
    e.correct_answers += answered && right;
    if (!right) e.mistakes.push_back({q, reply});
  }
  return e;
}

}  // namespace finbrain::service
