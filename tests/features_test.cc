// Feature windows end to end on the simulated world: the online values a running server keeps
// (fed by `finbrain import`, across a restart) equal what `finbrain features backfill` computes
// offline from the same events, at the same timestamps.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "common/json_text.h"
#include "common/strings.h"
#include "common/temp_dir.h"
#include "ingest/jsonl.h"
#include "tests/cli_runner.h"

namespace finbrain {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RunFinbrain;
using testing::ServerProcess;

using testing::SourceFile;

// Splits every events/*.jsonl of `world` into `before` and `after` by occurred_at < cut.
void SplitEvents(const std::string& world, const std::string& cut, const std::string& before,
                 const std::string& after) {
  fs::create_directories(before);
  fs::create_directories(after);
  for (const auto& entry : fs::directory_iterator(world + "/events")) {
    std::ofstream a(before + "/" + entry.path().filename().string());
    std::ofstream b(after + "/" + entry.path().filename().string());
    ASSERT_TRUE(ingest::ForEachJsonObject({entry.path().string()}, [&](const json::object& e,
                                                                       std::string_view) {
                  const std::string text = ToJsonText(e);
                  (std::string_view(e.at("occurred_at").as_string()) < cut ? a : b) << text << "\n";
                  return OkStatus();
                }).ok());
  }
}

struct Applicant {
  std::map<std::string, std::string> ids;  // entity type -> raw id
  std::string contacts;                    // the contact phones, comma-separated
};

// The first `n` applicants, and up to `sharing` more whose contact phone other applications
// name too (so that the features read for contact phones see real histories).
std::vector<Applicant> Applicants(const std::string& world, size_t n, size_t sharing) {
  std::vector<json::object> apps;
  std::map<std::string, int> named;  // contact phone -> applications naming it
  EXPECT_TRUE(ingest::ForEachJsonObject({world + "/events/credit_application.jsonl"},
                                        [&](const json::object& app, std::string_view) {
                                          apps.push_back(app);
                                          for (const json::value& c :
                                               app.at("contacts").as_array()) {
                                            ++named[std::string(c.at("phone").as_string())];
                                          }
                                          return OkStatus();
                                        })
                  .ok());
  std::vector<Applicant> out;
  for (const json::object& app : apps) {
    Applicant a;
    bool shares = false;
    for (const json::value& c : app.at("contacts").as_array()) {
      const std::string phone(c.at("phone").as_string());
      a.contacts += (a.contacts.empty() ? "" : ",") + phone;
      shares |= named[phone] > 1;
    }
    if (out.size() >= n && !(shares && sharing > 0)) continue;
    if (out.size() >= n) --sharing;
    for (const auto& [type, field] :
         std::initializer_list<std::pair<const char*, const char*>>{{"user", "user_id"},
                                                                    {"phone", "phone"},
                                                                    {"device", "device_id"},
                                                                    {"ip", "ip"},
                                                                    {"address", "address"}}) {
      if (const json::value* v = app.if_contains(field)) a.ids[type] = std::string(v->as_string());
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::map<std::string, json::value> Online(ServerProcess& server, const std::string& key,
                                          const Applicant& a, const std::string& at) {
  std::string path = "/v1/features/values?at=" + PercentEncode(at);
  for (const auto& [type, id] : a.ids) path += "&" + type + "=" + PercentEncode(id);
  if (!a.contacts.empty())
    path += "&" + PercentEncode("contacts[].phone") + "=" + PercentEncode(a.contacts);
  auto r = server.Connect()->Send("GET", path, "", {{"Authorization", "Bearer " + key}});
  if (!r.ok() || r->status != 200) throw std::runtime_error("feature values failed: " + r->body);
  std::map<std::string, json::value> values;
  const json::value body = json::parse(r->body);
  for (const auto& [name, v] : body.at("values").as_object()) {
    values[std::string(name)] = v;
  }
  return values;
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

TEST(FeaturesEndToEnd, OnlineEqualsBackfillOnTheSimulatedWorld) {
  TempDir dir;
  const std::string world = dir.path() + "/world";
  auto sim = RunFinbrain(
      {"simulate", "--users", "1500", "--days", "90", "--seed", "11", "--out", world}, dir.path());
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  const std::string cut = "2026-03-01T00:00:00Z", end = "2026-04-02T00:00:00Z";
  SplitEvents(world, cut, dir.path() + "/before", dir.path() + "/after");
  const std::vector<Applicant> applicants = Applicants(world, 120, 30);
  ASSERT_GE(applicants.size(), 130u);

  const std::string data = dir.path() + "/data";
  std::vector<std::map<std::string, json::value>> online_cut, online_end;
  std::string key;
  {
    ServerProcess server(data, dir.path());
    auto created = server.Connect()->Send(
        "POST", "/admin/v1/tenants", R"({"name":"demo"})",
        {{"Authorization", std::string("Bearer ") + ServerProcess::kAdminToken}});
    ASSERT_EQ(created.value().status, 201);
    key = std::string(json::parse(created->body).at("api_key").as_string());
    auto set = RunFinbrain({"features", "set", SourceFile("strategies/credit_features.yaml"),
                            "--url", server.url(), "--api-key", key},
                           dir.path());
    ASSERT_EQ(set.exit_code, 0) << set.err;
    auto first = RunFinbrain(
        {"import", dir.path() + "/before", "--url", server.url(), "--api-key", key}, dir.path());
    ASSERT_EQ(first.exit_code, 0) << first.err;
    for (const Applicant& a : applicants) online_cut.push_back(Online(server, key, a, cut));
    ASSERT_EQ(server.Stop(), 0);
  }
  {
    // The windows survive the restart and keep counting from where they were.
    ServerProcess server(data, dir.path());
    auto second = RunFinbrain(
        {"import", dir.path() + "/after", "--url", server.url(), "--api-key", key}, dir.path());
    ASSERT_EQ(second.exit_code, 0) << second.err;
    for (const Applicant& a : applicants) online_end.push_back(Online(server, key, a, end));
  }

  // Offline: one row per applicant and time.
  {
    std::ofstream rows(dir.path() + "/rows.csv");
    rows << "row,user_id,phone,device_id,ip,address,contacts[].phone,occurred_at\n";
    for (size_t i = 0; i < applicants.size() * 2; ++i) {
      const Applicant& a = applicants[i % applicants.size()];
      auto id = [&](const char* type) {
        auto it = a.ids.find(type);
        return CsvField(it == a.ids.end() ? "" : it->second);
      };
      rows << i << ',' << id("user") << ',' << id("phone") << ',' << id("device") << ',' << id("ip")
           << ',' << id("address") << ',' << CsvField(a.contacts) << ','
           << (i < applicants.size() ? cut : end) << "\n";
    }
  }
  auto backfill =
      RunFinbrain({"features", "backfill", "--features",
                   SourceFile("strategies/credit_features.yaml"), "--events", world + "/events",
                   "--data", dir.path() + "/rows.csv", "--out", dir.path() + "/features.csv"},
                  dir.path());
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  std::istringstream csv(ReadFile(dir.path() + "/features.csv"));
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> header = SplitCsvLine(line);
  size_t compared = 0, nonzero = 0, contact_named = 0;
  for (size_t i = 0; std::getline(csv, line); ++i) {
    const std::vector<std::string> cells = SplitCsvLine(line);
    ASSERT_EQ(cells.size(), header.size());
    const auto& online = i < applicants.size() ? online_cut[i] : online_end[i - applicants.size()];
    for (size_t c = 8; c < header.size(); ++c) {
      const json::value& v = online.at(header[c]);
      if (cells[c].empty()) {
        EXPECT_TRUE(v.is_null()) << header[c] << " row " << i << ": online " << v;
        continue;
      }
      ASSERT_FALSE(v.is_null()) << header[c] << " row " << i << ": offline " << cells[c];
      EXPECT_DOUBLE_EQ(v.to_number<double>(), std::stod(cells[c])) << header[c] << " row " << i;
      ++compared;
      nonzero += std::stod(cells[c]) != 0;
      contact_named += header[c] == "contact_named_30d" && std::stod(cells[c]) > 0;
    }
  }
  EXPECT_GT(compared, applicants.size() * 2 * 10);
  EXPECT_GT(nonzero, applicants.size());  // real histories, not empty ones
  EXPECT_GT(contact_named, 0u);           // read for the listed contact phones too
}

TEST(FeaturesEndToEnd, BadFeatureFilesAndRowsAreClearErrors) {
  TempDir dir;
  {
    std::ofstream f(dir.path() + "/bad.yaml");
    f << "features:\n  - {name: x, entity: user, event: login, aggregate: count, window: 5y}\n";
  }
  auto r = RunFinbrain({"features", "backfill", "--features", dir.path() + "/bad.yaml", "--events",
                        dir.path(), "--data", dir.path() + "/bad.yaml", "--out", dir.path() + "/o"},
                       dir.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("bad.yaml: line 2:69: features[0].window: '5y' is not a duration"),
            std::string::npos)
      << r.err;
  {
    std::ofstream f(dir.path() + "/good.yaml");
    f << "features:\n  - {name: x, entity: user, event: login, aggregate: count, window: 1h}\n";
    std::ofstream rows(dir.path() + "/rows.csv");
    rows << "user_id,occurred_at\nu1,2026-01-01T00:00:00Z\nu2,yesterday\n";
  }
  r = RunFinbrain({"features", "backfill", "--features", dir.path() + "/good.yaml", "--events",
                   dir.path(), "--data", dir.path() + "/rows.csv", "--out", dir.path() + "/o"},
                  dir.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("row 2, column 'occurred_at'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace finbrain
