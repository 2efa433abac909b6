// Dataset: a table read from CSV for training, evaluation and cross-validation.
//
// Columns are numeric (double, NaN = missing) or categorical (level codes, -1 = missing). Empty
// cells, "NA" and "NaN" are missing. A column is numeric when every present cell is a finite
// number, unless the caller forces its kind.
//
// Example:
//   FB_ASSIGN_OR_RETURN(Dataset data, ReadCsv("loans.csv", {}));
//   FB_ASSIGN_OR_RETURN(std::vector<std::uint8_t> y, ExtractTarget(data, "bad", std::nullopt));
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace finbrain::models {

enum class ColumnKind { kNumeric, kCategorical };

std::string_view ColumnKindName(ColumnKind kind);

struct Column {
  std::string name;
  ColumnKind kind = ColumnKind::kNumeric;
  std::vector<double> numbers;      // numeric: one per row, NaN when missing
  std::vector<std::int32_t> codes;  // categorical: index into `levels`, -1 when missing
  std::vector<std::string> levels;  // categorical: distinct values in order of appearance

  bool IsMissing(size_t row) const {
    return kind == ColumnKind::kNumeric ? std::isnan(numbers[row]) : codes[row] < 0;
  }
  // The cell as text ("" when missing), for messages and target labels.
  std::string Text(size_t row) const;
};

struct Dataset {
  std::vector<Column> columns;
  size_t rows = 0;

  const Column* Find(std::string_view name) const;
  // The rows listed in `rows`, in that order (folds, train/validation splits).
  Dataset Subset(const std::vector<size_t>& rows) const;
};

struct CsvOptions {
  std::vector<std::string> categorical;  // read as categorical even when they look numeric
  std::vector<std::string> numeric;      // must be numeric: a non-number is an error
};

// True for the cells that mean "no value": "", "NA", "NaN" (and "nan", "null").
bool IsMissingCell(std::string_view cell);

// Reads an RFC 4180 CSV file with a header row. Errors name the row (1 = first data row) and
// column: ragged rows, duplicate or empty header names, infinite numbers, and text in a column
// that is otherwise numeric (or declared numeric).
StatusOr<Dataset> ReadCsv(const std::string& path, const CsvOptions& options);
StatusOr<Dataset> ParseCsv(std::string_view text, const CsvOptions& options);

// The 0/1 outcome of each row (1 = the bad outcome). Without `positive` the column must hold
// 0/1; with it, the column must hold exactly two labels and `positive` names the bad one.
StatusOr<std::vector<std::uint8_t>> ExtractTarget(const Dataset& data, std::string_view column,
                                                  const std::optional<std::string>& positive);

}  // namespace finbrain::models
