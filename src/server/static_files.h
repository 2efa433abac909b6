// StaticFiles: the console's build output (web/, built by Vite), loaded into memory once at start
// and served for GET requests outside the API. Loading everything up front means a request can
// never name a file outside the folder (no path is ever resolved against the disk per request).
//
// Example:
//   FB_ASSIGN_OR_RETURN(StaticFiles console, StaticFiles::Load("build/release/web"));
//   if (std::optional<HttpResponse> r = console.Serve("/assets/index-3f2a.js")) respond(*r);
//
// Thread-safety: immutable after Load; Serve may be called concurrently.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http_types.h"

namespace finbrain::server {

class StaticFiles {
 public:
  // Every regular file under `dir` (at most 64 MiB in all). kNotFound when `dir` has no
  // index.html (the console was not built).
  static StatusOr<StaticFiles> Load(const std::string& dir);

  // The file for a request path ("/" and unknown paths without a file extension are the
  // single-page app's index.html); nullopt when there is no such file.
  std::optional<HttpResponse> Serve(std::string_view path) const;

  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  std::map<std::string, File, std::less<>> files_;  // "/assets/x.js" -> file
};

}  // namespace finbrain::server
