// The supply chain: core enterprises with tier-1 and tier-2 suppliers and distributors, monthly
// purchase orders, warehouse receipts and invoices; some SMEs deteriorate (shrinking orders,
// invoices paid late, then overdue).
#include "sim/internal/world.h"

namespace finbrain::sim {
namespace {

std::string EnterpriseId(int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "ent-%05d", n);
  return buf;
}

const std::vector<std::string> kIndustries = {"electronics", "auto_parts", "textiles",
                                              "food",        "chemicals",  "logistics"};

}  // namespace

void World::SupplyChain() {
  const int cores = std::max(1, config_.users / 25'000);
  int next = 0;
  for (int c = 0; c < cores; ++c) {
    Rng rng(config_.seed, kEnterpriseStream, static_cast<std::uint64_t>(c));
    const std::string core = EnterpriseId(next++);
    const std::string industry = rng.Pick(kIndustries);
    out_.Truth("enterprises", JsonLine()
                                  .Str("enterprise_id", core)
                                  .Str("role", "core")
                                  .Int("tier", 0)
                                  .Str("core_enterprise_id", core)
                                  .Bool("deteriorating", false)
                                  .Done());
    struct Sme {
      std::string id, buyer, role;
      int tier;
      bool deteriorating;
      TimeMicros from;
      double volume;
    };
    std::vector<Sme> smes;
    const auto add = [&](const std::string& buyer, const std::string& role, int tier) {
      Sme s{EnterpriseId(next++),
            buyer,
            role,
            tier,
            rng.Chance(0.12),
            0,
            rng.LogNormal(std::log(tier == 1 ? 800'000.0 : 150'000.0), 0.5)};
      s.from = config_.start +
               static_cast<TimeMicros>((0.3 + 0.5 * rng.Uniform()) * config_.days) * kDay;
      smes.push_back(s);
      return smes.back().id;
    };
    for (int t1 = rng.Int(6, 12); t1 > 0; --t1) {
      const std::string supplier = add(core, "supplier", 1);
      for (int t2 = rng.Int(1, 3); t2 > 0; --t2) add(supplier, "supplier", 2);
    }
    for (int d = rng.Int(4, 8); d > 0; --d) add(core, "distributor", 1);

    for (const Sme& s : smes) {
      JsonLine rel;
      rel.Str("event_id", "rel-" + s.id)
          .Str("event_type", "enterprise_relation")
          .Time("occurred_at", config_.start)
          .Str("enterprise_id", s.id)
          .Str("counterparty_id", s.buyer)
          .Str("relation", s.role)
          .Int("tier", s.tier)
          .Str("core_enterprise_id", core)
          .Str("industry", industry)
          .Time("since", config_.start - rng.Int(200, 3000) * kDay);
      out_.Event("enterprise_relation", rel.Done());
      out_.Truth("enterprises",
                 JsonLine()
                     .Str("enterprise_id", s.id)
                     .Str("role", s.role)
                     .Int("tier", s.tier)
                     .Str("core_enterprise_id", core)
                     .Bool("deteriorating", s.deteriorating)
                     .Time("deteriorating_from", s.deteriorating ? s.from : config_.start)
                     .Done());
      // Suppliers sell to their buyer; distributors buy from the core.
      const std::string& seller = s.role == "distributor" ? core : s.id;
      const std::string& buyer = s.role == "distributor" ? s.id : s.buyer;
      int month = 0;
      for (TimeMicros at = config_.start + rng.Int(0, 29) * kDay; at < end();
           at += 30 * kDay, ++month) {
        const bool declining = s.deteriorating && at >= s.from;
        const double months_declining =
            declining ? static_cast<double>(at - s.from) / (30.0 * kDay) : 0;
        const double amount =
            s.volume * rng.LogNormal(0, 0.2) * std::max(0.2, 1 - 0.15 * months_declining);
        const std::string po = "po-" + s.id + "-" + std::to_string(month);
        JsonLine p;
        p.Str("event_id", po)
            .Str("event_type", "purchase_order")
            .Time("occurred_at", at)
            .Str("po_id", po)
            .Str("buyer_id", buyer)
            .Str("seller_id", seller)
            .Num("amount", amount)
            .Str("currency", "CNY")
            .Time("due_at", at + 60 * kDay)
            .Str("goods", industry);
        out_.Event("purchase_order", p.Done());
        const TimeMicros received = at + rng.Int(5, 20) * kDay;
        if (received < end()) {
          JsonLine w;
          w.Str("event_id", "wr-" + po)
              .Str("event_type", "warehouse_receipt")
              .Time("occurred_at", received)
              .Str("receipt_id", "wr-" + po)
              .Str("enterprise_id", buyer)
              .Str("warehouse_id", "wh-" + buyer.substr(4))
              .Str("po_id", po)
              .Str("goods", industry)
              .Num("quantity", std::round(amount / 250))
              .Num("value", amount);
          out_.Event("warehouse_receipt", w.Done());
          const TimeMicros due = received + 60 * kDay;
          const std::string status =
              due >= end()
                  ? "issued"
                  : (declining && rng.Chance(0.3 + 0.1 * months_declining) ? "overdue" : "paid");
          JsonLine inv;
          inv.Str("event_id", "inv-" + po)
              .Str("event_type", "invoice")
              .Time("occurred_at", received + kDay)
              .Str("invoice_id", "inv-" + po)
              .Str("issuer_id", seller)
              .Str("payer_id", buyer)
              .Num("amount", amount)
              .Time("issued_at", received + kDay)
              .Time("due_at", due)
              .Str("po_id", po)
              .Str("status", status);
          out_.Event("invoice", inv.Done());
        }
      }
    }
  }
}

}  // namespace finbrain::sim
