// Phone, ID and card numbers typed into a customer's message, replaced by their tokens
// (tenancy/pii.h) before the message is stored, logged or shown to an agent.
//
// Example:
//   RedactPii("我的手机号是138 0013 8000", tokenizer) == "我的手机号是tok_phone_..."
#pragma once

#include <string>
#include <string_view>

#include "tenancy/pii.h"

namespace finbrain::service {

// Digit runs (full-width digits count; a mobile number may be split by spaces or dashes as
// 3-4-4) are classified by length: 18 (or 17 and an X) or 15 is an ID number, 16-19 a card,
// 11 starting 13-19 a mobile phone; one that fails its check digit is masked instead. Other
// numbers (amounts, dates, order numbers) are kept.
std::string RedactPii(std::string_view text, const tenancy::PiiTokenizer& tokenizer);

}  // namespace finbrain::service
