// Model (de)serialisation: model.json, xgboost.json and the human-readable tables.
#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "common/json_text.h"
#include "common/strings.h"
#include "models/model.h"

namespace finbrain::models {
namespace {

namespace json = boost::json;
constexpr int kFormatVersion = 1;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

json::value Finite(double v) { return std::isfinite(v) ? json::value(v) : json::value(nullptr); }

std::string_view EncodingName(Encoding e) {
  return e == Encoding::kRaw ? "raw" : e == Encoding::kWoe ? "woe" : "bin";
}

std::string_view BinTypeName(Bin::Type t) {
  switch (t) {
    case Bin::Type::kRange:
      return "range";
    case Bin::Type::kCategories:
      return "categories";
    case Bin::Type::kSpecial:
      return "special";
    case Bin::Type::kMissing:
      return "missing";
  }
  return "missing";
}

json::array Doubles(const std::vector<double>& v) {
  json::array a;
  for (double d : v) a.push_back(Finite(d));
  return a;
}

json::object MetricsObject(const std::map<std::string, double>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = Finite(v);
  return o;
}

// Reading helpers: every failure names the JSON path.
Status Corrupt(const std::string& path, const std::string& what) {
  return DataLossError("model.json: " + path + " " + what);
}

StatusOr<const json::value*> Field(const json::object& o, std::string_view key,
                                   const std::string& path) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Corrupt(path + "." + std::string(key), "is missing");
  return v;
}

StatusOr<double> GetNumber(const json::object& o, std::string_view key, const std::string& path,
                           double fallback_for_null = kNaN) {
  FB_ASSIGN_OR_RETURN(const json::value* v, Field(o, key, path));
  if (v->is_null()) return fallback_for_null;
  if (!v->is_number()) return Corrupt(path + "." + std::string(key), "is not a number");
  return v->to_number<double>();
}

StatusOr<std::string> GetString(const json::object& o, std::string_view key,
                                const std::string& path) {
  FB_ASSIGN_OR_RETURN(const json::value* v, Field(o, key, path));
  if (!v->is_string()) return Corrupt(path + "." + std::string(key), "is not a string");
  return std::string(v->get_string());
}

std::string OptionalString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<double> OptionalDoubles(const json::object& o, std::string_view key) {
  std::vector<double> out;
  if (const json::value* v = o.if_contains(key); v && v->is_array()) {
    for (const json::value& e : v->get_array()) {
      out.push_back(e.is_number() ? e.to_number<double>() : kNaN);
    }
  }
  return out;
}

std::map<std::string, double> OptionalMetrics(const json::object& o, std::string_view key) {
  std::map<std::string, double> out;
  if (const json::value* v = o.if_contains(key); v && v->is_object()) {
    for (const auto& [k, e] : v->get_object()) {
      out[std::string(k)] = e.is_number() ? e.to_number<double>() : kNaN;
    }
  }
  return out;
}

StatusOr<FeatureBinning> ReadBinning(const json::object& o, const std::string& path,
                                     ColumnKind kind, const std::string& name) {
  FeatureBinning b;
  b.feature = name;
  b.kind = kind;
  FB_ASSIGN_OR_RETURN(std::string trend, GetString(o, "trend", path));
  FB_ASSIGN_OR_RETURN(b.trend, ParseTrend(trend));
  FB_ASSIGN_OR_RETURN(b.iv, GetNumber(o, "iv", path));
  FB_ASSIGN_OR_RETURN(const json::value* bins, Field(o, "bins", path));
  if (!bins->is_array() || bins->get_array().empty()) return Corrupt(path + ".bins", "is empty");
  for (size_t i = 0; i < bins->get_array().size(); ++i) {
    const std::string bp = path + ".bins[" + std::to_string(i) + "]";
    const json::value& bv = bins->get_array()[i];
    if (!bv.is_object()) return Corrupt(bp, "is not an object");
    const json::object& bo = bv.get_object();
    Bin bin;
    FB_ASSIGN_OR_RETURN(std::string type, GetString(bo, "type", bp));
    if (type == "range") {
      bin.type = Bin::Type::kRange;
      FB_ASSIGN_OR_RETURN(bin.lower, GetNumber(bo, "lower", bp, -kInf));
      FB_ASSIGN_OR_RETURN(bin.upper, GetNumber(bo, "upper", bp, kInf));
    } else if (type == "categories") {
      bin.type = Bin::Type::kCategories;
      FB_ASSIGN_OR_RETURN(const json::value* cats, Field(bo, "categories", bp));
      if (!cats->is_array()) return Corrupt(bp + ".categories", "is not a list");
      for (const json::value& c : cats->get_array()) {
        if (!c.is_string()) return Corrupt(bp + ".categories", "holds a non-string");
        bin.categories.emplace_back(c.get_string());
      }
    } else if (type == "special") {
      bin.type = Bin::Type::kSpecial;
      FB_ASSIGN_OR_RETURN(bin.special, GetNumber(bo, "value", bp));
    } else if (type == "missing") {
      bin.type = Bin::Type::kMissing;
    } else {
      return Corrupt(bp + ".type", "is not a bin type");
    }
    FB_ASSIGN_OR_RETURN(double count, GetNumber(bo, "count", bp));
    FB_ASSIGN_OR_RETURN(double events, GetNumber(bo, "events", bp));
    bin.count = static_cast<std::int64_t>(count);
    bin.events = static_cast<std::int64_t>(events);
    FB_ASSIGN_OR_RETURN(bin.woe, GetNumber(bo, "woe", bp));
    FB_ASSIGN_OR_RETURN(bin.iv, GetNumber(bo, "iv", bp));
    if (!std::isfinite(bin.woe)) return Corrupt(bp + ".woe", "is not finite");
    b.bins.push_back(std::move(bin));
  }
  if (b.bins.back().type != Bin::Type::kMissing) {
    return Corrupt(path + ".bins", "must end with the missing bin");
  }
  return b;
}

Status WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return InternalError("cannot write " + path.string());
  return OkStatus();
}

StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string SafeFileName(std::string_view name) {
  std::string out;
  for (char c : name) {
    out +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  }
  return out.empty() ? "_" : out;
}

}  // namespace

std::string Model::ManifestJson() const {
  json::object root;
  root["format"] = "finbrain-model";
  root["format_version"] = kFormatVersion;
  root["kind"] = ModelKindName(kind_);
  root["scaling"] = {{"pdo", scaling_.pdo},
                     {"base_score", scaling_.base_score},
                     {"base_odds", scaling_.base_odds}};
  root["intercept"] = intercept_;
  json::array features;
  for (const ModelFeature& f : features_) {
    json::object fo;
    fo["name"] = f.name;
    fo["kind"] = ColumnKindName(f.kind);
    fo["encoding"] = EncodingName(f.encoding);
    fo["coefficient"] = f.coefficient;
    fo["stddev"] = Finite(f.stddev);
    fo["reason"] = {{"code", f.reason.code}, {"text", f.reason.text}};
    fo["points"] = Doubles(f.points);
    json::array bins;
    for (const Bin& bin : f.binning.bins) {
      json::object bo;
      bo["type"] = BinTypeName(bin.type);
      if (bin.type == Bin::Type::kRange) {
        bo["lower"] = Finite(bin.lower);
        bo["upper"] = Finite(bin.upper);
      } else if (bin.type == Bin::Type::kCategories) {
        json::array cats;
        for (const std::string& c : bin.categories) cats.push_back(json::value(c));
        bo["categories"] = std::move(cats);
      } else if (bin.type == Bin::Type::kSpecial) {
        bo["value"] = bin.special;
      }
      bo["label"] = bin.Label();
      bo["count"] = bin.count;
      bo["events"] = bin.events;
      bo["woe"] = bin.woe;
      bo["iv"] = bin.iv;
      bins.push_back(std::move(bo));
    }
    fo["binning"] = {
        {"trend", TrendName(f.binning.trend)}, {"iv", f.binning.iv}, {"bins", std::move(bins)}};
    features.push_back(std::move(fo));
  }
  root["features"] = std::move(features);
  json::object info;
  info["target"] = info_.target;
  info["positive_label"] = info_.positive_label;
  info["created_at"] = info_.created_at;
  info["author"] = info_.author;
  info["data_sha256"] = info_.data_sha256;
  info["rows"] = info_.rows;
  info["event_rate"] = info_.event_rate;
  info["rounds"] = info_.rounds;
  json::array excluded;
  for (const auto& [column, why] : info_.excluded) {
    excluded.push_back({{"column", column}, {"reason", why}});
  }
  info["excluded"] = std::move(excluded);
  info["train_metrics"] = MetricsObject(info_.train_metrics);
  info["validation_metrics"] = MetricsObject(info_.validation_metrics);
  info["score_edges"] = Doubles(info_.score_edges);
  info["score_shares"] = Doubles(info_.score_shares);
  json::array prot;
  for (const ProtectedAttribute& p : info_.protected_attributes) {
    prot.push_back({{"name", p.name}, {"cuts", Doubles(p.cuts)}});
  }
  info["protected"] = std::move(prot);
  info["spec_yaml"] = info_.spec_yaml;
  root["info"] = std::move(info);
  return ToJsonText(root);
}

