#include "ingest/event_diff.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/json_text.h"

namespace finbrain::ingest {
namespace {

namespace json = boost::json;

std::string Text(const json::value* v) { return v == nullptr ? "" : ToJsonText(*v); }

std::string Child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

void Compare(const json::value* before, const json::value* after, const std::string& path,
             std::vector<FieldDifference>& out);

// `ignore`: member names left out (at the top level only).
void CompareObjects(const json::object& b, const json::object& a, const std::string& path,
                    std::vector<FieldDifference>& out,
                    std::initializer_list<std::string_view> ignore = {}) {
  const auto ignored = [&](std::string_view key) {
    return std::find(ignore.begin(), ignore.end(), key) != ignore.end();
  };
  for (const auto& [key, value] : b) {
    if (!ignored(key)) Compare(&value, a.if_contains(key), Child(path, key), out);
  }
  for (const auto& [key, value] : a) {
    if (!b.contains(key) && !ignored(key)) Compare(nullptr, &value, Child(path, key), out);
  }
}

void Compare(const json::value* before, const json::value* after, const std::string& path,
             std::vector<FieldDifference>& out) {
  if (before != nullptr && after != nullptr && before->is_object() && after->is_object()) {
    return CompareObjects(before->get_object(), after->get_object(), path, out);
  }
  if (before != nullptr && after != nullptr && before->is_array() && after->is_array()) {
    const json::array& b = before->get_array();
    const json::array& a = after->get_array();
    for (size_t i = 0; i < std::max(b.size(), a.size()); ++i) {
      Compare(i < b.size() ? &b[i] : nullptr, i < a.size() ? &a[i] : nullptr,
              path + "[" + std::to_string(i) + "]", out);
    }
    return;
  }
  // Numbers compare by value: 5000 and 5000.0 are the same amount.
  if (before != nullptr && after != nullptr && before->is_number() && after->is_number() &&
      before->to_number<double>() == after->to_number<double>()) {
    return;
  }
  if (before != nullptr && after != nullptr && *before == *after) return;
  out.push_back({path, Text(before), Text(after)});
}

std::string Shorten(std::string text) {
  constexpr size_t kMax = 40;
  if (text.empty()) return "absent";
  if (text.size() > kMax) text = text.substr(0, kMax - 3) + "...";
  return text;
}

}  // namespace

std::vector<FieldDifference> DifferingFields(const json::object& before, const json::object& after,
                                             std::initializer_list<std::string_view> ignore) {
  std::vector<FieldDifference> out;
  CompareObjects(before, after, "", out, ignore);
  return out;
}

std::string DescribeDifferences(const std::vector<FieldDifference>& differences, size_t max) {
  std::string out;
  for (size_t i = 0; i < differences.size() && i < max; ++i) {
    if (!out.empty()) out += ", ";
    out += differences[i].path + " (" + Shorten(differences[i].before) + ", now " +
           Shorten(differences[i].after) + ")";
  }
  if (differences.size() > max) {
    out += " and " + std::to_string(differences.size() - max) + " more";
  }
  return out;
}

}  // namespace finbrain::ingest
