#include "common/json_text.h"

#include <boost/json.hpp>

#include "common/strings.h"

namespace finbrain {
namespace {

// As Boost writes strings: quotes, backslashes and control characters escaped, UTF-8 as is.
void WriteString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void Write(const boost::json::value& v, std::string& out);

void WriteObject(const boost::json::object& o, std::string& out) {
  out += '{';
  bool first = true;
  for (const auto& [key, e] : o) {
    if (!first) out += ',';
    first = false;
    WriteString(std::string_view(key.data(), key.size()), out);
    out += ':';
    Write(e, out);
  }
  out += '}';
}

void WriteArray(const boost::json::array& a, std::string& out) {
  out += '[';
  bool first = true;
  for (const auto& e : a) {
    if (!first) out += ',';
    first = false;
    Write(e, out);
  }
  out += ']';
}

void Write(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      out += std::to_string(v.get_int64());
      return;
    case boost::json::kind::uint64:
      out += std::to_string(v.get_uint64());
      return;
    case boost::json::kind::double_:
      out += FormatNumber(v.get_double());
      return;
    case boost::json::kind::string:
      WriteString(std::string_view(v.get_string().data(), v.get_string().size()), out);
      return;
    case boost::json::kind::array:
      WriteArray(v.get_array(), out);
      return;
    case boost::json::kind::object:
      WriteObject(v.get_object(), out);
      return;
  }
}

}  // namespace

std::string ToJsonText(const boost::json::value& value) {
  std::string out;
  Write(value, out);
  return out;
}

std::string ToJsonText(const boost::json::object& object) {
  std::string out;
  WriteObject(object, out);
  return out;
}

std::string ToJsonText(const boost::json::array& array) {
  std::string out;
  WriteArray(array, out);
  return out;
}

void AppendJsonString(std::string& out, std::string_view text) { WriteString(text, out); }

std::string JsonString(std::string_view text) {
  std::string out;
  WriteString(text, out);
  return out;
}

}  // namespace finbrain
