// The customer-service subcommands: train and evaluate the question matcher and the sentiment
// model, evaluate the bot on a KB and labelled queries, import a KB.
#include <boost/json.hpp>
#include <fstream>
#include <iostream>

#include "apps/finbrain/cli.h"
#include "apps/finbrain/cli_service_world.h"
#include "common/json_text.h"
#include "common/progress.h"
#include "service/evaluation.h"
#include "service/knowledge_base.h"
#include "service/matcher.h"
#include "service/resources.h"
#include "service/sentiment.h"

namespace finbrain::cli {
namespace {

using Targets = Commands::Targets;

StatusOr<std::shared_ptr<const service::Segmenter>> Segmenter(const Args& a) {
  return service::SharedSegmenter(a.List("lexicon"));
}

Status WriteModel(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!(out << text << "\n") || !out.flush()) return UnavailableError("cannot write " + path);
  return OkStatus();
}

Status TrainMatcher(Args& a) {
  FB_ASSIGN_OR_RETURN(auto segmenter, Segmenter(a));
  const service::TextAnalyzer analyzer(segmenter);
  FB_ASSIGN_OR_RETURN(std::vector<service::QuestionPair> train,
                      service::ReadQuestionPairs(a["pairs"]));
  Progress progress("train matcher", 1000);
  service::MatcherTrainingOptions options;
  if (!a["vocabulary"].empty()) options.vocabulary = static_cast<size_t>(a.Number("vocabulary"));
  if (!a["dims"].empty()) options.vector_dims = static_cast<size_t>(a.Number("dims"));
  if (!a["depth"].empty()) options.max_depth = static_cast<int>(a.Number("depth"));
  if (!a["learning-rate"].empty()) options.learning_rate = a.Number("learning-rate");
  options.on_progress = [&](std::string_view stage, double done) {
    progress.Update(static_cast<std::uint64_t>(done * 1000), stage);
  };
  FB_ASSIGN_OR_RETURN(service::MatcherTraining trained,
                      service::TrainQuestionMatcher(train, analyzer, options));
  progress.Finish(std::to_string(trained.rounds) + " trees");
  FB_RETURN_IF_ERROR(WriteModel(a["out"], trained.model_file));
  std::cerr << "wrote " << a["out"] << " (" << trained.rounds << " trees, " << train.size()
            << " pairs)\n";
  return OkStatus();
}

Status EvaluateMatcher(Args& a) {
  FB_ASSIGN_OR_RETURN(auto segmenter, Segmenter(a));
  const service::TextAnalyzer analyzer(segmenter);
  const std::string model = a["model"].empty() ? service::ServiceFile("matcher.json") : a["model"];
  FB_ASSIGN_OR_RETURN(const service::QuestionMatcher matcher,
                      service::QuestionMatcher::Load(model));
  FB_ASSIGN_OR_RETURN(std::vector<service::QuestionPair> pairs,
                      service::ReadQuestionPairs(a["pairs"]));
  const service::MatcherEvaluation e = service::EvaluateQuestionMatcher(matcher, pairs, analyzer);
  const boost::json::object result{{"pairs", e.pairs},
                                   {"positives", e.positives},
                                   {"accuracy", Round4(e.accuracy)},
                                   {"auc", Round4(e.auc)},
                                   {"positive_f1", Round4(e.positive_f1)},
                                   {"majority_accuracy", Round4(e.majority_accuracy)},
                                   {"bigram_jaccard_auc", Round4(e.bigram_jaccard_auc)}};
  std::cout << ToJsonText(result) << "\n";
  return OkStatus();
}

StatusOr<std::vector<service::LabelledText>> ReadTexts(const std::vector<std::string>& paths) {
  std::vector<service::LabelledText> all;
  for (const std::string& path : paths) {
    FB_ASSIGN_OR_RETURN(std::vector<service::LabelledText> texts, service::ReadLabelledTexts(path));
    all.insert(all.end(), texts.begin(), texts.end());
  }
  return all;
}

Status TrainSentiment(Args& a) {
  FB_ASSIGN_OR_RETURN(const auto train, ReadTexts(a.List("train")));
  FB_ASSIGN_OR_RETURN(const auto validation, ReadTexts(a.List("validation")));
  Progress progress("train sentiment", 1000);
  service::SentimentTrainingOptions options;
  options.on_progress = [&](std::string_view stage, double done) {
    progress.Update(static_cast<std::uint64_t>(done * 1000), stage);
  };
  FB_ASSIGN_OR_RETURN(const service::SentimentTraining trained,
                      service::TrainSentiment(train, validation, options));
  progress.Finish();
  FB_RETURN_IF_ERROR(WriteModel(a["out"], trained.model_file));
  std::cerr << "wrote " << a["out"] << " (" << train.size() << " texts, C " << trained.cost
            << ", validation accuracy " << Round4(trained.validation_accuracy) << ")\n";
  return OkStatus();
}

Status EvaluateSentiment(Args& a) {
  const std::string path = a["model"].empty() ? service::ServiceFile("sentiment.json") : a["model"];
  FB_ASSIGN_OR_RETURN(const service::SentimentModel model, service::SentimentModel::Load(path));
  FB_ASSIGN_OR_RETURN(const auto texts, ReadTexts({a["texts"]}));
  const service::SentimentEvaluation e = service::EvaluateSentiment(model, texts);
  std::cout << ToJsonText(boost::json::object{{"texts", e.texts},
                                              {"negatives", e.negatives},
                                              {"accuracy", Round4(e.accuracy)},
                                              {"auc", Round4(e.auc)},
                                              {"majority_accuracy", Round4(e.majority_accuracy)}})
            << "\n";
  return OkStatus();
}

Status ScoreSentiment(Args& a) {
  const std::string path = a["model"].empty() ? service::ServiceFile("sentiment.json") : a["model"];
  FB_ASSIGN_OR_RETURN(const service::SentimentModel model, service::SentimentModel::Load(path));
  std::cout << ToJsonText(boost::json::object{{"negative", Round4(model.Negative(a["text"]))}})
            << "\n";
  return OkStatus();
}

// The KB from a file; rejected rows go to stderr as file:line: field: reason.
StatusOr<std::vector<service::KbEntry>> ReadKb(const std::string& path) {
  FB_ASSIGN_OR_RETURN(const std::string text, ReadFile(path, "kb"));
  service::KbParse parsed = service::ParseKb(text, path);
  for (const service::KbRowError& e : parsed.errors) std::cerr << e.ToString() << "\n";
  if (parsed.entries.empty()) return InvalidArgumentError(path + " has no valid entry", "kb");
  return std::move(parsed.entries);
}

Status EvaluateBot(Args& a) {
  if (a["queries"].empty() == a["world"].empty()) {
    return InvalidArgumentError("give either --queries or --world", "queries");
  }
  FB_ASSIGN_OR_RETURN(std::vector<service::KbEntry> kb, ReadKb(a["kb"]));
  if (!a["world"].empty()) return EvaluateOnWorld(std::move(kb), a);
  FB_ASSIGN_OR_RETURN(const auto queries, service::ReadLabelledQueries(a["queries"]));
  for (const service::LabelledQuery& q : queries) {
    const bool known = q.expected == service::kExpectOutOfScope ||
                       q.expected == service::kExpectHuman ||
                       std::any_of(kb.begin(), kb.end(),
                                   [&](const service::KbEntry& e) { return e.id == q.expected; });
    if (!known) {
      return InvalidArgumentError(
          a["queries"] + ": expected " + q.expected + " is neither a KB id nor OOS or HUMAN",
          "expected");
    }
  }
  std::cerr << "building the bot on " << kb.size() << " entries (calibration)...\n";
  FB_ASSIGN_OR_RETURN(const service::BotModels models, service::SharedBotModels());
  FB_ASSIGN_OR_RETURN(const auto bot, service::FaqBot::Build(std::move(kb), models, {}));
  const service::BotEvaluation e = service::EvaluateBot(*bot, queries);
  if (a.Flag("mistakes")) {
    for (const auto& m : e.mistakes) {
      std::cerr << m.query.expected << "\t" << service::ReplyTypeName(m.reply.type) << "\t"
                << m.reply.kb_id << "\t"
                << (m.reply.candidates.empty() ? "" : m.reply.candidates[0].kb_id) << "\t"
                << Round4(m.reply.confidence) << "\t" << m.query.text << "\n";
    }
  }
  boost::json::object counts{
      {"rows", e.rows},          {"answerable", e.answerable},
      {"oos", e.out_of_scope},   {"human", e.human},
      {"answers", e.answers},    {"correct_answers", e.correct_answers},
      {"clarify", e.by_type[1]}, {"out_of_scope", e.by_type[2]},
      {"handoff", e.by_type[3]}, {"calibration_messages", bot->calibration_size()}};
  std::cout << ToJsonText(
                   boost::json::object{{"top1_accuracy", Round4(e.top1_accuracy())},
                                       {"oos_rejection_rate", Round4(e.oos_rejection_rate())},
                                       {"handoff_recall", Round4(e.handoff_recall())},
                                       {"answer_precision", Round4(e.answer_precision())},
                                       {"auto_answer_rate", Round4(e.auto_answer_rate())},
                                       {"counts", std::move(counts)}})
            << "\n";
  return OkStatus();
}

// Prints the API's answer; each rejected row goes to stderr as FILE:line: field: reason, and
// rejected rows make the exit status 3 (the rest was published).
Status ImportKb(Args& a) {
  FB_ASSIGN_OR_RETURN(const std::string text, ReadFile(a["file"], "file"));
  FB_ASSIGN_OR_RETURN(const std::string answer,
                      CallApi(a, {.method = "PUT", .path = "/v1/service/kb", .body = text}));
  std::cout << answer << "\n";
  const boost::json::value parsed = boost::json::parse(answer);
  const boost::json::array& rejected = parsed.at("rejected").as_array();
  for (const boost::json::value& row : rejected) {
    std::string message(row.at("message").as_string());
    if (message.starts_with("body")) message.replace(0, 4, a["file"]);
    std::cerr << message << "\n";
  }
  if (rejected.empty()) return OkStatus();
  return FailedPreconditionError(std::to_string(rejected.size()) + " rows rejected, " +
                                 std::to_string(parsed.at("entries").to_number<int>()) +
                                 " entries published");
}

Status Segment(Args& a) {
  FB_ASSIGN_OR_RETURN(auto segmenter, Segmenter(a));
  const service::TextAnalyzer analyzer(segmenter);
  const service::Analysis analysis = analyzer.Analyze(a["text"]);
  boost::json::array words(analysis.words.begin(), analysis.words.end());
  std::cout << ToJsonText(
                   boost::json::object{{"normalised", analysis.text}, {"words", std::move(words)}})
            << "\n";
  return OkStatus();
}

}  // namespace