StatusOr<std::unique_ptr<Model>> Model::FromJson(std::string_view manifest,
                                                 std::string_view xgboost_json) {
  boost::system::error_code ec;
  const json::value root_value =
      json::parse(json::string_view(manifest.data(), manifest.size()), ec);
  if (ec || !root_value.is_object()) {
    return DataLossError("model.json is not valid JSON" + (ec ? " (" + ec.message() + ")" : ""));
  }
  const json::object& root = root_value.get_object();
  if (OptionalString(root, "format") != "finbrain-model") {
    return DataLossError("model.json is not a FinBrain model (format != finbrain-model)");
  }
  FB_ASSIGN_OR_RETURN(double version, GetNumber(root, "format_version", ""));
  if (version != kFormatVersion) {
    return DataLossError("model.json has format_version " + std::to_string(int(version)) +
                         "; this build reads version " + std::to_string(kFormatVersion));
  }
  FB_ASSIGN_OR_RETURN(std::string kind_text, GetString(root, "kind", ""));
  FB_ASSIGN_OR_RETURN(ModelKind kind, ParseModelKind(kind_text));
  FB_ASSIGN_OR_RETURN(const json::value* scaling_value, Field(root, "scaling", ""));
  if (!scaling_value->is_object()) return Corrupt("scaling", "is not an object");
  const json::object& so = scaling_value->get_object();
  ScoreScaling scaling;
  FB_ASSIGN_OR_RETURN(scaling.pdo, GetNumber(so, "pdo", "scaling"));
  FB_ASSIGN_OR_RETURN(scaling.base_score, GetNumber(so, "base_score", "scaling"));
  FB_ASSIGN_OR_RETURN(scaling.base_odds, GetNumber(so, "base_odds", "scaling"));
  if (!(scaling.pdo > 0) || !(scaling.base_odds > 0)) {
    return Corrupt("scaling", "needs positive pdo and base_odds");
  }
  FB_ASSIGN_OR_RETURN(const json::value* features_value, Field(root, "features", ""));
  if (!features_value->is_array() || features_value->get_array().empty()) {
    return Corrupt("features", "must be a non-empty list");
  }
  std::vector<ModelFeature> features;
  for (size_t i = 0; i < features_value->get_array().size(); ++i) {
    const std::string fp = "features[" + std::to_string(i) + "]";
    const json::value& fv = features_value->get_array()[i];
    if (!fv.is_object()) return Corrupt(fp, "is not an object");
    const json::object& fo = fv.get_object();
    ModelFeature f;
    FB_ASSIGN_OR_RETURN(f.name, GetString(fo, "name", fp));
    FB_ASSIGN_OR_RETURN(std::string column_kind, GetString(fo, "kind", fp));
    f.kind = column_kind == "categorical" ? ColumnKind::kCategorical : ColumnKind::kNumeric;
    FB_ASSIGN_OR_RETURN(std::string encoding, GetString(fo, "encoding", fp));
    f.encoding = encoding == "raw"   ? Encoding::kRaw
                 : encoding == "woe" ? Encoding::kWoe
                                     : Encoding::kBinIndex;
    if (encoding != "raw" && encoding != "woe" && encoding != "bin") {
      return Corrupt(fp + ".encoding", "is not raw, woe or bin");
    }
    if (f.encoding == Encoding::kRaw && f.kind == ColumnKind::kCategorical) {
      return Corrupt(fp + ".encoding", "cannot be raw for a categorical feature");
    }
    FB_ASSIGN_OR_RETURN(f.coefficient, GetNumber(fo, "coefficient", fp));
    FB_ASSIGN_OR_RETURN(f.stddev, GetNumber(fo, "stddev", fp, 1));
    if (const json::value* reason = fo.if_contains("reason"); reason && reason->is_object()) {
      f.reason.code = OptionalString(reason->get_object(), "code");
      f.reason.text = OptionalString(reason->get_object(), "text");
    }
    f.points = OptionalDoubles(fo, "points");
    FB_ASSIGN_OR_RETURN(const json::value* binning, Field(fo, "binning", fp));
    if (!binning->is_object()) return Corrupt(fp + ".binning", "is not an object");
    FB_ASSIGN_OR_RETURN(f.binning,
                        ReadBinning(binning->get_object(), fp + ".binning", f.kind, f.name));
    if (kind == ModelKind::kScorecard) {
      if (f.encoding != Encoding::kBinIndex) return Corrupt(fp + ".encoding", "must be bin");
      if (f.points.size() != f.binning.bins.size()) {
        return Corrupt(fp + ".points", "must give one value per bin");
      }
    }
    features.push_back(std::move(f));
  }
  ModelInfo info;
  if (const json::value* iv = root.if_contains("info"); iv && iv->is_object()) {
    const json::object& io = iv->get_object();
    info.target = OptionalString(io, "target");
    info.positive_label = OptionalString(io, "positive_label");
    info.created_at = OptionalString(io, "created_at");
    info.author = OptionalString(io, "author");
    info.data_sha256 = OptionalString(io, "data_sha256");
    info.spec_yaml = OptionalString(io, "spec_yaml");
    if (const json::value* v = io.if_contains("rows"); v && v->is_number()) {
      info.rows = v->to_number<std::size_t>();
    }
    if (const json::value* v = io.if_contains("event_rate"); v && v->is_number()) {
      info.event_rate = v->to_number<double>();
    }
    if (const json::value* v = io.if_contains("rounds"); v && v->is_number()) {
      info.rounds = v->to_number<int>();
    }
    if (const json::value* v = io.if_contains("excluded"); v && v->is_array()) {
      for (const json::value& e : v->get_array()) {
        if (e.is_object()) {
          info.excluded.emplace_back(OptionalString(e.get_object(), "column"),
                                     OptionalString(e.get_object(), "reason"));
        }
      }
    }
    info.train_metrics = OptionalMetrics(io, "train_metrics");
    info.validation_metrics = OptionalMetrics(io, "validation_metrics");
    info.score_edges = OptionalDoubles(io, "score_edges");
    info.score_shares = OptionalDoubles(io, "score_shares");
    if (const json::value* v = io.if_contains("protected"); v && v->is_array()) {
      for (const json::value& e : v->get_array()) {
        if (!e.is_object()) continue;
        info.protected_attributes.push_back(
            {OptionalString(e.get_object(), "name"), OptionalDoubles(e.get_object(), "cuts")});
      }
    }
  }
  auto model = std::make_unique<Model>(kind, std::move(features), scaling, std::move(info));
  FB_ASSIGN_OR_RETURN(model->intercept_, GetNumber(root, "intercept", ""));
  if (kind == ModelKind::kGbdt) {
    if (xgboost_json.empty()) return DataLossError("a GBDT model needs its xgboost.json");
    Status trees = model->SetTrees(std::string(xgboost_json));
    if (!trees.ok()) return DataLossError("xgboost.json: " + trees.message());
    for (const ModelFeature& f : model->features_) {
      if (f.encoding == Encoding::kBinIndex) {
        return DataLossError("model.json: GBDT feature " + Quote(f.name) +
                             " cannot be bin-encoded");
      }
    }
  }
  return model;
}

