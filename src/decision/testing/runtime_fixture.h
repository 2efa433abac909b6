// A runtime (runtime/runtime.h) in a temporary directory on a manual clock, with one tenant:
// the wiring a server uses, for the decision paths' tests.
#pragma once

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>

#include "common/temp_dir.h"
#include "runtime/runtime.h"

namespace finbrain::decision::testing {

class RuntimeTest : public ::testing::Test {
 protected:
  RuntimeTest() {
    runtime_ =
        std::move(runtime::Runtime::Open({.data_dir = dir_.path(), .clock = &clock_})).value();
    EXPECT_TRUE(runtime_->directory->CreateTenant("acme", std::nullopt, actor_).ok());
  }

  // Stores and activates a strategy; returns its version.
  int Activate(const std::string& name, std::string_view yaml) {
    auto v = runtime_->strategies->Put("acme", name, yaml, actor_);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    if (!v.ok()) return 0;
    EXPECT_TRUE(runtime_->strategies->Activate("acme", name, v->version, actor_).ok());
    return v->version;
  }

  // Waits for an asynchronous decision's record.
  template <typename Decisions, typename... Args>
  StatusOr<std::string> DecideAndWait(Decisions& decisions, Args&&... args) {
    std::promise<StatusOr<std::string>> answer;
    Status started = decisions.Decide(
        std::forward<Args>(args)..., actor_,
        [&answer](StatusOr<std::string> record) { answer.set_value(std::move(record)); });
    if (!started.ok()) return started;
    return answer.get_future().get();
  }

  TempDir dir_;
  ManualClock clock_{1'772'000'000'000'000};  // 2026-02-25
  std::unique_ptr<runtime::Runtime> runtime_;
  tenancy::Actor actor_{"k1", "test"};
};

}  // namespace finbrain::decision::testing
