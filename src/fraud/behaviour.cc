#include "fraud/behaviour.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "fraud/internal/json_fields.h"

namespace finbrain::fraud {
namespace {

namespace json = boost::json;

// Seconds since the previous step, in log-spaced buckets: a person reads, a script does not.
constexpr double kGapEdges[] = {2, 5, 15, 60, 300};
constexpr size_t kGapBuckets = std::size(kGapEdges) + 1;
constexpr size_t kMaxVocabulary = 512;  // actions beyond it share one symbol
constexpr std::uint32_t kStart = 0, kEnd = 1, kOther = 2;

size_t GapBucket(TimeMicros gap) {
  const double seconds = double(std::max<TimeMicros>(gap, 0)) / 1e6;
  size_t b = 0;
  while (b < std::size(kGapEdges) && seconds >= kGapEdges[b]) ++b;
  return b;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
  return v[v.size() / 2];
}

bool TakeoverChain(const Session& s, TimeMicros window) {
  if (!s.new_device) return false;
  // Steps in order; a password-reset login counts as the reset.
  static constexpr std::string_view kChain[] = {"password_reset", "change_payee", "transfer"};
  size_t next = s.method == "password_reset" ? 1 : 0;
  for (const SessionAction& a : s.actions) {
    if (a.at - s.at > window) break;
    if (next < std::size(kChain) && a.action == kChain[next]) ++next;
  }
  return next == std::size(kChain);
}

}  // namespace

StatusOr<Session> ParseSession(std::string_view text) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return InvalidArgumentError("not a JSON object", "");
  return ParseSession(parsed.get_object());
}

StatusOr<Session> ParseSession(const boost::json::object& o) {
  Session s;
  for (const Status& st :
       {ReadString(o, "event_id", s.event_id, true), ReadString(o, "user_id", s.user_id, true),
        ReadString(o, "session_id", s.session_id, false),
        ReadString(o, "device_id", s.device_id, false), ReadString(o, "ip", s.ip, false),
        ReadString(o, "method", s.method, false), ReadBool(o, "new_device", s.new_device),
        ReadBool(o, "success", s.success)}) {
    if (!st.ok()) return st;
  }
  FB_ASSIGN_OR_RETURN(s.at, ReadTime(o, "occurred_at"));
  if (const json::value* actions = o.if_contains("actions"); actions && !actions->is_null()) {
    if (!actions->is_array()) return InvalidArgumentError("must be an array", "actions");
    for (size_t i = 0; i < actions->get_array().size(); ++i) {
      const std::string path = "actions[" + std::to_string(i) + "].";
      const json::value& a = actions->get_array()[i];
      if (!a.is_object())
        return InvalidArgumentError("must be an object", path.substr(0, path.size() - 1));
      SessionAction action;
      FB_RETURN_IF_ERROR(ReadString(a.get_object(), "action", action.action, true, path));
      FB_ASSIGN_OR_RETURN(action.at, ReadTime(a.get_object(), "at", path));
      s.actions.push_back(std::move(action));
    }
    std::stable_sort(s.actions.begin(), s.actions.end(),
                     [](const auto& x, const auto& y) { return x.at < y.at; });
  }
  return s;
}

struct SequenceModel::State {
  mutable std::shared_mutex mu;
  std::unordered_map<std::string, std::uint32_t> symbols{{"", kOther}};
  std::unordered_map<std::uint64_t, std::uint32_t> transitions;  // prev << 32 | next
  std::unordered_map<std::uint32_t, std::uint64_t> from_totals;
  std::unordered_map<std::uint32_t, std::array<std::uint32_t, kGapBuckets>> gaps;
  std::uint64_t sessions = 0;
  // Running mean and variance (Welford) of the surprise of sessions not flagged.
  std::uint64_t scored = 0;
  double mean = 0, m2 = 0;

  std::uint32_t Symbol(const std::string& action) const {
    auto it = symbols.find(action);
    return it == symbols.end() ? kOther : it->second;
  }
  std::uint32_t Intern(const std::string& action) {
    if (auto it = symbols.find(action); it != symbols.end()) return it->second;
    if (symbols.size() + 2 >= kMaxVocabulary) return kOther;
    const auto id = static_cast<std::uint32_t>(symbols.size() + 2);  // after start and end
    symbols.emplace(action, id);
    return id;
  }
  double TransitionBits(std::uint32_t from, std::uint32_t to) const {
    auto t = transitions.find(std::uint64_t(from) << 32 | to);
    auto total = from_totals.find(from);
    const double count = t == transitions.end() ? 0 : t->second;
    const double row = total == from_totals.end() ? 0 : double(total->second);
    // Add-one over every symbol a step can go to (the known actions, other, end).
    return -std::log2((count + 1) / (row + double(symbols.size()) + 1));
  }
  double GapBits(std::uint32_t action, size_t bucket) const {
    auto it = gaps.find(action);
    if (it == gaps.end()) return std::log2(double(kGapBuckets));
    double total = 0;
    for (std::uint32_t c : it->second) total += c;
    return -std::log2((it->second[bucket] + 1) / (total + double(kGapBuckets)));
  }
};

SequenceModel::SequenceModel(BehaviourOptions options)
    : options_(options), state_(std::make_unique<State>()) {}
SequenceModel::~SequenceModel() = default;