StatusOr<std::unique_ptr<Model>> Model::FromXgboost(std::string_view xgboost_json) {
  FB_ASSIGN_OR_RETURN(TreeEnsemble trees, TreeEnsemble::FromXgboostJson(xgboost_json));
  std::vector<ModelFeature> features(trees.num_features());
  for (size_t i = 0; i < features.size(); ++i) {
    ModelFeature& f = features[i];
    // Not "f" + to_string(i): GCC 12 at -O3 warns (-Wrestrict) about that concatenation.
    f.name = i < trees.feature_names().size() ? trees.feature_names()[i]
                                              : std::to_string(i).insert(0, 1, 'f');
    f.encoding = Encoding::kRaw;
    f.binning.feature = f.name;
    f.binning.bins = {Bin{}, Bin{.type = Bin::Type::kMissing}};  // no training distribution
    f.reason = {"RC_" + f.name, f.name + ": value associated with higher risk"};
  }
  auto model =
      std::make_unique<Model>(ModelKind::kGbdt, std::move(features), ScoreScaling{}, ModelInfo{});
  FB_RETURN_IF_ERROR(model->SetTrees(std::string(xgboost_json)));
  return model;
}

StatusOr<std::unique_ptr<Model>> Model::Load(const std::string& dir) {
  const std::filesystem::path root(dir);
  // A bare XGBoost model: a .json file, or a folder holding only xgboost.json.
  const bool xgboost_file = std::filesystem::is_regular_file(root);
  if (xgboost_file ||
      (std::filesystem::is_directory(root) && !std::filesystem::exists(root / "model.json") &&
       std::filesystem::exists(root / "xgboost.json"))) {
    FB_ASSIGN_OR_RETURN(std::string text, ReadFile(xgboost_file ? root : root / "xgboost.json"));
    StatusOr<std::unique_ptr<Model>> model = FromXgboost(text);
    if (!model.ok()) return Status(model.status().code(), dir + ": " + model.status().message());
    return model;
  }
  if (!std::filesystem::is_directory(root)) {
    return NotFoundError("model folder " + Quote(dir) + " does not exist");
  }
  FB_ASSIGN_OR_RETURN(std::string manifest, ReadFile(root / "model.json"));
  std::string trees;
  if (std::filesystem::exists(root / "xgboost.json")) {
    FB_ASSIGN_OR_RETURN(trees, ReadFile(root / "xgboost.json"));
  }
  StatusOr<std::unique_ptr<Model>> model = FromJson(manifest, trees);
  if (!model.ok()) {
    return Status(model.status().code(), dir + ": " + model.status().message(),
                  model.status().field());
  }
  return model;
}

