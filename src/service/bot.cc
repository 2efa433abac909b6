#include "service/bot.h"

#include <linear.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <mutex>
#include <regex>

#include "service/resources.h"
#include "service/text.h"

namespace finbrain::service {
namespace {

constexpr size_t kKbCoverageFeature = 7;

// The position of a pair feature (service/pair_features.h) by name, resolved once.
size_t PairFeature(std::string_view name) {
  const auto& names = PairFeatureNames();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) std::abort();  // a renamed feature: caught by every test of the bot
  return static_cast<size_t>(it - names.begin());
}
const size_t kIdfWordOverlap = PairFeature("idf_word_overlap");
const size_t kBigramContainment = PairFeature("bigram_containment");
const size_t kCharEditRatio = PairFeature("char_edit_ratio");

double Probability(double margin) { return 1 / (1 + std::exp(-margin)); }

// A logistic regression on dense features through liblinear (L2, C = 1); weights then bias.
template <size_t N>
std::array<double, N + 1> FitLogistic(const std::vector<std::array<double, N>>& x,
                                      const std::vector<int>& y) {
  set_print_string_function([](const char*) {});
  std::vector<std::vector<feature_node>> rows(x.size());
  std::vector<feature_node*> pointers(x.size());
  std::vector<double> labels(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    for (size_t f = 0; f < N; ++f) rows[i].push_back({static_cast<int>(f + 1), x[i][f]});
    rows[i].push_back({static_cast<int>(N + 1), 1.0});  // bias
    rows[i].push_back({-1, 0});
    pointers[i] = rows[i].data();
    labels[i] = y[i] == 1 ? 1 : -1;
  }
  problem prob{.l = static_cast<int>(x.size()),
               .n = static_cast<int>(N + 1),
               .y = labels.data(),
               .x = pointers.data(),
               .bias = -1};
  parameter param{.solver_type = L2R_LR,
                  .eps = 0.001,
                  .C = 1,
                  .nr_weight = 0,
                  .weight_label = nullptr,
                  .weight = nullptr,
                  .p = 0.1,
                  .init_sol = nullptr};
  model* m = ::train(&prob, &param);
  const double sign = m->label[0] == 1 ? 1 : -1;
  std::array<double, N + 1> w{};
  for (size_t f = 0; f <= N; ++f) w[f] = sign * m->w[f];
  free_and_destroy_model(&m);
  return w;
}

// The share of the message's words (idf-weighted) that `words` contains.
double IdfCoverage(const Analysis& query, const std::vector<std::string>& words,
                   const IdfTable& idf) {
  double covered = 0, total = 0;
  for (const std::string& w : query.words) {
    total += idf.Word(w);
    if (std::find(words.begin(), words.end(), w) != words.end()) covered += idf.Word(w);
  }
  return total == 0 ? 0 : covered / total;
}

constexpr std::string_view kClarifyPrompt = "您是想问以下哪个问题？请回复序号或换个说法：";
constexpr std::string_view kOutOfScope = "抱歉，这个问题我暂时无法回答。需要为您转接人工客服吗？";
constexpr std::string_view kHandoff = "正在为您转接人工客服，请稍候，客服会看到我们刚才的对话。";

// Anger needs the sentiment model's score and a word of anger: review-trained sentiment alone
// also scores plain questions about problems (逾期, 冻结) as negative.
constexpr std::string_view kAngerCues[] = {"垃圾", "骗子", "气死", "气人",   "生气", "过分",
                                           "投诉", "报警", "太差", "烦死",   "恶心", "坑人",
                                           "无语", "滚",   "妈的", "破服务", "受够", "忍无可忍",
                                           "欺骗", "骚扰", "愤怒", "火大",   "黑心"};
// A complaint goes to a person whatever it is about.
constexpr std::string_view kComplaintCues[] = {"投诉", "举报", "报警", "曝光", "起诉", "反映问题"};
constexpr std::string_view kSecurityCues[] = {"被盗",   "盗刷",       "盗用",   "盗号",
                                              "盗了我", "诈骗",       "被骗",   "骗了",
                                              "冒充",   "不是我本人", "非本人", "安全账户"};
// A customer who cannot pay needs a person (a plan, a deferral), not the FAQ on late fees.
constexpr std::string_view kHardshipCues[] = {"失业",     "手头紧",  "资金困难", "经济困难",
                                              "还不上",   "还不起",  "没钱还",   "周转不开",
                                              "没有收入", "生病住院"};

template <size_t N>
bool ContainsAny(std::string_view text, const std::string_view (&cues)[N]) {
  return std::any_of(std::begin(cues), std::end(cues), [&](std::string_view cue) {
    return text.find(cue) != std::string_view::npos;
  });
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

}  // namespace

std::string_view ReplyTypeName(ReplyType type) {
  switch (type) {
    case ReplyType::kAnswer:
      return "answer";
    case ReplyType::kClarify:
      return "clarify";
    case ReplyType::kOutOfScope:
      return "out_of_scope";
    case ReplyType::kHandoff:
      return "handoff";
  }
  return "";
}

bool AsksForPerson(std::string_view normalised) {
  // Byte-wise regular expressions over UTF-8 literals: alternations of whole words only.
  static const std::regex kPatterns[] = {
      std::regex("(转|找|要|叫|接|换|请|让|安排)(你们|你们的)?(一)?(个|位)?"
                 "(人工|真人|活人|工作人员|客服人员|客服|经理|领导|主管|负责人|坐席)"),
      std::regex("^(人工|真人)(服务|客服|坐席)?[!?.。！？]*$"),
      std::regex("机器人.*(听不懂|没用|不行|答非所问|废物)|(不要|别让|不想跟|不想和|别用)机器人"),
      std::regex("(和|跟|与)(你们)?(的)?(客服人员|工作人员|真人|人工|活人|经理|领导|主管|负责人)"
                 "(通话|说话|聊|沟通|对话|谈)"),
      std::regex("(叫|找|来)(个|一个)人(来|过来|跟我|和我)"),
  };
  const std::string text(normalised);
  return std::any_of(std::begin(kPatterns), std::end(kPatterns),
                     [&](const std::regex& r) { return std::regex_search(text, r); });
}

StatusOr<BotModels> SharedBotModels() {
  static std::mutex mu;
  static std::optional<BotModels> shared;
  std::lock_guard lock(mu);
  if (!shared) {
    BotModels m;
    FB_ASSIGN_OR_RETURN(m.segmenter, SharedSegmenter());
    FB_ASSIGN_OR_RETURN(QuestionMatcher matcher,
                        QuestionMatcher::Load(ServiceFile("matcher.json")));
    m.matcher = std::make_shared<const QuestionMatcher>(std::move(matcher));
    FB_ASSIGN_OR_RETURN(SentimentModel sentiment,
                        SentimentModel::Load(ServiceFile("sentiment.json")));
    m.sentiment = std::make_shared<const SentimentModel>(std::move(sentiment));
    m.out_of_scope_questions = ReadLines(ServiceFile("oos_calibration.txt"));
    std::ifstream synonyms(ServiceFile("synonyms.txt"));
    if (!synonyms) return NotFoundError(ServiceFile("synonyms.txt") + " is missing", "synonyms");
    m.synonyms = ParseSynonyms(std::string(std::istreambuf_iterator<char>(synonyms), {}));
    shared = std::move(m);
  }
  return *shared;
}

StatusOr<std::unique_ptr<FaqBot>> FaqBot::Build(std::vector<KbEntry> entries,
                                                const BotModels& models,
                                                const BotOptions& options) {
  if (models.segmenter == nullptr || models.matcher == nullptr || models.sentiment == nullptr) {
    return InvalidArgumentError("the bot needs a segmenter, a matcher and a sentiment model");
  }
  std::unique_ptr<FaqBot> bot(new FaqBot());
  bot->models_ = models;
  bot->options_ = options;
  FB_ASSIGN_OR_RETURN(bot->index_,
                      KbIndex::Build(std::move(entries), models.segmenter, models.synonyms));
  for (size_t i = 0; i < bot->index_->entries().size(); ++i)
    bot->by_id_.emplace(bot->index_->entries()[i].id, i);
  for (size_t e = 0; e < bot->index_->entries().size(); ++e) {
    const KbEntry& entry = bot->index_->entries()[e];
    std::vector<std::string>& words = bot->entry_words_.emplace_back();
    for (size_t w = 0; w <= entry.alternatives.size(); ++w) {
      const std::vector<std::string>& wording = bot->index_->wording(e, w).words;
      words.insert(words.end(), wording.begin(), wording.end());
    }
    bot->answer_words_.push_back(bot->index_->analyzer().Analyze(entry.answer).words);
    bot->kb_words_.insert(words.begin(), words.end());
    bot->kb_words_.insert(bot->answer_words_.back().begin(), bot->answer_words_.back().end());
  }
  bot->Calibrate(models.out_of_scope_questions);
  return bot;
}

// Rank features of one retrieved entry: the matcher's best score over its wordings, BM25
// against the best hit's, the retrieval rank, and three overlaps of the best wording (idf-weighted
// words, bigram containment, edit distance).
std::vector<FaqBot::Scored> FaqBot::Rank(const Analysis& query,
                                         std::pair<size_t, size_t> skip) const {
  std::vector<Scored> ranked;
  std::vector<KbIndex::Hit> hits = index_->Search(query, options_.retrieve + 1);
  std::erase_if(hits, [&](const KbIndex::Hit& h) {
    return h.entry == skip.first && index_->entries()[h.entry].alternatives.empty();
  });
  if (hits.size() > options_.retrieve) hits.resize(options_.retrieve);
  const double top_bm25 = hits.empty() ? 1 : std::max(hits[0].bm25, 1e-9);
  const IdfTable& idf = models_.matcher->lexicon().idf;
  // How much of the message the KB speaks about at all: 红烧肉 or 比特币 appear in no entry.
  double known = 0, total = 0;
  for (const std::string& w : query.words) {
    total += idf.Word(w);
    if (kb_words_.contains(w)) known += idf.Word(w);
  }
  const double kb_coverage = total == 0 ? 0 : known / total;
  for (size_t rank = 0; rank < hits.size(); ++rank) {
    const KbIndex::Hit& hit = hits[rank];
    const KbEntry& entry = index_->entries()[hit.entry];
    double best = -1;
    size_t best_wording = 0;
    PairFeatureRow pair{}, candidate{};
    for (size_t w = 0; w <= entry.alternatives.size(); ++w) {
      if (skip == std::pair{hit.entry, w}) continue;
      const double p =
          models_.matcher->SameQuestion(query, index_->wording(hit.entry, w), &candidate);
      if (p > best) {
        best = p;
        best_wording = w;
        pair = candidate;
      }
    }
    const auto value = [&](size_t feature) {
      return std::isnan(pair[feature]) ? 0.0 : double{pair[feature]};
    };
    const Analysis& wording = index_->wording(hit.entry, best_wording);
    Scored s{.entry = hit.entry,
             .features = {best, hit.bm25 / top_bm25, static_cast<double>(rank) / 10.0,
                          value(kIdfWordOverlap), value(kBigramContainment), value(kCharEditRatio),
                          IdfCoverage(query, wording.words, idf), kb_coverage, std::log1p(hit.bm25),
                          IdfCoverage(query, entry_words_[hit.entry], idf),
                          IdfCoverage(query, answer_words_[hit.entry], idf)}};
    s.score = ranker_[kRankFeatures];
    for (size_t f = 0; f < kRankFeatures; ++f) s.score += ranker_[f] * s.features[f];
    ranked.push_back(s);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Scored& a, const Scored& b) { return a.score > b.score; });
  return ranked;
}

