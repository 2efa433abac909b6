// A credit decision's list checks: ten identifiers (seven of the applicant's, three contact
// phones), each against the black, grey and white lists of a tenant with 30,000 entries. One
// MultiGet (ListStore::MostSevere, what decisions use) against one Get per list and identifier
// (what they did before), in the same run.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/temp_dir.h"
#include "fraud/list_store.h"
#include "storage/kv_store.h"
#include "tenancy/pii.h"

namespace finbrain::fraud {
namespace {

struct Fixture {
  Fixture() {
    tenancy::SecretKey key;
    key.fill(7);
    tokenizer = std::make_unique<tenancy::PiiTokenizer>(key);
    store = std::move(storage::OpenRocksDb({.path = dir.path() + "/db"})).value();
    lists = std::make_unique<ListStore>(*store, *tokenizer, clock);
    storage::WriteBatch batch;
    for (int i = 0; i < 10'000; ++i) {
      for (ListKind kind : {ListKind::kBlacklist, ListKind::kGreylist, ListKind::kWhitelist}) {
        auto put = lists->PreparePut(
            "acme", kind, i % 2 ? "device" : "phone",
            i % 2 ? "dev-" + std::to_string(i) : "139" + std::to_string(10'000'000 + i),
            {.reason = "bench"}, "bench");
        batch.Append(std::move(put->batch));
      }
    }
    if (!store->Write(batch).ok()) std::abort();
    // Identifiers of one application, none listed (the common case: every list is read).
    own = {{"user", "u-42"},         {"phone", "13800138000"}, {"id_number", "110101199001011234"},
           {"device", "dev-x"},      {"ip", "10.1.2.3"},       {"address", "1 Main St"},
           {"application", "app-42"}};
    contacts = {"13700137001", "13700137002", "13700137003"};
  }
  TempDir dir{"lists_bench"};
  ManualClock clock{1'700'000'000'000'000};
  std::unique_ptr<tenancy::PiiTokenizer> tokenizer;
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<ListStore> lists;
  std::vector<std::pair<std::string, std::string>> own;
  std::vector<std::string> contacts;
};

Fixture& Shared() {
  static Fixture fixture;
  return fixture;
}

void BM_OneGetPerListAndIdentifier(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    int hits = 0;
    const auto check = [&](std::string_view type, std::string_view id) {
      for (ListKind kind : {ListKind::kBlacklist, ListKind::kGreylist, ListKind::kWhitelist}) {
        if (f.lists->Get("acme", kind, type, id).value()) {
          ++hits;
          break;
        }
      }
    };
    for (const auto& [type, id] : f.own) check(type, id);
    for (const std::string& phone : f.contacts) check("phone", phone);
    benchmark::DoNotOptimize(hits);
  }
}

void BM_MostSevereOneMultiGet(benchmark::State& state) {
  Fixture& f = Shared();
  std::vector<ListStore::Lookup> lookups;
  for (const auto& [type, id] : f.own) lookups.push_back({type, id});
  for (const std::string& phone : f.contacts) lookups.push_back({"phone", phone});
  for (auto _ : state) benchmark::DoNotOptimize(f.lists->MostSevere("acme", lookups).value());
}

// Interleaved, so drift on a shared machine hits both.
BENCHMARK(BM_OneGetPerListAndIdentifier)->MinTime(1);
BENCHMARK(BM_MostSevereOneMultiGet)->MinTime(1);
BENCHMARK(BM_OneGetPerListAndIdentifier)->MinTime(1);
BENCHMARK(BM_MostSevereOneMultiGet)->MinTime(1);

}  // namespace
}  // namespace finbrain::fraud

BENCHMARK_MAIN();
