// The FAQ knowledge base: entries a tenant's bot answers from, read from CSV or JSONL.
//
// CSV is RFC 4180 with a header; columns are matched by name: `id`, `question`, `answer` are
// required, `alternatives` (other wordings, separated by '|'), `tags` ('|' or ',') and `product`
// are optional; other columns are ignored. JSONL has one object per line with the same keys
// (`alternatives` and `tags` as arrays of strings). A bad row is reported as
// `file:line: field: reason` and the other rows still load.
//
// Tags with a meaning to the bot: `handoff` (the tenant wants a person to answer this intent),
// `security` (a security incident: a person takes over at once), `account:<question>` (the
// answer is written from the customer's own accounts: service/account_answers.h; an unknown
// question is an error).
//
// Example:
//   KbParse parsed = ParseKb(text, "kb.csv");
//   for (const KbRowError& e : parsed.errors) std::cerr << e.ToString() << "\n";
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace finbrain::service {

struct KbEntry {
  std::string id;
  std::string question;
  std::string answer;
  std::vector<std::string> alternatives;
  std::vector<std::string> tags;
  std::string product;

  bool HasTag(std::string_view tag) const;
  friend bool operator==(const KbEntry&, const KbEntry&) = default;
};

inline constexpr size_t kMaxKbEntries = 50'000;
inline constexpr size_t kMaxQuestionChars = 200;
inline constexpr size_t kMaxAnswerChars = 4'000;
inline constexpr size_t kMaxAlternatives = 100;

struct KbRowError {
  std::string file;
  size_t line = 0;  // 1-based line of the row in the file; 0 for the file as a whole
  std::string field;
  std::string reason;
  std::string ToString() const;  // "file:line: field: reason"
};

struct KbParse {
  std::vector<KbEntry> entries;
  std::vector<KbRowError> errors;
};

// CSV or JSONL: `file_name` ending in .jsonl or .json, or text starting with '{', is JSONL.
KbParse ParseKb(std::string_view text, std::string_view file_name);

// Ids of KB entries, conversations, messages and agents: 1-64 characters [A-Za-z0-9_.:-].
bool IsValidServiceId(std::string_view id);

// The rules every entry obeys (also for entries sent as JSON to the API): an id of 1–64
// characters [A-Za-z0-9_.:-], a question and an answer, lengths within the limits above, no
// empty alternative or tag. The error's field names the offending key.
Status ValidateKbEntry(const KbEntry& entry);

// The entry as a JSON object and back (for storage and the API); FromJson validates.
boost::json::object KbEntryToJson(const KbEntry& entry);
StatusOr<KbEntry> KbEntryFromJson(const boost::json::value& value);

}  // namespace finbrain::service
