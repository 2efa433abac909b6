#include "ingest/import.h"

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/progress.h"
#include "ingest/jsonl.h"

namespace finbrain::ingest {
namespace {

using SteadyClock = std::chrono::steady_clock;

void Reject(ImportTotals& totals, const std::string& position, const std::string& field,
            const std::string& message, size_t max_shown) {
  ++totals.rejected;
  if (totals.errors.size() < max_shown) {
    // Messages usually start with the field path already.
    const bool named = field.empty() || message.starts_with(field);
    totals.errors.push_back(position + ": " + (named ? "" : field + ": ") + message);
  }
}

std::string Rate(std::uint64_t events, SteadyClock::time_point start) {
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  return std::to_string(
             static_cast<long long>(seconds > 0 ? static_cast<double>(events) / seconds : 0)) +
         " events/s";
}

}  // namespace

StatusOr<ImportTotals> ImportIntoStore(EventStore& store, const tenancy::PiiTokenizer& tokenizer,
                                       const std::string& tenant,
                                       const std::vector<std::string>& files,
                                       const ImportOptions& o) {
  const auto start = SteadyClock::now();
  const EventSchema& schema = EventSchema::Get();
  JsonlReader reader(files);
  Progress progress("import", reader.total_bytes());
  ImportTotals totals;
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  Status failure;
  JsonlReader::Batch batch;
  while (reader.Next(o.batch, batch)) {
    std::vector<ValidatedEvent> valid;
    valid.reserve(batch.lines.size());
    // file:line of each valid event, for the conflicts the store finds (the batch is reused
    // while this one is in flight).
    auto positions = std::make_shared<std::vector<std::string>>();
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      StatusOr<ValidatedEvent> e = schema.ValidateJson(batch.lines[i], tokenizer);
      std::lock_guard lock(mu);
      if (e.ok() && o.before && e->occurred_at >= *o.before) {
        ++totals.later;
      } else if (e.ok()) {
        valid.push_back(std::move(*e));
        positions->push_back(batch.positions[i]);
      } else {
        Reject(totals, batch.positions[i], e.status().field(), e.status().message(),
               o.max_errors_shown);
      }
    }
    std::unique_lock lock(mu);
    totals.lines += batch.lines.size();
    cv.wait(lock, [&] { return in_flight < 2; });
    if (!failure.ok()) break;
    ++in_flight;
    lock.unlock();
    store.Ingest(tenant, std::move(valid),
                 {.tenant = tenant, .actor = "cli", .action = "cli import", .result = "ok"},
                 [&, positions](const Status& s, const IngestSummary& summary) {
                   std::lock_guard done_lock(mu);
                   if (!s.ok()) failure = s;
                   totals.accepted += summary.accepted;
                   totals.duplicates += summary.duplicates;
                   for (const RowError& conflict : summary.conflicts) {
                     Reject(totals, (*positions)[conflict.index], conflict.field, conflict.message,
                            o.max_errors_shown);
                   }
                   --in_flight;
                   cv.notify_all();
                 });
    progress.Update(reader.bytes_read(), Rate(totals.lines, start));
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  progress.Finish(Rate(totals.lines, start));
  FB_RETURN_IF_ERROR(reader.status());
  FB_RETURN_IF_ERROR(failure);
  totals.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  return totals;
}

StatusOr<ImportTotals> ImportThroughApi(const std::vector<std::string>& files,
                                        const SendBatch& send, const ImportOptions& o,
                                        size_t max_body_bytes) {
  const auto start = SteadyClock::now();
  JsonlReader reader(files);
  Progress progress("import", reader.total_bytes());
  ImportTotals totals;
  JsonlReader::Batch batch;
  std::string body;
  std::vector<size_t> sent;  // batch index of each element in `body`
  auto flush = [&]() -> Status {
    if (sent.empty()) return OkStatus();
    body += ']';
    StatusOr<BatchAnswer> answer = send(body);
    if (!answer.ok()) {
      return Status(answer.status().code(), answer.status().message() + " (after " +
                                                std::to_string(totals.accepted) +
                                                " events accepted)");
    }
    totals.accepted += answer->accepted;
    totals.duplicates += answer->duplicates;
    for (const BatchAnswer::Rejected& row : answer->rejected) {
      if (row.index >= sent.size()) return InternalError("the API rejected an unknown row");
      Reject(totals, batch.positions[sent[row.index]], row.field, row.message, o.max_errors_shown);
    }
    body.clear();
    sent.clear();
    return OkStatus();
  };
  while (reader.Next(o.batch, batch)) {
    totals.lines += batch.lines.size();
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      boost::system::error_code ec;
      boost::json::parse(batch.lines[i], ec);
      if (ec) {
        Reject(totals, batch.positions[i], "", "not valid JSON: " + ec.message(),
               o.max_errors_shown);
        continue;
      }
      if (!sent.empty() && body.size() + batch.lines[i].size() > max_body_bytes) {
        FB_RETURN_IF_ERROR(flush());
      }
      body += sent.empty() ? '[' : ',';
      body += batch.lines[i];
      sent.push_back(i);
    }
    FB_RETURN_IF_ERROR(flush());
    progress.Update(reader.bytes_read(), Rate(totals.lines, start));
  }
  progress.Finish(Rate(totals.lines, start));
  FB_RETURN_IF_ERROR(reader.status());
  totals.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  return totals;
}

}  // namespace finbrain::ingest
