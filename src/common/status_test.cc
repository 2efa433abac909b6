#include "common/status.h"

#include <gtest/gtest.h>

namespace finbrain {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd", "x");
  return x / 2;
}

StatusOr<int> Quarter(int x) {
  FB_ASSIGN_OR_RETURN(int half, Half(x));
  FB_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int x) {
  FB_RETURN_IF_ERROR(Half(x).status());
  return OkStatus();
}

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, CarriesCodeMessageAndField) {
  Status s = NotFoundError("no such tenant", "tenant");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: no such tenant (field: tenant)");
  EXPECT_EQ(StatusCodeName(StatusCode::kResourceExhausted), "resource_exhausted");
}

TEST(Status, FieldPrefixBuildsPaths) {
  EXPECT_EQ(InvalidArgumentError("bad", "amount").WithFieldPrefix("events[3]").field(),
            "events[3].amount");
  EXPECT_EQ(InvalidArgumentError("bad", "[2]").WithFieldPrefix("items").field(), "items[2]");
  EXPECT_EQ(InvalidArgumentError("bad").WithFieldPrefix("body").field(), "body");
}

TEST(StatusOr, PropagatesThroughMacros) {
  EXPECT_EQ(Quarter(8).value(), 2);
  EXPECT_EQ(Quarter(6).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).field(), "x");
}

TEST(StatusOr, OkStatusIsNotAValue) {
  StatusOr<int> bad(OkStatus());
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace finbrain
