#include <filesystem>
#include <iostream>

#include "apps/finbrain/cli.h"
#include "storage/kv_store.h"
#include "tenancy/audit_log.h"
#include "tenancy/secrets.h"

namespace finbrain::cli {

void AddAuditCommands(CLI::App& app, GlobalOptions& global, Action& run) {
  CLI::App* audit = app.add_subcommand("audit", "Inspect the audit log");
  audit->require_subcommand(1);
  auto data_dir = std::make_shared<std::string>();
  CLI::App* verify = audit->add_subcommand(
      "verify", "Walk the hash chain; exit 0 when intact, 1 naming the first bad entry");
  verify->add_option("--data-dir", *data_dir, "Data directory (may be in use by a running server)");
  verify->callback([&global, &run, data_dir] {
    run = [&global, data_dir]() -> Status {
      std::string dir = *data_dir;
      if (dir.empty()) {
        FB_ASSIGN_OR_RETURN(server::ServerConfig config, LoadConfig(global));
        dir = config.data_dir;
      }
      if (!std::filesystem::exists(dir + "/secret.key")) {
        return NotFoundError("'" + dir + "' is not a FinBrain data directory (no secret.key)",
                             "data-dir");
      }
      FB_ASSIGN_OR_RETURN(tenancy::DeploymentKeys keys, tenancy::LoadOrCreateDeploymentKeys(dir));
      // Read-only: works beside a running server.
      FB_ASSIGN_OR_RETURN(auto store,
                          storage::OpenRocksDb({.path = dir + "/db", .read_only = true}));
      FB_ASSIGN_OR_RETURN(tenancy::AuditVerification v,
                          tenancy::AuditLog::Verify(*store, keys.audit));
      if (!v.intact) {
        return DataLossError("audit log broken at entry " + std::to_string(v.first_bad_seq) + ": " +
                             v.problem + " (" + std::to_string(v.entries_checked) +
                             " entries before it verified)");
      }
      std::cout << "audit log intact: " << v.entries_checked << " entries verified\n";
      return OkStatus();
    };
  });
}

}  // namespace finbrain::cli
