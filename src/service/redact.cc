#include "service/redact.h"

#include <cctype>
#include <optional>

namespace finbrain::service {
namespace {

// Full-width digits (U+FF10-FF19, UTF-8 EF BC 90-99) as ASCII; everything else unchanged.
std::string FoldDigits(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xEF &&
        static_cast<unsigned char>(text[i + 1]) == 0xBC &&
        static_cast<unsigned char>(text[i + 2]) >= 0x90 &&
        static_cast<unsigned char>(text[i + 2]) <= 0x99) {
      out.push_back(static_cast<char>('0' + (static_cast<unsigned char>(text[i + 2]) - 0x90)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

std::optional<tenancy::PiiKind> KindOf(std::string_view digits) {
  const size_t n = digits.size();
  const bool x = !digits.empty() && (digits.back() == 'X' || digits.back() == 'x');
  if (n == 18 || n == 15) return tenancy::PiiKind::kIdNumber;
  if (x) return std::nullopt;
  if (n >= 16 && n <= 19) return tenancy::PiiKind::kCard;
  if (n == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9') {
    return tenancy::PiiKind::kPhone;
  }
  return std::nullopt;
}

}  // namespace

std::string RedactPii(std::string_view raw, const tenancy::PiiTokenizer& tokenizer) {
  const std::string text = FoldDigits(raw);
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!IsDigit(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    // A run of digits; a space or dash between digit groups joins them (138 0013 8000), and a
    // trailing X ends an ID number.
    size_t j = i;
    std::string digits;
    while (j < text.size()) {
      if (IsDigit(text[j])) {
        digits.push_back(text[j++]);
      } else if ((text[j] == ' ' || text[j] == '-') && j + 1 < text.size() &&
                 IsDigit(text[j + 1]) && digits.size() < 19) {
        ++j;
      } else {
        break;
      }
    }
    if (j < text.size() && (text[j] == 'X' || text[j] == 'x') && digits.size() == 17) {
      digits.push_back(text[j++]);
    }
    if (const std::optional<tenancy::PiiKind> kind = KindOf(digits)) {
      // A number that fails its check (a mistyped ID or card) is masked: never kept raw.
      StatusOr<std::string> token = tokenizer.Tokenize(*kind, digits);
      out += token.ok() ? *token : tenancy::MaskPii(*kind, digits);
    } else {
      out.append(text, i, j - i);
    }
    i = j;
  }
  return out;
}

}  // namespace finbrain::service
