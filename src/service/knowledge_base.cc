#include "service/knowledge_base.h"

#include <csv.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "common/strings.h"
#include "service/account_answers.h"
#include "service/text.h"

namespace finbrain::service {
namespace {

namespace json = boost::json;

std::string TrimCopy(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> SplitList(std::string_view cell, std::string_view separators) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= cell.size()) {
    const size_t end = std::min(cell.find_first_of(separators, start), cell.size());
    std::string item = TrimCopy(cell.substr(start, end - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = end + 1;
  }
  return out;
}

// Rows from libcsv with the line each starts on (the file is fed one line at a time).
struct CsvRows {
  struct Row {
    size_t line = 0;
    std::vector<std::string> cells;
  };
  std::vector<Row> rows;
  Row current;
  size_t feeding_line = 0;
  size_t row_start_line = 0;  // the line the row being read began on
};

void OnCell(void* cell, size_t len, void* data) {
  auto* rows = static_cast<CsvRows*>(data);
  if (rows->current.cells.empty()) rows->current.line = rows->row_start_line;
  rows->current.cells.emplace_back(static_cast<const char*>(cell), len);
}

void OnRowEnd(int, void* data) {
  auto* rows = static_cast<CsvRows*>(data);
  rows->rows.push_back(std::move(rows->current));
  rows->current = {};
}

void AddDuplicateAndValidity(KbParse& out, const std::string& file, size_t line, KbEntry entry,
                             std::set<std::string>& ids) {
  if (Status s = ValidateKbEntry(entry); !s.ok()) {
    out.errors.push_back({file, line, s.field(), s.message()});
  } else if (!ids.insert(entry.id).second) {
    out.errors.push_back({file, line, "id", "duplicate id " + Quote(entry.id)});
  } else if (out.entries.size() >= kMaxKbEntries) {
    out.errors.push_back(
        {file, line, "", "more than " + std::to_string(kMaxKbEntries) + " entries"});
  } else {
    out.entries.push_back(std::move(entry));
  }
}

KbParse ParseCsvKb(std::string_view text, const std::string& file) {
  KbParse out;
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
    out.errors.push_back({file, 0, "", "cannot initialise the CSV parser"});
    return out;
  }
  CsvRows rows;
  size_t pos = 0;
  bool failed = false;
  while (pos < text.size() && !failed) {
    const size_t nl = text.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    ++rows.feeding_line;
    // libcsv's state 0 is "row not begun" (csv.c): a row starting here starts on this line.
    if (parser.pstate == 0 && rows.current.cells.empty()) rows.row_start_line = rows.feeding_line;
    const std::string_view line = text.substr(pos, end - pos);
    failed = csv_parse(&parser, line.data(), line.size(), OnCell, OnRowEnd, &rows) != line.size();
    pos = end;
  }
  failed = failed || csv_fini(&parser, OnCell, OnRowEnd, &rows) != 0;
  if (failed) {
    out.errors.push_back({file, rows.feeding_line, "",
                          std::string("malformed CSV: ") + csv_strerror(csv_error(&parser))});
  }
  csv_free(&parser);
  if (rows.rows.empty()) {
    if (!failed) out.errors.push_back({file, 0, "", "the CSV is empty (no header row)"});
    return out;
  }
  std::map<std::string, size_t, std::less<>> column;
  const CsvRows::Row& header = rows.rows.front();
  for (size_t i = 0; i < header.cells.size(); ++i) {
    std::string name = TrimCopy(header.cells[i]);
    if (i == 0 && name.starts_with("\xEF\xBB\xBF")) name.erase(0, 3);  // byte order mark
    column.emplace(name, i);
  }
  for (const char* required : {"id", "question", "answer"}) {
    if (!column.contains(required)) {
      out.errors.push_back(
          {file, header.line, required, "the header has no column " + std::string(required)});
    }
  }
  if (!out.errors.empty() && out.errors.back().line == header.line) return out;
  const auto cell = [&](const CsvRows::Row& row, std::string_view name) -> std::string_view {
    const auto it = column.find(name);
    if (it == column.end() || it->second >= row.cells.size()) return {};
    return row.cells[it->second];
  };
  std::set<std::string> ids;
  for (size_t r = 1; r < rows.rows.size(); ++r) {
    const CsvRows::Row& row = rows.rows[r];
    if (row.cells.size() != header.cells.size()) {
      out.errors.push_back({file, row.line, "",
                            "the row has " + std::to_string(row.cells.size()) +
                                " fields but the header has " +
                                std::to_string(header.cells.size())});
      continue;
    }
    KbEntry entry{.id = TrimCopy(cell(row, "id")),
                  .question = TrimCopy(cell(row, "question")),
                  .answer = TrimCopy(cell(row, "answer")),
                  .alternatives = SplitList(cell(row, "alternatives"), "|"),
                  .tags = SplitList(cell(row, "tags"), "|,"),
                  .product = TrimCopy(cell(row, "product"))};
    AddDuplicateAndValidity(out, file, row.line, std::move(entry), ids);
  }
  return out;
}

KbParse ParseJsonlKb(std::string_view text, const std::string& file) {
  KbParse out;
  std::set<std::string> ids;
  size_t line_number = 0, pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? text.size() : nl;
    const std::string line = TrimCopy(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_number;
    if (line.empty()) continue;
    boost::system::error_code ec;
    const json::value value = json::parse(line, ec);
    if (ec) {
      out.errors.push_back({file, line_number, "", "not valid JSON: " + ec.message()});
      continue;
    }
    StatusOr<KbEntry> entry = KbEntryFromJson(value);
    if (!entry.ok()) {
      out.errors.push_back({file, line_number, entry.status().field(), entry.status().message()});
      continue;
    }
    AddDuplicateAndValidity(out, file, line_number, std::move(*entry), ids);
  }
  return out;
}

Status CheckText(std::string_view text, std::string_view field, size_t max_chars) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return InvalidArgumentError("must not be empty", std::string(field));
  }
  if (const size_t n = CharacterCount(text); n > max_chars) {
    return InvalidArgumentError("is " + std::to_string(n) + " characters long; at most " +
                                    std::to_string(max_chars) + " are allowed",
                                std::string(field));
  }
  return OkStatus();
}

