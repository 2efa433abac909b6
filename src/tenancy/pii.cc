#include "tenancy/pii.h"

#include <sodium.h>

#include <array>
#include <cctype>

#include "common/strings.h"

namespace finbrain::tenancy {
namespace {

constexpr size_t kTokenHashBytes = 16;

std::string_view KindName(PiiKind kind) {
  switch (kind) {
    case PiiKind::kPhone:
      return "phone";
    case PiiKind::kIdNumber:
      return "id_number";
    case PiiKind::kCard:
      return "card";
  }
  return "pii";
}

std::string TokenPrefix(PiiKind kind) { return "tok_" + std::string(KindName(kind)) + "_"; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSeparator(char c) { return c == ' ' || c == '-' || c == '(' || c == ')' || c == '.'; }

StatusOr<std::string> NormalizePhone(std::string_view raw) {
  std::string digits;
  bool plus = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (IsDigit(c)) {
      digits += c;
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (!IsSeparator(c)) {
      return InvalidArgumentError("phone number contains " + Quote(std::string_view(&raw[i], 1)) +
                                  "; only digits, a leading '+', spaces, dashes, dots and "
                                  "parentheses are allowed");
    }
  }
  // Mainland China numbers with a country code ("+86", "0086") are the same subscriber.
  if (plus && digits.starts_with("86") && digits.size() == 13) digits.erase(0, 2);
  if (!plus && digits.starts_with("0086") && digits.size() == 15) digits.erase(0, 4);
  if (digits.size() < 5 || digits.size() > 15) {
    return InvalidArgumentError("phone number must have 5 to 15 digits");
  }
  return (plus && digits.size() != 11) ? "+" + digits : digits;
}

StatusOr<std::string> NormalizeIdNumber(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (!IsSeparator(c)) {
      return InvalidArgumentError("ID number may contain only letters, digits and separators");
    }
  }
  if (out.size() < 6 || out.size() > 32) {
    return InvalidArgumentError("ID number must have 6 to 32 letters or digits");
  }
  return out;
}

StatusOr<std::string> NormalizeCard(std::string_view raw) {
  std::string digits;
  for (char c : raw) {
    if (IsDigit(c)) {
      digits += c;
    } else if (!IsSeparator(c)) {
      return InvalidArgumentError("card number may contain only digits, spaces and dashes");
    }
  }
  if (digits.size() < 12 || digits.size() > 19) {
    return InvalidArgumentError("card number must have 12 to 19 digits");
  }
  return digits;
}

}  // namespace

std::optional<PiiKind> PiiKindForEntityType(std::string_view entity_type) {
  if (entity_type == "phone") return PiiKind::kPhone;
  if (entity_type == "id_number") return PiiKind::kIdNumber;
  if (entity_type == "card") return PiiKind::kCard;
  return std::nullopt;
}

StatusOr<std::string> NormalizePii(PiiKind kind, std::string_view raw) {
  switch (kind) {
    case PiiKind::kPhone:
      return NormalizePhone(raw);
    case PiiKind::kIdNumber:
      return NormalizeIdNumber(raw);
    case PiiKind::kCard:
      return NormalizeCard(raw);
  }
  return InternalError("unknown PII kind");
}

std::string MaskPii(PiiKind kind, std::string_view raw) {
  if (PiiTokenizer::IsToken(kind, raw)) return std::string(raw);
  StatusOr<std::string> normalized = NormalizePii(kind, raw);
  if (!normalized.ok()) return "****";
  const std::string& v = *normalized;
  switch (kind) {
    case PiiKind::kPhone: {
      // Normalized phones have at least 5 digits; long ones keep the usual 3 + 4.
      const size_t head = v.size() >= 11 ? 3 : 1;
      const size_t tail = v.size() >= 11 ? 4 : 2;
      return v.substr(0, head) + std::string(v.size() - head - tail, '*') +
             v.substr(v.size() - tail);
    }
    case PiiKind::kIdNumber:
      return v.substr(0, 4) + std::string(v.size() - 6, '*') + v.substr(v.size() - 2);
    case PiiKind::kCard:
      return "**** **** **** " + v.substr(v.size() - 4);
  }
  return "****";
}

bool PiiTokenizer::IsToken(PiiKind kind, std::string_view value) {
  const std::string prefix = TokenPrefix(kind);
  if (!value.starts_with(prefix) || value.size() != prefix.size() + 2 * kTokenHashBytes) {
    return false;
  }
  for (char c : value.substr(prefix.size())) {
    if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

StatusOr<std::string> PiiTokenizer::Tokenize(PiiKind kind, std::string_view raw) const {
  if (IsToken(kind, raw)) return std::string(raw);
  FB_ASSIGN_OR_RETURN(std::string normalized, NormalizePii(kind, raw));
  // The kind is hashed too, so a card and an ID number with equal digits get different tokens.
  std::string input(KindName(kind));
  input += '\0';
  input += normalized;
  std::array<std::uint8_t, kTokenHashBytes> hash;
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), key_.data(), key_.size());
  return TokenPrefix(kind) + HexEncode(hash);
}

}  // namespace finbrain::tenancy
