// End-to-end tests that drive `finbrain` commands: each must succeed, and commands against one
// tenant get its target options (--data-dir DIR --tenant NAME) appended.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/test_process.h"

namespace finbrain::testing {

// A file of the source tree (strategies/..., testdata/...); the test target defines
// FINBRAIN_SOURCE_DIR.
inline std::string SourceFile(const std::string& relative) {
  return std::string(FINBRAIN_SOURCE_DIR) + "/" + relative;
}

class Cli {
 public:
  explicit Cli(std::string scratch) : scratch_(std::move(scratch)) {}

  // Where OnTenant points its commands.
  void SetTarget(std::vector<std::string> target) { target_ = std::move(target); }

  // Runs a command that must succeed; a failure is reported with its stderr.
  CommandResult Run(const std::vector<std::string>& args) const {
    CommandResult r = RunFinbrain(args, scratch_);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": "
                              << r.err;
    return r;
  }
  CommandResult OnTenant(std::vector<std::string> args) const {
    args.insert(args.end(), target_.begin(), target_.end());
    return Run(args);
  }

 private:
  std::string scratch_;
  std::vector<std::string> target_;
};

}  // namespace finbrain::testing
