#include "service/text.h"

#include <opencc/opencc.h>
#include <spdlog/spdlog.h>

#include <cctype>

namespace finbrain::service {
namespace {

// Length of the UTF-8 sequence starting with `lead`; 1 for a stray byte.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

char32_t Decode(std::string_view c) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(c[i]); };
  switch (c.size()) {
    case 2:
      return (char32_t{b(0)} & 0x1F) << 6 | (b(1) & 0x3F);
    case 3:
      return (char32_t{b(0)} & 0x0F) << 12 | (char32_t{b(1)} & 0x3F) << 6 | (b(2) & 0x3F);
    case 4:
      return (char32_t{b(0)} & 0x07) << 18 | (char32_t{b(1)} & 0x3F) << 12 |
             (char32_t{b(2)} & 0x3F) << 6 | (b(3) & 0x3F);
    default:
      return b(0);
  }
}

bool IsIdeograph(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
}

// OpenCC's converter loads its dictionaries once (~10 ms); Convert is const and thread-safe.
const opencc::SimpleConverter* TraditionalToSimplified() {
  static const opencc::SimpleConverter* converter = []() -> const opencc::SimpleConverter* {
    try {
      return new opencc::SimpleConverter("t2s.json");
    } catch (const std::exception& e) {
      spdlog::warn("OpenCC's t2s.json could not be loaded ({}): traditional characters are kept",
                   e.what());
      return nullptr;
    }
  }();
  return converter;
}

}  // namespace

std::vector<std::string_view> Characters(std::string_view text) {
  std::vector<std::string_view> out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size();) {
    size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    if (i + n > text.size()) n = 1;
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

size_t CharacterCount(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<std::string_view> ContentCharacters(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::string_view c : Characters(text)) {
    const char32_t cp = Decode(c);
    if (cp < 0x80 ? std::isalnum(static_cast<int>(cp)) != 0 : IsIdeograph(cp)) out.push_back(c);
  }
  return out;
}

std::vector<std::string> Numbers(std::string_view text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    bool point = false;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) ||
                               (!point && text[j] == '.' && j + 1 < text.size() &&
                                std::isdigit(static_cast<unsigned char>(text[j + 1]))))) {
      point |= text[j] == '.';
      ++j;
    }
    out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string Normalise(std::string_view text) {
  std::string folded;
  folded.reserve(text.size());
  bool space = false;
  const auto emit = [&](char c) {
    if (c == ' ') {
      space = !folded.empty();
      return;
    }
    if (space) folded.push_back(' ');
    space = false;
    folded.push_back(c);
  };
  for (std::string_view c : Characters(text)) {
    char32_t cp = Decode(c);
    if (cp == 0x3000) cp = ' ';                                 // ideographic space
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp = cp - 0xFF01 + 0x21;  // full-width ASCII
    if (cp < 0x80) {
      if (std::isspace(static_cast<int>(cp))) {
        emit(' ');
      } else if (!std::iscntrl(static_cast<int>(cp))) {
        emit(static_cast<char>(std::tolower(static_cast<int>(cp))));
      }
      continue;
    }
    if (cp >= 0x80 && cp < 0xA0) continue;  // C1 controls
    if (space) folded.push_back(' ');
    space = false;
    folded.append(c);
  }
  if (const opencc::SimpleConverter* t2s = TraditionalToSimplified()) {
    try {
      return t2s->Convert(folded);
    } catch (const std::exception&) {
      return folded;  // OpenCC rejects invalid UTF-8; the folded text is still usable
    }
  }
  return folded;
}

}  // namespace finbrain::service
