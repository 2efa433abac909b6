// Chinese text as the FAQ bot reads it: one normal form for questions, KB entries and pairs, and
// the pieces the matcher compares (characters, character bigrams, numbers).
//
// Normalise() maps full-width ASCII and the ideographic space to ASCII, lowercases Latin letters,
// converts traditional characters to simplified ones (OpenCC's t2s table), drops control
// characters and collapses runs of white space. It is idempotent.
//
// Example:
//   Normalise("花唄ＡＢＣ  怎麼還款？") == "花呗abc 怎么还款?"
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace finbrain::service {

std::string Normalise(std::string_view text);

// The UTF-8 code points of `text`, each as a view into it (an invalid byte is one "character").
std::vector<std::string_view> Characters(std::string_view text);

// Characters that carry meaning for matching: CJK ideographs, letters and digits (punctuation
// and spaces dropped), in order.
std::vector<std::string_view> ContentCharacters(std::string_view text);

// Runs of ASCII digits (with one decimal point inside), in order: "分12期还3.5万" → {"12", "3.5"}.
std::vector<std::string> Numbers(std::string_view text);

// Number of code points.
size_t CharacterCount(std::string_view text);

}  // namespace finbrain::service
