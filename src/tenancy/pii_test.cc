#include "tenancy/pii.h"

#include <gtest/gtest.h>

namespace finbrain::tenancy {
namespace {

SecretKey KeyOf(std::uint8_t fill) {
  SecretKey key;
  key.fill(fill);
  return key;
}

TEST(Pii, EquivalentSpellingsGiveTheSameToken) {
  PiiTokenizer tokenizer(KeyOf(1));
  const std::string a = tokenizer.Tokenize(PiiKind::kPhone, "13800138000").value();
  EXPECT_EQ(tokenizer.Tokenize(PiiKind::kPhone, "+86 138-0013-8000").value(), a);
  EXPECT_EQ(tokenizer.Tokenize(PiiKind::kPhone, "0086 13800138000").value(), a);
  EXPECT_EQ(tokenizer.Tokenize(PiiKind::kCard, "6222 0212 3456 7890").value(),
            tokenizer.Tokenize(PiiKind::kCard, "6222021234567890").value());
  EXPECT_EQ(tokenizer.Tokenize(PiiKind::kIdNumber, "11010519491231002x").value(),
            tokenizer.Tokenize(PiiKind::kIdNumber, "11010519491231002X").value());
}

TEST(Pii, TokensHideTheValueAndDependOnKeyAndKind) {
  PiiTokenizer tokenizer(KeyOf(1));
  const std::string token = tokenizer.Tokenize(PiiKind::kPhone, "13800138000").value();
  EXPECT_TRUE(token.starts_with("tok_phone_"));
  EXPECT_EQ(token.find("13800138000"), std::string::npos);
  EXPECT_TRUE(PiiTokenizer::IsToken(PiiKind::kPhone, token));
  EXPECT_FALSE(PiiTokenizer::IsToken(PiiKind::kCard, token));
  // A token passed back in is recognised, not hashed again.
  EXPECT_EQ(tokenizer.Tokenize(PiiKind::kPhone, token).value(), token);
  EXPECT_NE(PiiTokenizer(KeyOf(2)).Tokenize(PiiKind::kPhone, "13800138000").value(), token);
  EXPECT_NE(tokenizer.Tokenize(PiiKind::kCard, "123456789012").value().substr(9),
            tokenizer.Tokenize(PiiKind::kIdNumber, "123456789012").value().substr(14));
  EXPECT_NE(tokenizer.Tokenize(PiiKind::kPhone, "13800138001").value(), token);
}

TEST(Pii, RejectsMalformedValuesWithReasons) {
  PiiTokenizer tokenizer(KeyOf(1));
  EXPECT_FALSE(tokenizer.Tokenize(PiiKind::kPhone, "call me").ok());
  EXPECT_FALSE(tokenizer.Tokenize(PiiKind::kPhone, "123").ok());
  EXPECT_FALSE(tokenizer.Tokenize(PiiKind::kCard, "1234").ok());
  EXPECT_FALSE(tokenizer.Tokenize(PiiKind::kIdNumber, "11010519491231002X;drop").ok());
  EXPECT_NE(tokenizer.Tokenize(PiiKind::kCard, "4111-abcd").status().message().find("digits"),
            std::string::npos);
}

TEST(Pii, MasksForLogs) {
  EXPECT_EQ(MaskPii(PiiKind::kPhone, "13800138000"), "138****8000");
  EXPECT_EQ(MaskPii(PiiKind::kCard, "6222 0212 3456 7890"), "**** **** **** 7890");
  EXPECT_EQ(MaskPii(PiiKind::kIdNumber, "11010519491231002X"), "1101************2X");
  EXPECT_EQ(MaskPii(PiiKind::kPhone, "garbage!"), "****");
}

TEST(Pii, EntityTypesThatArePii) {
  EXPECT_EQ(PiiKindForEntityType("phone"), PiiKind::kPhone);
  EXPECT_EQ(PiiKindForEntityType("card"), PiiKind::kCard);
  EXPECT_EQ(PiiKindForEntityType("id_number"), PiiKind::kIdNumber);
  EXPECT_FALSE(PiiKindForEntityType("ip").has_value());
}

}  // namespace
}  // namespace finbrain::tenancy