SessionScore SequenceModel::Score(const Session& session) const {
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  SessionScore score;
  score.actions = int(session.actions.size());
  double bits = 0;
  std::uint32_t prev = kStart;
  TimeMicros last = session.at;
  std::vector<double> gap_seconds;
  for (const SessionAction& a : session.actions) {
    const std::uint32_t symbol = s.Symbol(a.action);
    bits += s.TransitionBits(prev, symbol) + s.GapBits(symbol, GapBucket(a.at - last));
    gap_seconds.push_back(double(std::max<TimeMicros>(a.at - last, 0)) / 1e6);
    prev = symbol;
    last = a.at;
  }
  bits += s.TransitionBits(prev, kEnd);
  score.surprise = bits / double(session.actions.size() + 1);
  score.median_gap_seconds = Median(gap_seconds);
  if (s.scored >= options_.warm_up_sessions) {
    const double sd = std::sqrt(s.m2 / double(s.scored - 1));
    score.z = sd > 0 ? (score.surprise - s.mean) / sd : 0;
  }
  score.takeover_chain = TakeoverChain(session, options_.chain_window);

  if (score.takeover_chain) {
    score.reasons.push_back({"B03",
                             "Account-takeover chain: new device, password reset, payee change "
                             "and transfer within minutes"});
    score.risk = 0.99;
  }
  if (score.z >= options_.unusual_z) {
    score.reasons.push_back({"B01", "Unusual sequence or pace of operations for this platform"});
    score.risk = std::max(score.risk, 1 / (1 + std::exp(-(score.z - options_.unusual_z))));
  }
  if (score.actions >= 3 && score.median_gap_seconds < options_.fast_median_seconds) {
    score.reasons.push_back({"B02", "Operations faster than a person manages"});
    score.risk = std::max(score.risk, 0.7);
  }
  if (session.new_device) {
    score.reasons.push_back({"B04", "Session on a new device"});
    score.risk = std::max(score.risk, 0.2);
  }
  return score;
}

void SequenceModel::Learn(const Session& session, const SessionScore& score) {
  State& s = *state_;
  std::unique_lock lock(s.mu);
  ++s.sessions;
  // Flagged sessions neither teach the chain nor widen what counts as normal.
  if (score.takeover_chain || score.z >= options_.unusual_z) return;
  std::uint32_t prev = kStart;
  TimeMicros last = session.at;
  for (const SessionAction& a : session.actions) {
    const std::uint32_t symbol = s.Intern(a.action);
    ++s.transitions[std::uint64_t(prev) << 32 | symbol];
    ++s.from_totals[prev];
    ++s.gaps[symbol][GapBucket(a.at - last)];
    prev = symbol;
    last = a.at;
  }
  ++s.transitions[std::uint64_t(prev) << 32 | kEnd];
  ++s.from_totals[prev];
  ++s.scored;
  const double delta = score.surprise - s.mean;
  s.mean += delta / double(s.scored);
  s.m2 += delta * (score.surprise - s.mean);
}

SessionScore SequenceModel::Observe(const Session& session) {
  SessionScore score = Score(session);
  Learn(session, score);
  return score;
}

void SequenceModel::Save(ingest::SnapshotEncoder& out) const {
  const State& s = *state_;
  std::shared_lock lock(s.mu);
  ingest::SaveInKeyOrder(out, s.symbols, [&](const std::string& action, std::uint32_t symbol) {
    out.Str(action);
    out.U32(symbol);
  });
  ingest::SaveInKeyOrder(out, s.transitions, [&](std::uint64_t from_to, std::uint32_t count) {
    out.U64(from_to);
    out.U32(count);
  });
  ingest::SaveInKeyOrder(out, s.from_totals, [&](std::uint32_t from, std::uint64_t total) {
    out.U32(from);
    out.U64(total);
  });
  ingest::SaveInKeyOrder(out, s.gaps, [&](std::uint32_t action, const auto& buckets) {
    out.U32(action);
    for (std::uint32_t count : buckets) out.U32(count);
  });
  out.U64(s.sessions);
  out.U64(s.scored);
  out.F64(s.mean);
  out.F64(s.m2);
}

Status SequenceModel::Load(ingest::SnapshotDecoder& in) {
  auto loaded = std::make_unique<State>();
  State& s = *loaded;
  s.symbols.clear();
  for (std::uint64_t i = 0, n = in.Count(8); i < n; ++i) {
    std::string action = in.Str();
    s.symbols.emplace(std::move(action), in.U32());
  }
  for (std::uint64_t i = 0, n = in.Count(12); i < n; ++i) {
    const std::uint64_t from_to = in.U64();
    s.transitions.emplace(from_to, in.U32());
  }
  for (std::uint64_t i = 0, n = in.Count(12); i < n; ++i) {
    const std::uint32_t from = in.U32();
    s.from_totals.emplace(from, in.U64());
  }
  for (std::uint64_t i = 0, n = in.Count(4 * (1 + kGapBuckets)); i < n; ++i) {
    auto& buckets = s.gaps[in.U32()];
    for (std::uint32_t& count : buckets) count = in.U32();
  }
  s.sessions = in.U64();
  s.scored = in.U64();
  s.mean = in.F64();
  s.m2 = in.F64();
  if (!in.ok()) return DataLossError("behaviour snapshot: truncated model");
  if (!s.symbols.contains("")) return DataLossError("behaviour snapshot: model without symbols");
  state_ = std::move(loaded);
  return OkStatus();
}

std::uint64_t SequenceModel::sessions() const {
  std::shared_lock lock(state_->mu);
  return state_->sessions;
}

}  // namespace finbrain::fraud
