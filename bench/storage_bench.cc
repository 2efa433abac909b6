// Synced commits to the embedded store: what every decision waits on. Compares WAL files
// preallocated with their size (the default) against RocksDB's own keep-size preallocation, in
// the same run.
#include <benchmark/benchmark.h>

#include <string>

#include "common/temp_dir.h"
#include "storage/kv_store.h"

namespace finbrain::storage {
namespace {

// One decision's commit: the record (~2.5 KB), its audit entry and its index entry.
void BM_SyncedCommit(benchmark::State& state) {
  TempDir dir("storage_bench");
  auto store = OpenRocksDb({.path = dir.path() + "/db", .preallocate_wal = state.range(0) != 0});
  if (!store.ok()) {
    state.SkipWithError(std::string(store.status().message()).c_str());
    return;
  }
  const std::string record(2500, 'r'), audit(400, 'a');
  std::uint64_t n = 0;
  for (auto _ : state) {
    const std::string id = std::to_string(n++);
    WriteBatch batch;
    batch.Put(storage::Column::kDecisions, "acme/" + id, record);
    batch.Put(storage::Column::kAudit, "acme/" + id, audit);
    batch.Put(storage::Column::kDecisionIndex, "acme/app/" + id, id);
    if (Status s = (*store)->Write(batch); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_SyncedCommit)
    ->ArgName("preallocate_wal")
    ->Arg(0)
    ->Arg(1)
    ->Arg(0)
    ->Arg(1)
    ->MinTime(3)
    ->UseRealTime();

}  // namespace
}  // namespace finbrain::storage

BENCHMARK_MAIN();
