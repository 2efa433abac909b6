// libFuzzer target: bytes -> the files users load: CSV training data (libcsv, column typing,
// the target) and JSONL event lines (the event schema's validation, as an import does). Errors
// must be Status values naming the row or field, never a crash.
#include <cstdint>
#include <string_view>

#include "ingest/event_schema.h"
#include "ingest/jsonl.h"
#include "models/dataset.h"
#include "tenancy/pii.h"
#include "tenancy/secrets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  using namespace finbrain;
  static const tenancy::PiiTokenizer tokenizer(tenancy::SecretKey{});
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto csv = models::ParseCsv(text, {}); csv.ok() && !csv->columns.empty()) {
    (void)models::ExtractTarget(*csv, csv->columns.back().name, std::nullopt);
  }
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    (void)ingest::EventTypeOf(line);
    (void)ingest::EventSchema::Get().ValidateJson(line, tokenizer);
    start = end + 1;
  }
  return 0;
}
