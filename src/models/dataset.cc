#include "models/dataset.h"

#include <csv.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <unordered_map>

#include "common/strings.h"

namespace finbrain::models {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Parses a whole cell as a number; nullopt when it is not one.
std::optional<double> ParseNumber(std::string_view cell) {
  cell = Trim(cell);
  if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (ec != std::errc() || end != cell.data() + cell.size() || cell.empty()) return std::nullopt;
  return value;
}

std::string FormatNumber(double v) {
  std::ostringstream out;
  out.precision(15);
  out << v;
  return out.str();
}

// Collects the cells libcsv hands over, row by row.
struct CsvCollector {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> current;
};

void OnField(void* field, size_t len, void* data) {
  auto* c = static_cast<CsvCollector*>(data);
  c->current.emplace_back(static_cast<const char*>(field), len);
}

void OnRow(int, void* data) {
  auto* c = static_cast<CsvCollector*>(data);
  c->rows.push_back(std::move(c->current));
  c->current.clear();
}

bool Contains(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

StatusOr<Column> BuildColumn(std::string name, const std::vector<std::vector<std::string>>& rows,
                             size_t index, const CsvOptions& options) {
  Column column;
  column.name = std::move(name);
  const size_t n = rows.size() - 1;
  const bool force_categorical = Contains(options.categorical, column.name);
  const bool force_numeric = Contains(options.numeric, column.name);
  size_t present = 0, numbers = 0;
  std::optional<size_t> first_text;
  std::vector<double> parsed(n, kMissing);
  for (size_t r = 0; r < n; ++r) {
    const std::string& cell = rows[r + 1][index];
    if (IsMissingCell(Trim(cell))) continue;
    ++present;
    if (force_categorical) continue;
    if (std::optional<double> v = ParseNumber(cell)) {
      if (std::isinf(*v)) {
        return InvalidArgumentError("row " + std::to_string(r + 1) + ", column '" + column.name +
                                        "': infinite value " + Quote(cell),
                                    column.name);
      }
      parsed[r] = *v;
      ++numbers;
    } else if (!first_text) {
      first_text = r;
    }
  }
  const bool numeric = !force_categorical && (numbers == present || force_numeric);
  if (numeric && first_text) {
    return InvalidArgumentError("row " + std::to_string(*first_text + 1) + ", column '" +
                                    column.name + "': " + Quote(rows[*first_text + 1][index]) +
                                    " is not a number (the column is declared numeric)",
                                column.name);
  }
  // A column that is almost all numbers with a few stray strings is a data error, not a
  // categorical feature with thousands of levels.
  if (!numeric && !force_categorical && first_text && present >= 20 &&
      numbers * 100 >= present * 95) {
    return InvalidArgumentError(
        "row " + std::to_string(*first_text + 1) + ", column '" + column.name +
            "': " + Quote(rows[*first_text + 1][index]) + " is not a number, but " +
            std::to_string(numbers * 100 / present) +
            "% of the column is; fix the data or declare the column categorical in the spec",
        column.name);
  }
  if (numeric) {
    column.kind = ColumnKind::kNumeric;
    column.numbers = std::move(parsed);
    return column;
  }
  column.kind = ColumnKind::kCategorical;
  column.codes.assign(n, -1);
  std::unordered_map<std::string, std::int32_t> codes;
  for (size_t r = 0; r < n; ++r) {
    const std::string_view cell = Trim(rows[r + 1][index]);
    if (IsMissingCell(cell)) continue;
    auto [it, inserted] =
        codes.emplace(std::string(cell), static_cast<std::int32_t>(column.levels.size()));
    if (inserted) column.levels.emplace_back(cell);
    column.codes[r] = it->second;
  }
  return column;
}

}  // namespace

std::string_view ColumnKindName(ColumnKind kind) {
  return kind == ColumnKind::kNumeric ? "numeric" : "categorical";
}

std::string Column::Text(size_t row) const {
  if (IsMissing(row)) return "";
  return kind == ColumnKind::kNumeric ? FormatNumber(numbers[row]) : levels[codes[row]];
}

const Column* Dataset::Find(std::string_view name) const {
  for (const Column& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Dataset Dataset::Subset(const std::vector<size_t>& picked) const {
  Dataset out;
  out.rows = picked.size();
  out.columns.reserve(columns.size());
  for (const Column& c : columns) {
    Column s;
    s.name = c.name;
    s.kind = c.kind;
    s.levels = c.levels;
    if (c.kind == ColumnKind::kNumeric) {
      s.numbers.reserve(picked.size());
      for (size_t r : picked) s.numbers.push_back(c.numbers[r]);
    } else {
      s.codes.reserve(picked.size());
      for (size_t r : picked) s.codes.push_back(c.codes[r]);
    }
    out.columns.push_back(std::move(s));
  }
  return out;
}

bool IsMissingCell(std::string_view cell) {
  return cell.empty() || cell == "NA" || cell == "NaN" || cell == "nan" || cell == "null";
}

StatusOr<Dataset> ParseCsv(std::string_view text, const CsvOptions& options) {
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return InternalError("cannot initialise the CSV parser");
  }
  CsvCollector collector;
  const size_t parsed = csv_parse(&parser, text.data(), text.size(), OnField, OnRow, &collector);
  const bool failed = parsed != text.size() || csv_fini(&parser, OnField, OnRow, &collector) != 0;
  if (failed) {
    const std::string why = csv_strerror(csv_error(&parser));
    csv_free(&parser);
    return InvalidArgumentError("malformed CSV near row " + std::to_string(collector.rows.size()) +
                                ": " + why);
  }
  csv_free(&parser);
  // libcsv drops empty lines; a blank trailing line is not a row.
  if (collector.rows.empty()) return InvalidArgumentError("the CSV is empty (no header row)");
  const std::vector<std::string>& header = collector.rows.front();
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string_view name = Trim(header[i]);
    if (name.empty()) {
      return InvalidArgumentError("header column " + std::to_string(i + 1) + " has no name");
    }
    if (!names.emplace(name).second) {
      return InvalidArgumentError("header names column " + Quote(name) + " twice",
                                  std::string(name));
    }
  }
  for (size_t r = 1; r < collector.rows.size(); ++r) {
    if (collector.rows[r].size() != header.size()) {
      return InvalidArgumentError("row " + std::to_string(r) + " has " +
                                  std::to_string(collector.rows[r].size()) +
                                  " fields but the header has " + std::to_string(header.size()));
    }
  }
  for (const std::string& forced : options.categorical) {
    if (!names.contains(forced)) {
      return InvalidArgumentError("column " + Quote(forced) +
                                      " (declared categorical) is not in "
                                      "the data",
                                  forced);
    }
  }
  Dataset data;
  data.rows = collector.rows.size() - 1;
  for (size_t i = 0; i < header.size(); ++i) {
    FB_ASSIGN_OR_RETURN(Column column,
                        BuildColumn(std::string(Trim(header[i])), collector.rows, i, options));
    data.columns.push_back(std::move(column));
  }
  return data;
}

StatusOr<Dataset> ReadCsv(const std::string& path, const CsvOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + Quote(path));
  std::ostringstream text;
  text << in.rdbuf();
  StatusOr<Dataset> data = ParseCsv(text.str(), options);
  if (!data.ok()) {
    return Status(data.status().code(), path + ": " + data.status().message(),
                  data.status().field());
  }
  return data;
}

