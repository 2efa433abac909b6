#include "features/window_state.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "common/temp_dir.h"
#include "features/backfill.h"
#include "features/feature_store.h"
#include "storage/commit_queue.h"
#include "tenancy/secrets.h"

namespace finbrain::features {
namespace {

constexpr TimeMicros kMinute = 60'000'000;

FeatureDef Def(Aggregate aggregate, TimeMicros window) {
  FeatureDef def;
  def.name = "f";
  def.aggregate = aggregate;
  def.window = window;
  return def;
}

Update At(TimeMicros t, double value = 0, std::uint64_t distinct = 0) {
  return {.entity = "e", .at = t, .value = value, .distinct = distinct};
}

TEST(WindowStateTest, AggregatesOverTheWindow) {
  const TimeMicros hour = 60 * kMinute;  // buckets of one minute
  for (Aggregate a :
       {Aggregate::kCount, Aggregate::kSum, Aggregate::kMean, Aggregate::kMin, Aggregate::kMax}) {
    const FeatureDef def = Def(a, hour);
    WindowState s;
    EXPECT_EQ(s.Value(def, 0).has_value(), a == Aggregate::kCount || a == Aggregate::kSum);
    ASSERT_TRUE(s.Add(def, 0, At(10 * kMinute, 5)));
    ASSERT_TRUE(s.Add(def, 0, At(30 * kMinute, 1)));
    ASSERT_TRUE(s.Add(def, 0, At(50 * kMinute, 9)));
    const double expected[] = {3, 15, 5, 1, 9};
    EXPECT_DOUBLE_EQ(*s.Value(def, 55 * kMinute), expected[int(a)]) << AggregateName(a);
    // At 1h40m the window (the bucket of "now" plus the 60 before it) starts at 0h40m.
    const double later[] = {1, 9, 9, 9, 9};
    EXPECT_DOUBLE_EQ(*s.Value(def, 100 * kMinute), later[int(a)]) << AggregateName(a);
  }
  // The window spans W to W + W/60.
  const FeatureDef count = Def(Aggregate::kCount, 60 * kMinute);
  WindowState s;
  s.Add(count, 0, At(0));
  EXPECT_EQ(*s.Value(count, 1), 1);
  EXPECT_EQ(*s.Value(count, 60 * kMinute), 1);
  EXPECT_EQ(*s.Value(count, 61 * kMinute - 1), 1);
  EXPECT_EQ(*s.Value(count, 61 * kMinute), 0);
}

TEST(WindowStateTest, DistinctSinceAndLateEvents) {
  const FeatureDef distinct = Def(Aggregate::kDistinct, 60 * kMinute);
  WindowState s;
  s.Add(distinct, 0, At(1 * kMinute, 0, 11));
  s.Add(distinct, 0, At(2 * kMinute, 0, 22));
  s.Add(distinct, 0, At(3 * kMinute, 0, 11));
  EXPECT_EQ(*s.Value(distinct, 4 * kMinute), 2);
  EXPECT_EQ(*s.Value(distinct, 62 * kMinute), 2);  // the window starts at 2m
  EXPECT_EQ(*s.Value(distinct, 63 * kMinute), 1);  // 22, last seen at 2m, has left it

  const FeatureDef first = Def(Aggregate::kSinceFirst, 0), last = Def(Aggregate::kSinceLast, 0);
  WindowState f;
  f.Add(first, 0, At(5'000'000));
  f.Add(first, 0, At(2'000'000));  // out of order: still the first seen
  EXPECT_DOUBLE_EQ(*f.Value(first, 12'000'000), 10);
  EXPECT_DOUBLE_EQ(*f.Value(last, 12'000'000), 7);
  EXPECT_FALSE(WindowState().Value(last, 1).has_value());

  // Out-of-order events count while they can still fall in a window; older ones are dropped.
  const FeatureDef count = Def(Aggregate::kCount, 60 * kMinute);
  WindowState c;
  ASSERT_TRUE(c.Add(count, 10 * kMinute, At(200 * kMinute)));
  EXPECT_TRUE(c.Add(count, 10 * kMinute, At(135 * kMinute)));
  EXPECT_FALSE(c.Add(count, 10 * kMinute, At(120 * kMinute)));
  EXPECT_EQ(*c.Value(count, 200 * kMinute + 1), 1);
  EXPECT_EQ(*c.Value(count, 150 * kMinute), 1);
  EXPECT_TRUE(c.Expired(count, 10 * kMinute, 300 * kMinute));
  EXPECT_FALSE(c.Expired(count, 10 * kMinute, 250 * kMinute));
}

TEST(WindowStateTest, SerializesAndRejectsCorruptBytes) {
  const FeatureDef def = Def(Aggregate::kMean, 60 * kMinute);
  WindowState s;
  s.Add(def, 0, At(kMinute, 4));
  s.Add(def, 0, At(3 * kMinute, 8));
  auto back = WindowState::Deserialize(s.Serialize());
  ASSERT_TRUE(back.ok());
  EXPECT_DOUBLE_EQ(*back->Value(def, 10 * kMinute), 6);
  std::string bytes = s.Serialize();
  EXPECT_FALSE(WindowState::Deserialize(bytes.substr(0, bytes.size() - 3)).ok());
  EXPECT_FALSE(WindowState::Deserialize("").ok());
  bytes[0] = 9;
  EXPECT_FALSE(WindowState::Deserialize(bytes).ok());
}

constexpr std::string_view kFeatures = R"(lateness: 5m
features:
  - {name: logins_10m, entity: user, event: login, aggregate: count, window: 10m}
  - {name: failed_1h, entity: user, event: login, filter: "not success", aggregate: count, window: 1h}
  - {name: devices_1d, entity: user, event: login, aggregate: distinct, field: device_id, window: 1d}
  - {name: ip_users_1h, entity: ip, event: login, aggregate: distinct, field: user_id, window: 1h}
  - {name: amount_mean_1d, entity: user, event: payment, aggregate: mean, field: amount, window: 1d}
  - {name: amount_max_1h, entity: user, event: payment, aggregate: max, field: amount, window: 1h}
  - {name: user_age, entity: user, event: [login, payment], aggregate: since_first}
  - {name: contact_mentions_1h, entity: phone, key: "contacts[].phone", event: credit_application,
     aggregate: count, window: 1h}
  - {name: listed_mentions_max_1h, entity: phone, key: "contacts[].phone",
     read_for: "contacts[].phone", event: credit_application, aggregate: count, window: 1h}
  - {name: listed_mentions_sum_1h, entity: phone, key: "contacts[].phone",
     read_for: "contacts[].phone", combine: sum, event: credit_application, aggregate: count,
     window: 1h}
)";

ingest::ValidatedEvent RandomEvent(std::mt19937_64& rng, TimeMicros t, int i) {
  const int user = int(rng() % 20), device = int(rng() % 30), ip = int(rng() % 5);
  ingest::ValidatedEvent e{.event_id = "e" + std::to_string(i), .occurred_at = t};
  if (rng() % 10 == 0) {  // an application naming two of eight phones as contacts
    e.event_type = "credit_application";
    const auto phone = [&rng] { return R"({"phone":"p)" + std::to_string(rng() % 8) + R"("})"; };
    e.canonical_json = R"({"user_id":"u)" + std::to_string(user) + R"(","contacts":[)" + phone() +
                       "," + phone() + "]}";
  } else if (rng() % 3 == 0) {
    e.event_type = "payment";
    e.canonical_json = R"({"user_id":"u)" + std::to_string(user) + R"(","amount":)" +
                       std::to_string(rng() % 1000) + "}";
  } else {
    e.event_type = "login";
    e.canonical_json = R"({"user_id":"u)" + std::to_string(user) + R"(","device_id":"d)" +
                       std::to_string(device) + R"(","ip":"10.0.0.)" + std::to_string(ip) +
                       R"(","success":)" + (rng() % 4 == 0 ? "false" : "true") + "}";
  }
  return e;
}