StatusOr<std::vector<std::string>> StringArray(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array()) return InvalidArgumentError("must be an array of strings", std::string(key));
  for (size_t i = 0; i < v->as_array().size(); ++i) {
    const json::value& item = v->as_array()[i];
    if (!item.is_string()) {
      return InvalidArgumentError("must be a string",
                                  std::string(key) + "[" + std::to_string(i) + "]");
    }
    out.emplace_back(item.as_string());
  }
  return out;
}

}  // namespace

bool IsValidServiceId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' ||
           c == '-';
  });
}

bool KbEntry::HasTag(std::string_view tag) const {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

std::string KbRowError::ToString() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  s += ": ";
  if (!field.empty()) s += field + ": ";
  return s + reason;
}

KbParse ParseKb(std::string_view text, std::string_view file_name) {
  const std::string file(file_name);
  const size_t first = text.find_first_not_of(" \t\r\n");
  const bool jsonl = file_name.ends_with(".jsonl") || file_name.ends_with(".json") ||
                     (first != std::string_view::npos && text[first] == '{');
  return jsonl ? ParseJsonlKb(text, file) : ParseCsvKb(text, file);
}

Status ValidateKbEntry(const KbEntry& entry) {
  if (!IsValidServiceId(entry.id)) {
    return InvalidArgumentError(
        entry.id.empty() ? "must not be empty"
                         : Quote(entry.id) + " is not 1-64 characters of A-Z a-z 0-9 _ . : -",
        "id");
  }
  FB_RETURN_IF_ERROR(CheckText(entry.question, "question", kMaxQuestionChars));
  FB_RETURN_IF_ERROR(CheckText(entry.answer, "answer", kMaxAnswerChars));
  if (entry.alternatives.size() > kMaxAlternatives) {
    return InvalidArgumentError("at most " + std::to_string(kMaxAlternatives) + " are allowed",
                                "alternatives");
  }
  for (size_t i = 0; i < entry.alternatives.size(); ++i) {
    FB_RETURN_IF_ERROR(CheckText(entry.alternatives[i], "alternatives[" + std::to_string(i) + "]",
                                 kMaxQuestionChars));
  }
  for (size_t i = 0; i < entry.tags.size(); ++i) {
    FB_RETURN_IF_ERROR(CheckText(entry.tags[i], "tags[" + std::to_string(i) + "]", 64));
    if (entry.tags[i].starts_with("account:")) {
      const auto& names = AccountQuestionNames();
      if (std::find(names.begin(), names.end(), std::string_view(entry.tags[i]).substr(8)) ==
          names.end()) {
        std::string known;
        for (std::string_view n : names) known += (known.empty() ? "" : ", ") + std::string(n);
        return InvalidArgumentError(
            "unknown account question " + Quote(entry.tags[i]) + "; known: " + known,
            "tags[" + std::to_string(i) + "]");
      }
    }
  }
  if (CharacterCount(entry.product) > 64) {
    return InvalidArgumentError("is longer than 64 characters", "product");
  }
  return OkStatus();
}

json::object KbEntryToJson(const KbEntry& entry) {
  json::object o;
  o["id"] = entry.id;
  o["question"] = entry.question;
  o["answer"] = entry.answer;
  json::array alternatives(entry.alternatives.begin(), entry.alternatives.end());
  o["alternatives"] = std::move(alternatives);
  json::array tags(entry.tags.begin(), entry.tags.end());
  o["tags"] = std::move(tags);
  if (!entry.product.empty()) o["product"] = entry.product;
  return o;
}

StatusOr<KbEntry> KbEntryFromJson(const json::value& value) {
  if (!value.is_object()) return InvalidArgumentError("a KB entry must be a JSON object");
  const json::object& o = value.as_object();
  for (const auto& [key, v] : o) {
    if (key != "id" && key != "question" && key != "answer" && key != "alternatives" &&
        key != "tags" && key != "product") {
      return InvalidArgumentError("unknown field", std::string(key));
    }
  }
  KbEntry entry;
  for (auto [key, target] :
       {std::pair{"id", &entry.id}, std::pair{"question", &entry.question},
        std::pair{"answer", &entry.answer}, std::pair{"product", &entry.product}}) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) continue;
    if (!v->is_string()) return InvalidArgumentError("must be a string", key);
    *target = TrimCopy(v->as_string());
  }
  FB_ASSIGN_OR_RETURN(entry.alternatives, StringArray(o, "alternatives"));
  FB_ASSIGN_OR_RETURN(entry.tags, StringArray(o, "tags"));
  FB_RETURN_IF_ERROR(ValidateKbEntry(entry));
  return entry;
}

}  // namespace finbrain::service
