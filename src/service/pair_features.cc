#include "service/pair_features.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace finbrain::service {
namespace {

namespace json = boost::json;

constexpr float kNone = std::numeric_limits<float>::quiet_NaN();

// Cue lists. They name what customers ask about, not any data set's answers.
constexpr std::string_view kProducts[] = {"花呗",   "借呗",   "白条",   "金条",   "信用卡",
                                          "余额宝", "网商贷", "备用金", "支付宝", "微信",
                                          "银行卡", "储蓄卡", "现金贷", "消费贷", "理财",
                                          "基金",   "保险",   "小金库", "淘宝",   "京东"};
constexpr std::string_view kActions[] = {
    "开通",   "关闭", "注销", "提额", "降额", "还款", "分期", "退款", "逾期", "利息",
    "手续费", "扣款", "冻结", "解冻", "激活", "取消", "申请", "提现", "借款", "转账",
    "充值",   "绑定", "解绑", "修改", "延期", "减免", "征信", "密码", "账单", "额度",
    "收款",   "付款", "支付", "退货", "违约", "罚息", "自动", "审核", "放款", "到账"};
constexpr std::string_view kTimes[] = {"今天", "明天", "昨天", "本月", "这个月", "下个月", "上个月",
                                       "月底", "月初", "每月", "下月", "当天",   "以后",   "之前"};
constexpr std::string_view kNegations[] = {"不", "没", "无", "未", "别", "非"};
// Question kinds, most specific cue first ("为什么" before "什么", "怎么回事" before "怎么").
constexpr std::pair<std::string_view, int> kQuestionCues[] = {
    {"为什么", 1},   {"为何", 1}, {"为啥", 1},   {"怎么回事", 1}, {"咋回事", 1},   {"什么原因", 1},
    {"什么时候", 2}, {"何时", 2}, {"哪天", 2},   {"几号", 2},     {"多少", 3},     {"多久", 3},
    {"多长", 3},     {"几", 3},   {"哪里", 4},   {"在哪", 4},     {"哪儿", 4},     {"怎么", 5},
    {"如何", 5},     {"怎样", 5}, {"咋", 5},     {"能不能", 6},   {"可不可以", 6}, {"可以", 6},
    {"能否", 6},     {"是否", 6}, {"会不会", 6}, {"有没有", 6},   {"吗", 6},       {"什么", 7},
    {"啥", 7}};

template <size_t N>
std::set<std::string_view> Found(const std::string& text, const std::string_view (&cues)[N]) {
  std::set<std::string_view> out;
  for (std::string_view cue : cues) {
    if (text.find(cue) != std::string::npos) out.insert(cue);
  }
  return out;
}

int QuestionKind(const std::string& text) {
  for (const auto& [cue, kind] : kQuestionCues) {
    if (text.find(cue) != std::string::npos) return kind;
  }
  return 0;
}

int CountOf(const std::string& text, std::string_view what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size()))
    ++n;
  return n;
}

template <typename T>
std::set<T> AsSet(const std::vector<T>& v) {
  return {v.begin(), v.end()};
}

template <typename T>
size_t Shared(const std::set<T>& a, const std::set<T>& b) {
  size_t n = 0;
  for (const T& x : a) n += b.contains(x);
  return n;
}

template <typename T>
float Jaccard(const std::set<T>& a, const std::set<T>& b) {
  if (a.empty() && b.empty()) return kNone;
  const size_t shared = Shared(a, b);
  return static_cast<float>(shared) / static_cast<float>(a.size() + b.size() - shared);
}

template <typename T>
float Containment(const std::set<T>& a, const std::set<T>& b) {
  const size_t smaller = std::min(a.size(), b.size());
  return smaller == 0 ? kNone : static_cast<float>(Shared(a, b)) / static_cast<float>(smaller);
}

size_t EditDistance(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// Longest common subsequence and longest common substring, in characters.
std::pair<size_t, size_t> CommonRuns(const std::vector<std::string>& a,
                                     const std::vector<std::string>& b) {
  std::vector<size_t> seq(b.size() + 1, 0), run(b.size() + 1, 0);
  size_t longest_run = 0;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t seq_diagonal = 0, run_diagonal = 0;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t seq_up = seq[j], run_up = run[j];
      if (a[i - 1] == b[j - 1]) {
        seq[j] = seq_diagonal + 1;
        run[j] = run_diagonal + 1;
        longest_run = std::max(longest_run, run[j]);
      } else {
        seq[j] = std::max(seq[j], seq[j - 1]);
        run[j] = 0;
      }
      seq_diagonal = seq_up;
      run_diagonal = run_up;
    }
  }
  return {seq[b.size()], longest_run};
}

