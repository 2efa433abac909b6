// InMemoryConsumer: an event consumer whose state lives in memory (the entity graph, device
// fingerprints, behaviour models), kept across restarts by snapshots: every so many events the
// state is written, with the log position it reflects, to a file (ingest/snapshot.h); at start
// the newest snapshot is loaded and only the log after its position is replayed. Without a
// usable snapshot the whole log is replayed. The log stays the durable copy: a snapshot that is
// missing, damaged, of another format or ahead of the log only makes the start longer.
//
// Example (a subclass):
//   class Registry : public InMemoryConsumer {
//     ~Registry() override { StopSnapshots(); }
//     void Apply(std::string_view tenant, const ValidatedEvent& e) override;
//     std::string SnapshotFormat() const override { return "registry/1"; }
//     void Save(SnapshotEncoder& out) const override;
//     Status Load(SnapshotDecoder& in) override;
//   };
//   FB_RETURN_IF_ERROR(registry.EnableSnapshots({.dir = dir + "/snapshots", .log = &store},
//                                               events.last_seq()));
//   FB_RETURN_IF_ERROR(events.AddConsumer(registry));  // replays the log after the snapshot
//
// Thread-safety: Consume runs on one thread at a time (EventStore's contract); Persist,
// StateBytes and the snapshot writer may run beside it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "ingest/event_store.h"
#include "ingest/snapshot.h"

namespace finbrain::ingest {

struct SnapshotOptions {
  std::string dir;                  // where snapshots are kept
  storage::KvStore* log = nullptr;  // the store of the event log, synced before each snapshot
  // Events between the snapshots written while running: a crash replays about this many at
  // most, or, when events arrive faster than twenty snapshots' time brings this many (a bulk
  // import), what arrived in that time.
  std::uint64_t every = 1'000'000;
};

class InMemoryConsumer : public EventConsumer {
 public:
  ~InMemoryConsumer() override;

  std::uint64_t checkpoint() const final { return last_seq_.load(); }
  void Consume(std::uint64_t seq, std::string_view tenant, const ValidatedEvent& event) final;
  // Writes a snapshot now when the state moved since the last one (at shutdown); OK without
  // snapshots.
  Status Persist() final;
  // Asks the snapshot writer for one when `every` events arrived since the last (Consume does
  // after each event).
  void PersistSoon() final;

  // Loads the snapshot in `options.dir` when it was written in this consumer's format and does
  // not run ahead of the log (`log_head`, the last seq stored), and writes snapshots from then on.
  // A snapshot that cannot be used is logged and left for the next one to replace.
  // REQUIRES: before the consumer is added to the EventStore; the consumer is empty.
  Status EnableSnapshots(SnapshotOptions options, std::uint64_t log_head);

  // The state as a snapshot's body: two states are the same when their bytes are (tests).
  std::string StateBytes() const;
  // The log position of the last snapshot loaded or written (0: none).
  std::uint64_t snapshot_seq() const { return snapshot_seq_.load(); }

 protected:
  virtual void Apply(std::string_view tenant, const ValidatedEvent& event) = 0;
  // The layout of Save's bytes and the options that shaped the state: a snapshot written in
  // another format is not loaded.
  virtual std::string SnapshotFormat() const = 0;
  // Writes the whole state; no Apply runs meanwhile. Deterministic: the same state gives the
  // same bytes (hash maps are written in key order).
  virtual void Save(SnapshotEncoder& out) const = 0;
  // Replaces the state with what Save wrote; on an error the state is left as it was.
  virtual Status Load(SnapshotDecoder& in) = 0;
  // Stops the snapshot writer, which calls Save. REQUIRES: the first thing a subclass's
  // destructor does.
  void StopSnapshots();

 private:
  Status WriteSnapshot();
  void WriterLoop();

  std::atomic<std::uint64_t> last_seq_{0};
  mutable std::mutex apply_mu_;  // held by Consume and by Save
  SnapshotOptions options_;
  std::mutex snapshot_mu_;          // one snapshot written at a time
  size_t last_snapshot_bytes_ = 0;  // guarded by snapshot_mu_
  std::atomic<std::uint64_t> snapshot_seq_{0};
  std::atomic<std::uint64_t> attempted_seq_{0};  // of the last snapshot tried
  std::atomic<bool> snapshot_asked_{false};      // from the fan-out, until the writer is done
  std::atomic<std::int64_t> not_before_{0};      // steady clock ticks: the next may start then
  std::mutex writer_mu_;
  std::condition_variable writer_cv_;
  bool writer_requested_ = false, writer_stop_ = false;
  std::thread writer_;
};

// A tenant -> state map (each state with Save and Load, held by shared_ptr), as the graph and
// device stores keep theirs. Saved in tenant order; `mu` guards the map, not the states.
template <typename State>
using StatesByTenant = std::map<std::string, std::shared_ptr<State>, std::less<>>;

template <typename State>
void SaveByTenant(SnapshotEncoder& out, std::mutex& mu, const StatesByTenant<State>& states) {
  std::vector<std::pair<std::string, std::shared_ptr<State>>> copy;
  {
    std::lock_guard lock(mu);
    copy.assign(states.begin(), states.end());
  }
  out.U64(copy.size());
  for (const auto& [tenant, state] : copy) {
    out.Str(tenant);
    state->Save(out);
  }
}

// Reads what SaveByTenant wrote, each state from `make()` filled by its Load; `what` names the
// snapshot in errors.
template <typename State, typename Make>
StatusOr<StatesByTenant<State>> LoadByTenant(SnapshotDecoder& in, const Make& make,
                                             std::string_view what) {
  StatesByTenant<State> states;
  for (std::uint64_t i = 0, n = in.Count(4); i < n; ++i) {
    std::string tenant = in.Str();
    std::shared_ptr<State> state = make();
    FB_RETURN_IF_ERROR(state->Load(in));
    states.emplace(std::move(tenant), std::move(state));
  }
  if (!in.done()) {
    return DataLossError(std::string(what) + " snapshot: truncated or with bytes left over");
  }
  return states;
}

}  // namespace finbrain::ingest
