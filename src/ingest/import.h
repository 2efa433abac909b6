// Bulk import of JSONL event files (`finbrain import`): straight into a tenant's event store
// (events validated here, committed in batches with two in flight, so validating the next batch
// overlaps the fsync of the last), or batch by batch through the events API of a server, whose
// per-row rejections are mapped back to file:line. Re-importing is safe: events whose event_id
// the tenant already has count as duplicates.
//
// Example:
//   FB_ASSIGN_OR_RETURN(ImportTotals t, ImportIntoStore(events, tokenizer, "acme", files, {}));
//   std::cerr << t.accepted << " accepted, " << t.rejected << " rejected\n";
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "ingest/event_store.h"
#include "tenancy/pii.h"

namespace finbrain::ingest {

struct ImportOptions {
  size_t batch = 2000;  // events per batch
  // Only events that occurred before this time; later ones are counted, not loaded.
  std::optional<TimeMicros> before;
  size_t max_errors_shown = 20;
};

struct ImportTotals {
  std::uint64_t lines = 0, accepted = 0, duplicates = 0, rejected = 0, later = 0;
  std::vector<std::string> errors;  // the first rejections, "file:line: field: message"
  double seconds = 0;
};

// Into `store` for `tenant`, as the CLI's audit actor.
StatusOr<ImportTotals> ImportIntoStore(EventStore& store, const tenancy::PiiTokenizer& tokenizer,
                                       const std::string& tenant,
                                       const std::vector<std::string>& files,
                                       const ImportOptions& options);

// What the events API answered for one batch: counts, and rejected rows by index in the batch.
struct BatchAnswer {
  std::uint64_t accepted = 0, duplicates = 0;
  struct Rejected {
    size_t index = 0;
    std::string field, message;
  };
  std::vector<Rejected> rejected;
};
// Sends one batch (a JSON array of events, at most `max_body_bytes`) to POST /v1/events.
using SendBatch = std::function<StatusOr<BatchAnswer>(const std::string& body)>;
// Through an events API; lines that are not even JSON are rejected here.
StatusOr<ImportTotals> ImportThroughApi(const std::vector<std::string>& files,
                                        const SendBatch& send, const ImportOptions& options,
                                        size_t max_body_bytes = 768 << 10);

}  // namespace finbrain::ingest