void AddServiceCommands(Commands& c) {
  CLI::App* service = c.Group("service", "Customer service: the FAQ bot, its models and its KB");
  const Arg lexicon =
      Repeated("--lexicon", "Extra word list for segmentation (e.g. THUOCL)", CLI::ExistingFile);
  CLI::App* kb = service->add_subcommand("kb", "The tenant's FAQ knowledge base");
  kb->require_subcommand(1);
  c.Add(kb, "import",
        "Publish a KB file (CSV with id,question,answer[,alternatives,tags,product] or JSON "
        "lines) as the tenant's next KB version; bad rows are listed and the rest loads",
        {{"file", "KB file", "", true, CLI::ExistingFile}}, Targets::kTenant, ImportKb);
  c.Add(service, "evaluate",
        "Evaluate the bot on a KB (CSV or JSONL) and labelled queries (CSV text,expected: a KB "
        "id, OOS or HUMAN), or on a simulated world's conversations (finbrain simulate); one "
        "JSON object on stdout",
        {{"--kb", "Knowledge base file", "", true, CLI::ExistingFile},
         {"--queries", "Labelled queries", "", false, CLI::ExistingFile},
         {"--world", "A simulated world's directory", "", false, CLI::ExistingDirectory},
         {"--learn",
          "With --world: the share of the year whose conversations agents answer "
          "before the rest is evaluated again (0: none)",
          "0.5", false, CLI::Range(0.0, 0.9)},
         {"--mistakes", "List the rows the bot got wrong on stderr", "", false, {}, true}},
        Targets::kNone, EvaluateBot);
  c.Add(service, "segment", "Normalise and segment a text as the bot does; one JSON line",
        {{"text", "Chinese text", "", true}, lexicon}, Targets::kNone, Segment);
  c.Add(service, "train-matcher",
        "Train the question matcher on labelled question pairs (CSV sentence1,sentence2,label "
        "or JSON lines)",
        {{"pairs", "Training pairs", "", true, CLI::ExistingFile},
         {"--out", "Model file to write", "", true},
         {"--vocabulary", "Most frequent words that become features of their own", "500", false,
          CLI::Range(0, 5000)},
         {"--dims", "Dimensions of the word vectors", "64", false, CLI::Range(1, 512)},
         {"--depth", "Tree depth", "6", false, CLI::Range(1, 12)},
         {"--learning-rate", "Boosting learning rate", "0.05", false, CLI::Range(0.001, 1.0)},
         lexicon},
        Targets::kNone, TrainMatcher);
  c.Add(service, "evaluate-matcher",
        "Accuracy, AUC and F1 of the question matcher on labelled pairs; one JSON line",
        {{"pairs", "Labelled pairs", "", true, CLI::ExistingFile},
         {"--model", "Matcher file (default: the shipped one)", "", false, CLI::ExistingFile},
         lexicon},
        Targets::kNone, EvaluateMatcher);
  c.Add(service, "train-sentiment",
        "Train the sentiment model (NB-SVM over character n-grams) on labelled texts (TSV "
        "label<TAB>text or CSV label,review, with a header; 1 = positive)",
        {{"--train", "Training texts (repeat for several files)", "", true, CLI::ExistingFile,
          false, '\n'},
         {"--validation", "Texts that choose the regularisation", "", true, CLI::ExistingFile,
          false, '\n'},
         {"--out", "Model file to write", "", true}},
        Targets::kNone, TrainSentiment);
  c.Add(service, "sentiment", "The probability that a text is negative; one JSON line",
        {{"text", "Chinese text", "", true},
         {"--model", "Sentiment model (default: the shipped one)", "", false, CLI::ExistingFile}},
        Targets::kNone, ScoreSentiment);
  c.Add(service, "evaluate-sentiment",
        "Accuracy and AUC of the sentiment model on labelled texts; one JSON line",
        {{"texts", "Labelled texts", "", true, CLI::ExistingFile},
         {"--model", "Sentiment model (default: the shipped one)", "", false, CLI::ExistingFile}},
        Targets::kNone, EvaluateSentiment);
}

}  // namespace finbrain::cli
