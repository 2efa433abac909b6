// Behaviour sequences: how unusual a session's operations and their pace are, against what the
// tenant's users normally do.
//
// A session is a login event with its actions (docs/events.md). SequenceModel is a first-order
// Markov chain over the actions (start and end included) with, for each action, the
// distribution of the time since the previous one in log-spaced buckets; both are counts
// learned from the sessions themselves, with add-one smoothing. A session's surprise is its
// mean negative log2-likelihood per step; it is scored before it is learned, and compared with
// the running mean and spread of earlier sessions' surprise (a z-score). Rules on top name what
// is wrong: an unusual sequence, operations faster than people manage, and the account-takeover
// chain (new device → password reset → payee change → transfer within minutes).
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "ingest/snapshot.h"

namespace finbrain::fraud {

struct SessionAction {
  std::string action;
  TimeMicros at = 0;
};

struct Session {
  std::string event_id, user_id, session_id, device_id, ip, method;
  TimeMicros at = 0;
  bool new_device = false;
  bool success = true;
  std::vector<SessionAction> actions;
};

// Reads a login event given as JSON; the error names the field.
StatusOr<Session> ParseSession(std::string_view json);
// The same from the parsed event (what the ingestion fan-out has at hand).
StatusOr<Session> ParseSession(const boost::json::object& event);

struct Reason {
  std::string code;
  std::string text;
};

struct SessionScore {
  double surprise = 0;  // mean -log2 likelihood per step
  double z = 0;         // against earlier sessions (0 until the model has seen 100)
  double risk = 0;      // 0..1
  double median_gap_seconds = 0;
  int actions = 0;
  bool takeover_chain = false;
  std::vector<Reason> reasons;  // B01.. (docs/behaviour.md)
};

struct BehaviourOptions {
  double unusual_z = 3;                             // B01 above this z
  double fast_median_seconds = 3;                   // B02: median gap below this with 3+ actions
  TimeMicros chain_window = 15 * 60 * 1'000'000LL;  // B03: the takeover chain within this
  std::uint64_t warm_up_sessions = 100;             // no z-score before this many
};

class SequenceModel {
 public:
  explicit SequenceModel(BehaviourOptions options = {});
  ~SequenceModel();
  SequenceModel(const SequenceModel&) = delete;
  SequenceModel& operator=(const SequenceModel&) = delete;

  SessionScore Score(const Session& session) const;
  void Learn(const Session& session, const SessionScore& score);
  // Score, then learn: what the ingestion fan-out does with every login.
  SessionScore Observe(const Session& session);
  std::uint64_t sessions() const;

  // The learned counts, for a snapshot (fraud/behaviour_store.h); the same model gives the same
  // bytes.
  void Save(ingest::SnapshotEncoder& out) const;
  // Replaces the counts with what Save wrote; kDataLoss (model unchanged) when they do not hold
  // together. REQUIRES: no other thread uses the model yet.
  Status Load(ingest::SnapshotDecoder& in);

 private:
  struct State;
  const BehaviourOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace finbrain::fraud
