// JSON text for people as well as machines: like boost::json::serialize, but numbers are
// written by FormatNumber (common/strings.h), in plain decimals ("0.8247", "200", "0.0001")
// rather than Boost's scientific notation ("8.247E-1", "2E2", "1E-4"). Non-finite numbers become
// null. Every JSON FinBrain writes goes through here.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

namespace finbrain {

std::string ToJsonText(const boost::json::value& value);
std::string ToJsonText(const boost::json::object& object);
std::string ToJsonText(const boost::json::array& array);
// `text` as a JSON string literal, quoted and escaped.
std::string JsonString(std::string_view text);
// Appends `text` as a JSON string literal to `out`.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace finbrain