template <typename Weight>
float Cosine(const std::vector<std::string>& a, const std::vector<std::string>& b, Weight idf) {
  std::map<std::string_view, double> va, vb;
  for (const std::string& t : a) va[t] += idf(t);
  for (const std::string& t : b) vb[t] += idf(t);
  double dot = 0, na = 0, nb = 0;
  for (const auto& [t, w] : va) {
    na += w * w;
    if (const auto it = vb.find(t); it != vb.end()) dot += w * it->second;
  }
  for (const auto& [t, w] : vb) nb += w * w;
  return na == 0 || nb == 0 ? kNone : static_cast<float>(dot / std::sqrt(na * nb));
}

float Ratio(double num, double den) { return den == 0 ? kNone : static_cast<float>(num / den); }

// 1 when both sides name cues and share none, 0 when they name the same ones, a fraction in
// between; NaN when neither names one. `one_sided`: exactly one side names any.
float CueMismatch(const std::set<std::string_view>& a, const std::set<std::string_view>& b) {
  if (a.empty() && b.empty()) return kNone;
  if (a.empty() || b.empty()) return 0.5f;
  return 1.0f - Jaccard(a, b);
}

}  // namespace

IdfTable IdfTable::Fit(const std::vector<Analysis>& corpus, size_t min_count) {
  std::unordered_map<std::string, size_t> words, chars;
  for (const Analysis& a : corpus) {
    for (const std::string& w : AsSet(a.words)) ++words[w];
    for (const std::string& c : AsSet(a.chars)) ++chars[c];
    for (const std::string& b : AsSet(a.bigrams)) ++chars[b];
  }
  IdfTable t;
  const double n = static_cast<double>(corpus.size());
  const auto idf = [n](size_t df) { return std::log((n + 1) / (static_cast<double>(df) + 1)) + 1; };
  for (const auto& [w, df] : words) {
    if (df >= min_count) t.words_[w] = static_cast<float>(idf(df));
  }
  for (const auto& [c, df] : chars) {
    if (df >= min_count) t.chars_[c] = static_cast<float>(idf(df));
  }
  t.unseen_ = idf(0);
  return t;
}

double IdfTable::Word(const std::string& word) const {
  const auto it = words_.find(word);
  return it == words_.end() ? unseen_ : static_cast<double>(it->second);
}

double IdfTable::Char(const std::string& c) const {
  const auto it = chars_.find(c);
  return it == chars_.end() ? unseen_ : static_cast<double>(it->second);
}

json::object IdfTable::ToJson() const {
  // Sorted, so that a model file is the same bytes for the same training.
  const auto sorted = [](const std::unordered_map<std::string, float>& m) {
    std::map<std::string, float> s(m.begin(), m.end());
    json::object o;
    for (const auto& [k, v] : s) o[k] = std::round(static_cast<double>(v) * 1e4) / 1e4;
    return o;
  };
  return {{"unseen", unseen_}, {"words", sorted(words_)}, {"chars", sorted(chars_)}};
}

StatusOr<IdfTable> IdfTable::FromJson(const json::value& value) {
  const json::object* o = value.if_object();
  if (o == nullptr || !o->contains("unseen") || !o->at("unseen").is_number() ||
      !o->contains("words") || !o->at("words").is_object() || !o->contains("chars") ||
      !o->at("chars").is_object()) {
    return InvalidArgumentError("idf table must have unseen, words and chars", "idf");
  }
  IdfTable t;
  t.unseen_ = o->at("unseen").to_number<double>();
  for (auto [target, key] : {std::pair{&t.words_, "words"}, std::pair{&t.chars_, "chars"}}) {
    for (const auto& [term, v] : o->at(key).as_object()) {
      if (!v.is_number())
        return InvalidArgumentError("must be a number", std::string("idf.") + key);
      (*target)[std::string(term)] = static_cast<float>(v.to_number<double>());
    }
  }
  return t;
}

const std::array<std::string_view, kPairFeatureCount>& PairFeatureNames() {
  static constexpr std::array<std::string_view, kPairFeatureCount> kNames = {
      "char_jaccard",
      "bigram_jaccard",
      "word_jaccard",
      "char_edit_ratio",
      "common_run_ratio",
      "common_sequence_ratio",
      "word_tfidf_cosine",
      "char_tfidf_cosine",
      "min_chars",
      "max_chars",
      "length_ratio",
      "product_mismatch",
      "number_mismatch",
      "negation_difference",
      "negation_parity_differs",
      "question_kind_differs",
      "idf_word_overlap",
      "max_idf_unshared_word",
      "sum_idf_unshared_words",
      "unshared_words",
      "shared_words",
      "bigram_containment",
      "word_containment",
      "action_mismatch",
      "time_mismatch",
      "unshared_actions"};
  return kNames;
}

