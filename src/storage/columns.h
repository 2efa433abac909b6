// Every column of the store, named once. KvStore takes a Column, not a string, so a misspelt
// column is a compile error instead of a new, silently empty column; the embedded backend opens
// (and on first start creates) all of them.
//
// Tenant-owned keys start with "<tenant>/" (or "<tenant>\x1f"), so a tenant's data in a column
// is one contiguous prefix. The comments give each column's key and value.
//
// Example:
//   batch.Put(Column::kLists, "acme/blacklist/ip/1.2.3.4", entry_json);
//   FB_ASSIGN_OR_RETURN(auto value, store.Get(Column::kTenants, "acme"));
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace finbrain::storage {

enum class Column : std::uint8_t {
  // tenancy
  kTenants,  // tenant id -> tenant record
  kApiKeys,  // key id -> tenant, keyed hash of the secret, state
  kAudit,    // seq (big-endian) -> hash-chained audit entry
  kMeta,     // single records: "audit_head", "event_log_head"
  // events
  kEventLog,   // global seq -> "<tenant>\x1f<event json>"
  kEvents,     // "<tenant>/<event_id>" -> seq (the idempotency index)
  kConsumers,  // consumer name -> its checkpoint or persisted state ("features", "accounts")
  // lists
  kLists,  // "<tenant>/<list>/<entity type>/<value>" -> entry
  // features
  kFeatureSets,      // tenant -> feature set YAML
  kFeatureEntities,  // "<tenant>\x1f<type>\x1f<id>" -> window state
  // strategies and models: versioned documents (tenancy/versioned_documents.h)
  kStrategyHeads,     // "<tenant>/<name>" -> version head
  kStrategyVersions,  // "<tenant>/<name>/<version>" -> version record with the YAML
  kModelHeads,        // "<tenant>/<name>" -> version head
  kModelVersions,     // "<tenant>/<name>/<version>" -> metadata
  kModelBlobs,        // "<tenant>/<name>/<version>" -> manifest and trees
  kModelEvaluations,  // "<tenant>/<name>/<version>" -> evaluation report
  kModelMonitoring,   // "<tenant>/<name>/<version>/<YYYY-MM-DD>" -> the day's live counts
  // decisions
  kDecisions,             // "<tenant>/<decision_id>" -> decision record (credit and transaction)
  kDecisionIndex,         // "<tenant>/<application_id>" -> decision_id
  kTransactionIndex,      // "<tenant>/<event_id>" -> decision_id
  kDecisionsByTime,       // "<tenant>/<inverted time>/<decision_id>" -> summary (newest first)
  kDecisionFeatureNames,  // "<tenant>/<feature set id>" -> the feature names records refer to
  kDecisionStats,         // "<tenant>/<minute>" -> the overview's per-minute counts
  // accounts
  kAccounts,        // "<tenant>\x1f<account_id>" -> account
  kAccountHistory,  // "<tenant>\x1f<account_id>\x1f<review>" -> the review's change
  // customer service
  kKbHeads,      // "<tenant>/kb" -> version head of the tenant's FAQ knowledge base
  kKbVersions,   // "<tenant>/kb/<version>" -> the version with its entries
  kHandoffs,     // "<tenant>/<handoff_id>" -> handoff with its context (ids sort by creation)
  kKbProposals,  // "<tenant>/<proposal_id>" -> an agent's answer proposed for the KB
};

inline constexpr std::array<std::string_view, 29> kColumnNames = {
    "tenants",
    "api_keys",
    "audit",
    "meta",
    "event_log",
    "events",
    "consumers",
    "lists",
    "feature_sets",
    "feature_entities",
    "strategy_heads",
    "strategy_versions",
    "model_heads",
    "model_versions",
    "model_blobs",
    "model_evaluations",
    "model_monitoring",
    "decisions",
    "decision_index",
    "transaction_index",
    "decisions_by_time",
    "decision_feature_names",
    "decision_stats",
    "accounts",
    "account_history",
    "kb_heads",
    "kb_versions",
    "handoffs",
    "kb_proposals",
};
static_assert(kColumnNames.size() == static_cast<size_t>(Column::kKbProposals) + 1,
              "one name per column");

// The column's name in the store (the RocksDB column family).
constexpr std::string_view ColumnName(Column column) {
  return kColumnNames[static_cast<size_t>(column)];
}

}  // namespace finbrain::storage
