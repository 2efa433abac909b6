// Offline evaluation of the FAQ bot: labelled messages, each the first turn of a new
// conversation with no user, against the bot built on a KB.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto queries, ReadLabelledQueries("queries.csv"));
//   BotEvaluation e = EvaluateBot(*bot, queries);
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "service/bot.h"

namespace finbrain::service {

inline constexpr std::string_view kExpectOutOfScope = "OOS";  // must not get an FAQ answer
inline constexpr std::string_view kExpectHuman = "HUMAN";     // must be handed off

struct LabelledQuery {
  std::string text;
  std::string expected;  // a KB id, OOS or HUMAN
};

// CSV with a header and the columns `text` and `expected`.
StatusOr<std::vector<LabelledQuery>> ReadLabelledQueries(const std::string& path);

struct BotEvaluation {
  size_t rows = 0, answerable = 0, out_of_scope = 0, human = 0;
  size_t answers = 0, correct_answers = 0;  // replies of type answer, and those right
  size_t answerable_answered = 0;           // answerable rows with an answer (right or wrong)
  size_t answerable_correct = 0;            // ... with the expected entry
  size_t out_of_scope_rejected = 0, human_handed_off = 0;
  size_t by_type[4] = {0, 0, 0, 0};  // by ReplyType
  struct Mistake {
    LabelledQuery query;
    BotReply reply;
  };
  std::vector<Mistake> mistakes;

  double top1_accuracy() const;
  double oos_rejection_rate() const;
  double handoff_recall() const;
  double answer_precision() const;
  double auto_answer_rate() const;
};

BotEvaluation EvaluateBot(const FaqBot& bot, const std::vector<LabelledQuery>& queries);

}  // namespace finbrain::service
