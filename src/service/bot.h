// The FAQ bot's brain for one tenant's knowledge base: what to do with one customer message.
//
//   1. A request for a person, in any of the usual wordings, hands off at once; so do a
//      complaint, a security incident and an angry customer (the sentiment model's score with a
//      word of anger).
//   2. Otherwise BM25 retrieval (service/kb_index.h) proposes entries, the question matcher
//      (service/matcher.h) scores every wording of each against the message, and a logistic
//      ranker combines the best matcher score with retrieval and overlap signals.
//   3. The best entry's score becomes a calibrated confidence: the share of correct answers
//      among messages that scored alike. Ranker and calibration are fitted when the bot is built,
//      on the KB's own wordings (each left out in turn, the entry's other wordings must find
//      it) and on questions outside any finance KB. A confidence threshold therefore means a
//      precision.
//   4. Confident: the answer (a handoff if the entry is tagged `security`). An entry tagged
//      `handoff` hands off as soon as it is plausible. Less confident but with plausible
//      candidates: a clarifying question listing them. No candidate worth
//      showing: a polite out-of-scope reply offering a person. Two unsure turns in a row hand off.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto bot, FaqBot::Build(entries, models, {}));
//   BotReply r = bot->Respond("白条怎么提前还钱", {});
//
// Thread-safety: immutable after Build; Respond may run on any number of threads.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "service/kb_index.h"
#include "service/matcher.h"
#include "service/sentiment.h"

namespace finbrain::service {

struct BotModels {
  std::shared_ptr<const Segmenter> segmenter;
  std::shared_ptr<const QuestionMatcher> matcher;
  std::shared_ptr<const SentimentModel> sentiment;
  std::vector<std::string> out_of_scope_questions;  // for calibration
  std::vector<Synonym> synonyms;                    // the domain's colloquial wordings
};

// The shipped models and calibration questions (resources/service), loaded once per process.
StatusOr<BotModels> SharedBotModels();

struct BotOptions {
  double answer_precision = 0.95;  // an answer needs a confidence at least this
  // Candidates the ranker gives at least this probability are offered to choose from when the
  // best is not confident enough to answer.
  double clarify_probability = 0.1;
  // Answers and offered candidates need the KB to know this share of the message's words
  // (idf-weighted): a question about train tickets is out of scope however well "能不能帮我"
  // matches.
  double kb_coverage = 0.5;
  double anger_score = 0.8;  // the sentiment model's negative probability, with an anger word
  size_t retrieve = 10;      // entries retrieval proposes to the matcher
  size_t candidates = 3;     // shown in a reply
  size_t calibration_messages = 2000;  // at most this many KB wordings calibrate a large KB
};

enum class ReplyType { kAnswer, kClarify, kOutOfScope, kHandoff };
std::string_view ReplyTypeName(ReplyType type);

struct BotCandidate {
  std::string kb_id;
  std::string question;
  double confidence = 0;
};

struct BotReply {
  ReplyType type = ReplyType::kOutOfScope;
  std::string kb_id;      // the answered (or handed-off) entry, if any
  std::string answer;     // the text to send the customer
  double confidence = 0;  // of the best candidate
  std::vector<BotCandidate> candidates;
  // person_requested | complaint | hardship | angry | security | needs_person | unsure_twice
  std::string handoff_reason;
  double negative = 0;               // the message's sentiment: probability it is negative
  std::vector<std::string> offered;  // a clarifying question's entries, as listed
  std::string account_id;            // an account answer's account (service/account_answers.h)
};

// What the bot remembers of a conversation between turns.
struct ConversationContext {
  int unsure_turns = 0;              // consecutive turns answered with clarify or out_of_scope
  std::vector<std::string> offered;  // the entries the last clarifying question listed
  // An account question waiting for the customer to say which account, and the accounts the
  // bot listed.
  std::string pending_account_kb_id;
  std::vector<std::string> pending_accounts;
};

// True for messages that ask for a person ("转人工", "叫个真人来", "我要找你们经理").
bool AsksForPerson(std::string_view normalised_text);

class FaqBot {
 public:
  static StatusOr<std::unique_ptr<FaqBot>> Build(std::vector<KbEntry> entries,
                                                 const BotModels& models,
                                                 const BotOptions& options);

  BotReply Respond(std::string_view text, const ConversationContext& context) const;

  const std::vector<KbEntry>& entries() const { return index_->entries(); }
  const KbEntry* Find(std::string_view kb_id) const;
  // The sentiment model's probability that `text` is negative.
  double Negative(std::string_view text) const;
  // The calibration the bot was built with: the matcher score an answer needs, and how many
  // messages it was fitted on.
  double answer_score() const { return answer_score_; }
  size_t calibration_size() const { return calibration_size_; }
  // Confidence for a matcher score (isotonic fit, non-decreasing).
  double Confidence(double score) const;

 private:
  static constexpr size_t kRankFeatures = 11;
  struct Scored {
    size_t entry = 0;
    std::array<double, kRankFeatures> features{};  // see RankFeatures in bot.cc
    double score = 0;                              // the ranker's margin
  };
  FaqBot() = default;
  // Retrieved entries by the ranker's score, best first; `skip` leaves one wording out
  // (entry, wording) for calibration.
  std::vector<Scored> Rank(const Analysis& query,
                           std::pair<size_t, size_t> skip = {SIZE_MAX, SIZE_MAX}) const;
  void Calibrate(const std::vector<std::string>& out_of_scope);

  BotModels models_;
  BotOptions options_;
  std::unique_ptr<KbIndex> index_;
  std::unordered_map<std::string, size_t> by_id_;       // entry id -> position (Find, per answer)
  std::unordered_set<std::string> kb_words_;            // every word of every wording and answer
  std::vector<std::vector<std::string>> entry_words_;   // per entry: its wordings' words
  std::vector<std::vector<std::string>> answer_words_;  // per entry: its answer's words
  // The ranker: a logistic regression over the rank features, fitted on the calibration
  // messages (weights, then the bias).
  std::array<double, kRankFeatures + 1> ranker_{};
  std::vector<std::pair<double, double>> isotonic_;  // (score upper bound, confidence), ascending
  double answer_score_ = 1.0;
  size_t calibration_size_ = 0;
};

}  // namespace finbrain::service