// A real store with its commit queue and audit log.
struct StoreDir {
  TempDir dir;
  ManualClock clock{1'700'000'000'000'000};
  tenancy::DeploymentKeys keys = tenancy::LoadOrCreateDeploymentKeys(dir.path()).value();
  std::unique_ptr<storage::KvStore> store =
      std::move(storage::OpenRocksDb({.path = dir.path() + "/db"})).value();
  std::unique_ptr<storage::CommitQueue> commits = std::make_unique<storage::CommitQueue>(*store);
  std::unique_ptr<tenancy::AuditLog> audit =
      std::move(tenancy::AuditLog::Open(*store, *commits, keys.audit, clock)).value();
};

// The online store, fed events one by one and persisted and reloaded along the way, agrees
// exactly with the offline backfill at every query time.
TEST(FeatureStoreTest, OnlineMatchesBackfillAcrossRestarts) {
  StoreDir fixture;
  storage::KvStore* store = fixture.store.get();
  tenancy::AuditLog* audit = fixture.audit.get();
  auto online = FeatureStore::Load(*store, *audit).value();
  auto set = FeatureSet::Parse(kFeatures).value();
  ASSERT_TRUE(online->SetFeatureSet("acme", set, {"cli", "test"}).ok());

  Backfill backfill(set);
  std::mt19937_64 rng(7);
  std::vector<PointInTime> queries;
  std::vector<std::vector<std::optional<double>>> online_values;
  const auto index = [&set](std::string_view name) { return size_t(set->Find(name)); };
  const size_t mentions = index("contact_mentions_1h"),
               listed_max = index("listed_mentions_max_1h"),
               listed_sum = index("listed_mentions_sum_1h");
  TimeMicros t = 1'750'000'000'000'000;
  for (int i = 1; i <= 6000; ++i) {
    t += TimeMicros(rng() % 40'000'000);
    if (i % 97 == 0) {
      PointInTime q{.ids = {{"user", "u" + std::to_string(rng() % 20)},
                            {"ip", "10.0.0.1"},
                            {"phone", "p" + std::to_string(rng() % 8)}},
                    .listed = {{"contacts[].phone",
                                {"p" + std::to_string(rng() % 8), "p" + std::to_string(rng() % 8),
                                 "nobody"}}},
                    .at = t};
      online_values.push_back(online->Compute("acme", q.ids, q.at, q.listed));
      // Read for listed ids: the max and the sum of the feature read for each id on its own.
      double max = 0, sum = 0;
      for (const std::string& phone : q.listed["contacts[].phone"]) {
        const double v = *online->Compute("acme", {{"phone", phone}}, q.at)[mentions];
        max = std::max(max, v);
        sum += v;
      }
      EXPECT_EQ(online_values.back()[listed_max], max);
      EXPECT_EQ(online_values.back()[listed_sum], sum);
      // No listed ids: missing, like a feature whose entity has no id.
      EXPECT_EQ(online->Compute("acme", q.ids, q.at)[listed_max], std::nullopt);
      queries.push_back(std::move(q));
    }
    const ingest::ValidatedEvent e = RandomEvent(rng, t, i);
    online->Consume(std::uint64_t(i), "acme", e);
    ASSERT_TRUE(backfill.AddEvent(e).ok());
    if (i % 1500 == 0) {  // persist and reload: history survives a restart
      ASSERT_TRUE(online->Persist().ok());
      online = FeatureStore::Load(*store, *audit).value();
      EXPECT_EQ(online->checkpoint(), std::uint64_t(i));
      ASSERT_NE(online->For("acme"), nullptr);
    }
  }
  const auto offline = backfill.Compute(queries);
  ASSERT_EQ(offline.size(), online_values.size());
  size_t nonzero = 0, contact_mentions = 0, listed_mentions = 0;
  for (size_t q = 0; q < offline.size(); ++q) {
    ASSERT_EQ(offline[q].size(), set->features().size());
    for (size_t f = 0; f < offline[q].size(); ++f) {
      ASSERT_EQ(offline[q][f].has_value(), online_values[q][f].has_value()) << q << " " << f;
      if (offline[q][f]) {
        EXPECT_DOUBLE_EQ(*offline[q][f], *online_values[q][f]) << set->features()[f].name;
        nonzero += *offline[q][f] != 0;
        contact_mentions += set->features()[f].name == "contact_mentions_1h" && *offline[q][f] > 0;
        listed_mentions += f == listed_sum && *offline[q][f] > 0;
      }
    }
  }
  EXPECT_GT(nonzero, offline.size() * 3);  // the comparison is not between empty histories
  EXPECT_GT(contact_mentions, 5u);         // the contacts[].phone key counted
  EXPECT_GT(listed_mentions, 5u);          // and read for listed ids
  // A consumed seq is not applied twice (replay after a crash).
  const auto before = online->Compute("acme", {{"user", "u1"}}, t + 1);
  online->Consume(6000, "acme", RandomEvent(rng, t, 6000));
  EXPECT_EQ(online->Compute("acme", {{"user", "u1"}}, t + 1), before);
}

// A crash between writing records and the checkpoint that covers them: the log is replayed from
// the older checkpoint, and each record skips the events it already holds.
TEST(FeatureStoreTest, ReplayFromAnOlderCheckpointCountsEveryEventOnce) {
  StoreDir fixture;
  storage::KvStore* store = fixture.store.get();
  tenancy::AuditLog* audit = fixture.audit.get();
  auto online = FeatureStore::Load(*store, *audit).value();
  ASSERT_TRUE(
      online->SetFeatureSet("acme", FeatureSet::Parse(kFeatures).value(), {"cli", "test"}).ok());
  std::mt19937_64 rng(3);
  std::vector<ingest::ValidatedEvent> events;
  TimeMicros t = 1'750'000'000'000'000;
  for (int i = 1; i <= 800; ++i) {
    t += TimeMicros(rng() % 5'000'000);
    events.push_back(RandomEvent(rng, t, i));
  }
  for (size_t i = 0; i < events.size(); ++i) online->Consume(i + 1, "acme", events[i]);
  std::vector<std::vector<std::optional<double>>> expected;
  for (int u = 0; u < 20; ++u) {
    expected.push_back(online->Compute("acme", {{"user", "u" + std::to_string(u)}}, t + 1));
  }
  ASSERT_TRUE(online->Persist().ok());
  EXPECT_EQ(store->Get(storage::Column::kConsumers, "features").value(), "800");
  online.reset();

  ASSERT_TRUE(
      store->Put(storage::Column::kConsumers, "features", "300").ok());  // the older checkpoint
  auto replayed = FeatureStore::Load(*store, *audit).value();
  EXPECT_EQ(replayed->checkpoint(), 300u);
  for (size_t i = 300; i < events.size(); ++i) replayed->Consume(i + 1, "acme", events[i]);
  for (int u = 0; u < 20; ++u) {
    EXPECT_EQ(replayed->Compute("acme", {{"user", "u" + std::to_string(u)}}, t + 1), expected[u])
        << "u" << u;
  }
  // The writer thread, asked to, writes what changed and moves the checkpoint up.
  replayed->Consume(801, "acme", RandomEvent(rng, t + 1, 801));
  replayed->PersistSoon();
  for (int i = 0; i < 200 && store->Get(storage::Column::kConsumers, "features").value() != "801";
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(store->Get(storage::Column::kConsumers, "features").value(), "801");
}

}  // namespace
}  // namespace finbrain::features