Status Model::Save(const std::string& dir) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "binning", ec);
  if (ec) return InternalError("cannot create " + Quote(dir) + ": " + ec.message());
  FB_RETURN_IF_ERROR(WriteFile(fs::path(dir) / "model.json", ManifestJson()));
  if (kind_ == ModelKind::kGbdt) {
    FB_RETURN_IF_ERROR(WriteFile(fs::path(dir) / "xgboost.json", xgboost_json_));
  } else {
    std::string csv = "feature,bin,woe,points\n";
    json::array table;
    for (const ModelFeature& f : features_) {
      for (size_t b = 0; b < f.binning.bins.size(); ++b) {
        const Bin& bin = f.binning.bins[b];
        std::ostringstream line;
        line.precision(6);
        line << CsvField(f.name) << ',' << CsvField(bin.Label()) << ',' << bin.woe << ','
             << std::round(f.points[b] * 100) / 100 << '\n';
        csv += line.str();
        table.push_back(
            {{"feature", f.name}, {"bin", bin.Label()}, {"woe", bin.woe}, {"points", f.points[b]}});
      }
    }
    FB_RETURN_IF_ERROR(WriteFile(fs::path(dir) / "scorecard.csv", csv));
    json::object sc;
    sc["scaling"] = {{"pdo", scaling_.pdo},
                     {"base_score", scaling_.base_score},
                     {"base_odds", scaling_.base_odds}};
    sc["intercept"] = intercept_;
    sc["bins"] = std::move(table);
    FB_RETURN_IF_ERROR(WriteFile(fs::path(dir) / "scorecard.json", ToJsonText(sc)));
  }
  for (const ModelFeature& f : features_) {
    FB_RETURN_IF_ERROR(WriteFile(fs::path(dir) / "binning" / (SafeFileName(f.name) + ".csv"),
                                 f.binning.TableCsv()));
  }
  if (!info_.spec_yaml.empty()) {
    FB_RETURN_IF_ERROR(WriteFile(fs::path(dir) / "spec.yaml", info_.spec_yaml));
  }
  return OkStatus();
}

}  // namespace finbrain::models
