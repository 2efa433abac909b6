#include "service/redact.h"

#include <gtest/gtest.h>

namespace finbrain::service {
namespace {

TEST(RedactPii, ReplacesPhonesIdsAndCardsAndKeepsOtherNumbers) {
  tenancy::SecretKey key{};
  key.fill(7);
  const tenancy::PiiTokenizer tokenizer(key);
  const std::string phone = RedactPii("我的手机号是13800138000，请回电", tokenizer);
  EXPECT_EQ(phone.find("13800138000"), std::string::npos) << phone;
  EXPECT_NE(phone.find("tok_phone_"), std::string::npos) << phone;
  EXPECT_NE(phone.find("，请回电"), std::string::npos) << phone;
  // Split by spaces, in full-width digits: the same number, the same token.
  EXPECT_EQ(RedactPii("138 0013 8000", tokenizer), RedactPii("１３８００１３８０００", tokenizer));
  const std::string id = RedactPii("身份证11010519491231002X", tokenizer);
  EXPECT_NE(id.find("tok_id_number_"), std::string::npos) << id;
  EXPECT_EQ(id.find("1949"), std::string::npos) << id;
  const std::string card = RedactPii("卡号6222021234567890123", tokenizer);
  EXPECT_EQ(card.find("6222021234567890123"), std::string::npos) << card;
  EXPECT_TRUE(card.find("tok_card_") != std::string::npos || card.find("*") != std::string::npos)
      << card;
  // Amounts, dates and instalments stay.
  EXPECT_EQ(RedactPii("借了5000元，分12期，2026-12-07还", tokenizer),
            "借了5000元，分12期，2026-12-07还");
}

}  // namespace
}  // namespace finbrain::service