StatusOr<std::vector<std::uint8_t>> ExtractTarget(const Dataset& data, std::string_view name,
                                                  const std::optional<std::string>& positive) {
  const Column* column = data.Find(name);
  if (column == nullptr) {
    std::vector<std::string> names;
    for (const Column& c : data.columns) names.push_back(c.name);
    return NotFoundError("target column " + Quote(name) +
                             " is not in the data; its columns are: " + Join(names, ", "),
                         std::string(name));
  }
  std::vector<std::string> labels;  // distinct, in order of appearance
  std::vector<std::uint8_t> y(data.rows);
  for (size_t r = 0; r < data.rows; ++r) {
    if (column->IsMissing(r)) {
      return InvalidArgumentError(
          "row " + std::to_string(r + 1) + ": the target " + Quote(name) + " is missing",
          std::string(name));
    }
    const std::string label = column->Text(r);
    if (!Contains(labels, label)) labels.push_back(label);
    if (labels.size() > 2) {
      return InvalidArgumentError("the target " + Quote(name) + " has more than two values (" +
                                      Join(labels, ", ") + "); a default model needs two outcomes",
                                  std::string(name));
    }
    if (positive) {
      const std::optional<double> want = ParseNumber(*positive);
      y[r] = (label == *positive ||
              (want && column->kind == ColumnKind::kNumeric && column->numbers[r] == *want))
                 ? 1
                 : 0;
    } else if (label == "0" || label == "1") {
      y[r] = label == "1" ? 1 : 0;
    } else {
      return InvalidArgumentError("the target " + Quote(name) + " holds " + Quote(label) +
                                      " (row " + std::to_string(r + 1) +
                                      "); it must be 0/1, or name the bad outcome with --positive",
                                  std::string(name));
    }
  }
  if (positive && std::find(y.begin(), y.end(), 1) == y.end()) {
    return InvalidArgumentError("--positive " + Quote(*positive) +
                                    " matches no row of the target " + Quote(name) +
                                    " (its values: " + Join(labels, ", ") + ")",
                                std::string(name));
  }
  if (labels.size() < 2) {
    return InvalidArgumentError("the target " + Quote(name) + " has a single class (" +
                                    (labels.empty() ? std::string("no rows") : labels.front()) +
                                    "); a model needs both outcomes",
                                std::string(name));
  }
  return y;
}

}  // namespace finbrain::models
