#include "ingest/in_memory_consumer.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "common/thread_name.h"
#include "common/thread_priority.h"

namespace finbrain::ingest {
namespace {

constexpr int kSpacing = 20;  // the least time between snapshots, in multiples of the last's

}  // namespace

InMemoryConsumer::~InMemoryConsumer() { StopSnapshots(); }

void InMemoryConsumer::StopSnapshots() {
  {
    std::lock_guard lock(writer_mu_);
    writer_stop_ = true;
  }
  writer_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void InMemoryConsumer::Consume(std::uint64_t seq, std::string_view tenant,
                               const ValidatedEvent& event) {
  {
    std::lock_guard lock(apply_mu_);
    Apply(tenant, event);
    last_seq_.store(seq);
  }
  PersistSoon();
}

Status InMemoryConsumer::EnableSnapshots(SnapshotOptions options, std::uint64_t log_head) {
  options_ = std::move(options);
  const std::string name(this->name());
  const auto started = std::chrono::steady_clock::now();
  StatusOr<std::optional<SnapshotFile>> file = ReadSnapshotFile(options_.dir, name);
  const std::string format = SnapshotFormat();
  if (!file.ok()) {
    spdlog::warn("{}: snapshot not used, replaying the whole event log: {}", name,
                 file.status().ToString());
  } else if (!*file) {
    spdlog::info("{}: no snapshot yet, replaying the whole event log", name);
  } else if ((*file)->format != format) {
    spdlog::info("{}: snapshot written as {}, this build reads {}: replaying the whole event log",
                 name, (*file)->format, format);
  } else if ((*file)->seq > log_head) {
    // The log lost its tail (a power loss under `process` durability) after this snapshot
    // was taken: its state reflects events that are no longer stored.
    spdlog::warn("{}: snapshot at event {} is ahead of the log (event {}): replaying the whole log",
                 name, (*file)->seq, log_head);
  } else {
    SnapshotDecoder in((*file)->body);
    if (Status loaded = Load(in); !loaded.ok()) {
      spdlog::warn("{}: snapshot not used, replaying the whole event log: {}", name,
                   loaded.ToString());
    } else {
      last_seq_.store((*file)->seq);
      last_snapshot_bytes_ = (*file)->body.size();
      snapshot_seq_.store((*file)->seq);
      attempted_seq_.store((*file)->seq);
      spdlog::info("{}: snapshot at event {} loaded in {} ms", name, (*file)->seq,
                   std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count());
    }
  }
  writer_ = std::thread([this, name] {
    SetThreadName("fb-snap-" + name);
    SetBackgroundPriority();
    WriterLoop();
  });
  return OkStatus();
}

void InMemoryConsumer::PersistSoon() {
  if (options_.dir.empty() || last_seq_.load() - attempted_seq_.load() < options_.every ||
      std::chrono::steady_clock::now().time_since_epoch().count() < not_before_.load() ||
      snapshot_asked_.exchange(true)) {
    return;
  }
  {
    std::lock_guard lock(writer_mu_);
    writer_requested_ = true;
  }
  writer_cv_.notify_all();
}

Status InMemoryConsumer::Persist() {
  if (options_.dir.empty()) return OkStatus();
  return WriteSnapshot();
}

void InMemoryConsumer::WriterLoop() {
  std::unique_lock lock(writer_mu_);
  while (true) {
    writer_cv_.wait(lock, [this] { return writer_stop_ || writer_requested_; });
    if (writer_stop_) return;
    writer_requested_ = false;
    lock.unlock();
    if (Status s = WriteSnapshot(); !s.ok()) {
      spdlog::warn("{}: snapshot not written (tried again later): {}", name(), s.ToString());
    }
    snapshot_asked_.store(false);
    lock.lock();
  }
}

Status InMemoryConsumer::WriteSnapshot() {
  std::lock_guard one_at_a_time(snapshot_mu_);
  SnapshotEncoder out;
  out.Reserve(last_snapshot_bytes_ + last_snapshot_bytes_ / 8);  // the state grows
  std::uint64_t seq = 0;
  const auto started = std::chrono::steady_clock::now();
  {
    // Only the encoding holds up the fan-out; compressing and writing do not.
    std::lock_guard lock(apply_mu_);
    seq = last_seq_.load();
    if (seq == snapshot_seq_.load()) return OkStatus();
    Save(out);
  }
  attempted_seq_.store(seq);  // a failed attempt is retried `every` events later
  const auto encoded = std::chrono::steady_clock::now();
  FB_RETURN_IF_ERROR(
      WriteSnapshotFile(options_.dir, name(), SnapshotFormat(), seq, out.bytes(), options_.log));
  snapshot_seq_.store(seq);
  last_snapshot_bytes_ = out.bytes().size();
  // A bulk import brings `every` events in seconds: spacing snapshots by a multiple of what one
  // costs keeps them under a twentieth of a core, whatever the rate.
  const auto done = std::chrono::steady_clock::now();
  not_before_.store((done + kSpacing * (done - started)).time_since_epoch().count());
  const auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  spdlog::info(
      "{}: snapshot at event {} written: {} MB encoded in {} ms (events waited), {} ms "
      "to compress and store",
      name(), seq, out.bytes().size() >> 20, ms(encoded - started), ms(done - encoded));
  return OkStatus();
}

std::string InMemoryConsumer::StateBytes() const {
  SnapshotEncoder out;
  std::lock_guard lock(apply_mu_);
  Save(out);
  return out.bytes();
}

}  // namespace finbrain::ingest