void FaqBot::Calibrate(const std::vector<std::string>& out_of_scope) {
  // Calibration messages: every wording of an entry with alternatives, left out in turn (its
  // entry is the right answer), and the out-of-scope questions (no answer is right).
  struct Message {
    std::vector<Scored> candidates;
    size_t right = SIZE_MAX;  // the entry that answers it
  };
  std::vector<Message> messages;
  ranker_.fill(0);
  ranker_[0] = 1;  // before fitting: the matcher's score alone
  // A large KB is calibrated on an even sample of its wordings (each costs one ranking).
  size_t eligible = 0;
  for (const KbEntry& entry : index_->entries()) {
    if (!entry.alternatives.empty()) eligible += entry.alternatives.size() + 1;
  }
  const size_t cap = std::max<size_t>(1, options_.calibration_messages);
  const size_t stride = std::max<size_t>(1, (eligible + cap - 1) / cap);
  size_t seen = 0;
  for (size_t e = 0; e < index_->entries().size(); ++e) {
    const size_t wordings = index_->entries()[e].alternatives.size() + 1;
    if (wordings < 2) continue;  // a lone question left out leaves nothing to find
    for (size_t w = 0; w < wordings; ++w) {
      if (seen++ % stride == 0) messages.push_back({Rank(index_->wording(e, w), {e, w}), e});
    }
  }
  for (const std::string& q : out_of_scope) {
    messages.push_back({Rank(index_->analyzer().Analyze(q)), SIZE_MAX});
  }
  // The ranker: a logistic regression of "this candidate is the right entry".
  std::vector<std::array<double, kRankFeatures>> x;
  std::vector<int> y;
  for (const Message& m : messages) {
    for (const Scored& c : m.candidates) {
      x.push_back(c.features);
      y.push_back(c.entry == m.right ? 1 : 0);
    }
  }
  if (std::count(y.begin(), y.end(), 1) >= 10 && std::count(y.begin(), y.end(), 0) >= 10) {
    ranker_ = FitLogistic(x, y);
  }
  std::vector<std::pair<double, int>> examples;  // (top score, 1 if the top is right)
  for (const Message& m : messages) {
    double top = -1e9;
    size_t top_entry = SIZE_MAX;
    for (const Scored& c : m.candidates) {
      double score = ranker_[kRankFeatures];
      for (size_t f = 0; f < kRankFeatures; ++f) score += ranker_[f] * c.features[f];
      if (score > top) {
        top = score;
        top_entry = c.entry;
      }
    }
    examples.emplace_back(top, top_entry != SIZE_MAX && top_entry == m.right ? 1 : 0);
  }
  calibration_size_ = examples.size();
  std::sort(examples.begin(), examples.end());
  // Pool adjacent violators: blocks of (sum of labels, count, highest score), non-decreasing.
  struct Block {
    double sum, count, high;
  };
  std::vector<Block> blocks;
  for (const auto& [score, label] : examples) {
    blocks.push_back({static_cast<double>(label), 1, score});
    while (blocks.size() > 1 && blocks[blocks.size() - 2].sum / blocks[blocks.size() - 2].count >=
                                    blocks.back().sum / blocks.back().count) {
      Block last = blocks.back();
      blocks.pop_back();
      blocks.back().sum += last.sum;
      blocks.back().count += last.count;
      blocks.back().high = last.high;
    }
  }
  isotonic_.clear();
  for (const Block& b : blocks) isotonic_.emplace_back(b.high, b.sum / b.count);
  // Answer where the calibrated confidence reaches the precision asked for: the lowest score
  // of a block whose share of right answers is at least answer_precision.
  answer_score_ = std::numeric_limits<double>::infinity();
  double low = -std::numeric_limits<double>::infinity();
  for (const auto& [high, confidence] : isotonic_) {
    if (confidence >= options_.answer_precision) {
      answer_score_ = std::min(answer_score_, std::nextafter(low, high));
      break;
    }
    low = high;
  }
}

