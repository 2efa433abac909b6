// JSON text for people as well as machines: like boost::json::serialize, but numbers are
// written in their shortest round-trip form ("0.8247", "200") rather than Boost's scientific
// notation ("8.247E-1", "2E2"). Non-finite numbers become null.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>

namespace finbrain {

std::string ToJsonText(const boost::json::value& value);

}  // namespace finbrain