PairFeatureRow PairFeatures(const Analysis& a, const Analysis& b, const IdfTable& idf) {
  PairFeatureRow f;
  const auto chars_a = AsSet(a.chars), chars_b = AsSet(b.chars);
  const auto bigrams_a = AsSet(a.bigrams), bigrams_b = AsSet(b.bigrams);
  const auto words_a = AsSet(a.words), words_b = AsSet(b.words);
  const double la = static_cast<double>(a.chars.size()), lb = static_cast<double>(b.chars.size());
  const auto [sequence, run] = CommonRuns(a.chars, b.chars);
  f[0] = Jaccard(chars_a, chars_b);
  f[1] = Jaccard(bigrams_a, bigrams_b);
  f[2] = Jaccard(words_a, words_b);
  f[3] = Ratio(static_cast<double>(EditDistance(a.chars, b.chars)), std::max(la, lb));
  f[4] = Ratio(static_cast<double>(run), std::min(la, lb));
  f[5] = Ratio(static_cast<double>(sequence), std::max(la, lb));
  f[6] = Cosine(a.words, b.words, [&](const std::string& w) { return idf.Word(w); });
  std::vector<std::string> grams_a = a.chars, grams_b = b.chars;
  grams_a.insert(grams_a.end(), a.bigrams.begin(), a.bigrams.end());
  grams_b.insert(grams_b.end(), b.bigrams.begin(), b.bigrams.end());
  f[7] = Cosine(grams_a, grams_b, [&](const std::string& c) { return idf.Char(c); });
  f[8] = static_cast<float>(std::min(la, lb));
  f[9] = static_cast<float>(std::max(la, lb));
  f[10] = Ratio(std::min(la, lb), std::max(la, lb));
  f[11] = CueMismatch(Found(a.text, kProducts), Found(b.text, kProducts));
  const auto numbers_a = AsSet(a.numbers), numbers_b = AsSet(b.numbers);
  f[12] = numbers_a.empty() && numbers_b.empty() ? kNone : (numbers_a == numbers_b ? 0.f : 1.f);
  int neg_a = 0, neg_b = 0;
  for (std::string_view n : kNegations) {
    neg_a += CountOf(a.text, n);
    neg_b += CountOf(b.text, n);
  }
  f[13] = static_cast<float>(std::abs(neg_a - neg_b));
  f[14] = (neg_a % 2) != (neg_b % 2) ? 1.f : 0.f;
  const int kind_a = QuestionKind(a.text), kind_b = QuestionKind(b.text);
  f[15] = kind_a == 0 || kind_b == 0 ? kNone : (kind_a == kind_b ? 0.f : 1.f);
  double shared_idf = 0, union_idf = 0, max_unshared = 0, sum_unshared = 0;
  size_t unshared = 0, shared = 0;
  for (const std::string& w : words_a) {
    const double v = idf.Word(w);
    union_idf += v;
    if (words_b.contains(w)) {
      shared_idf += v;
      ++shared;
    } else {
      max_unshared = std::max(max_unshared, v);
      sum_unshared += v;
      ++unshared;
    }
  }
  for (const std::string& w : words_b) {
    if (words_a.contains(w)) continue;
    const double v = idf.Word(w);
    union_idf += v;
    max_unshared = std::max(max_unshared, v);
    sum_unshared += v;
    ++unshared;
  }
  f[16] = Ratio(shared_idf, union_idf);
  f[17] = static_cast<float>(max_unshared);
  f[18] = static_cast<float>(sum_unshared);
  f[19] = static_cast<float>(unshared);
  f[20] = static_cast<float>(shared);
  f[21] = Containment(bigrams_a, bigrams_b);
  f[22] = Containment(words_a, words_b);
  const auto actions_a = Found(a.text, kActions), actions_b = Found(b.text, kActions);
  f[23] = CueMismatch(actions_a, actions_b);
  f[24] = CueMismatch(Found(a.text, kTimes), Found(b.text, kTimes));
  f[25] =
      static_cast<float>(actions_a.size() + actions_b.size() - 2 * Shared(actions_a, actions_b));
  return f;
}

}  // namespace finbrain::service