double FaqBot::Confidence(double score) const {
  if (isotonic_.empty()) return 0;
  const auto it = std::lower_bound(isotonic_.begin(), isotonic_.end(), score,
                                   [](const auto& block, double s) { return block.first < s; });
  return it == isotonic_.end() ? isotonic_.back().second : it->second;
}

const KbEntry* FaqBot::Find(std::string_view kb_id) const {
  const auto it = by_id_.find(std::string(kb_id));
  return it == by_id_.end() ? nullptr : &index_->entries()[it->second];
}

double FaqBot::Negative(std::string_view text) const {
  return models_.sentiment->Negative(Normalise(text));
}

BotReply FaqBot::Respond(std::string_view text, const ConversationContext& context) const {
  BotReply reply;
  const Analysis query = index_->analyzer().Analyze(text);
  reply.negative = models_.sentiment->Negative(query.text);
  const std::vector<Scored> ranked = Rank(query);
  for (size_t i = 0; i < std::min(ranked.size(), options_.candidates); ++i) {
    const KbEntry& entry = index_->entries()[ranked[i].entry];
    reply.candidates.push_back({entry.id, entry.question, Confidence(ranked[i].score)});
  }
  if (!reply.candidates.empty()) reply.confidence = reply.candidates[0].confidence;
  const auto handoff = [&](std::string reason, const KbEntry* entry) {
    reply.type = ReplyType::kHandoff;
    reply.handoff_reason = std::move(reason);
    reply.answer = std::string(kHandoff);
    if (entry != nullptr) reply.kb_id = entry->id;
    return reply;
  };
  if (AsksForPerson(query.text)) return handoff("person_requested", nullptr);
  if (ContainsAny(query.text, kComplaintCues)) return handoff("complaint", nullptr);
  if (reply.negative >= options_.anger_score && ContainsAny(query.text, kAngerCues)) {
    return handoff("angry", nullptr);
  }
  // The bot neither answers nor offers entries unless the KB knows most of the message's
  // words: "能不能帮我订两张火车票" shares only "能不能帮我" with any entry.
  const double kb_coverage = ranked.empty() ? 0 : ranked[0].features[kKbCoverageFeature];
  const bool known = kb_coverage >= options_.kb_coverage;
  const bool sure = known && ranked[0].score >= answer_score_;
  const KbEntry* best = ranked.empty() ? nullptr : &index_->entries()[ranked[0].entry];
  if (ContainsAny(query.text, kSecurityCues) || (sure && best->HasTag("security"))) {
    return handoff("security", sure ? best : nullptr);
  }
  // An intent the tenant wants a person for is handed off as soon as it is plausible.
  const bool plausible =
      !ranked.empty() && Probability(ranked[0].score) >= options_.clarify_probability;
  if (plausible && best->HasTag("handoff")) return handoff("needs_person", best);
  if (ContainsAny(query.text, kHardshipCues)) return handoff("hardship", nullptr);
  if (sure) {
    reply.type = ReplyType::kAnswer;
    reply.kb_id = best->id;
    reply.answer = best->answer;
    return reply;
  }
  if (context.unsure_turns >= 1) return handoff("unsure_twice", nullptr);
  std::vector<BotCandidate> offered;
  for (size_t i = 0; i < reply.candidates.size() && known; ++i) {
    if (Probability(ranked[i].score) >= options_.clarify_probability) {
      offered.push_back(reply.candidates[i]);
    }
  }
  if (!offered.empty()) {
    reply.type = ReplyType::kClarify;
    reply.answer = std::string(kClarifyPrompt);
    for (size_t i = 0; i < offered.size(); ++i) {
      reply.answer += "\n" + std::to_string(i + 1) + ". " + offered[i].question;
      reply.offered.push_back(offered[i].kb_id);
    }
    return reply;
  }
  reply.type = ReplyType::kOutOfScope;
  reply.answer = std::string(kOutOfScope);
  return reply;
}

}  // namespace finbrain::service
