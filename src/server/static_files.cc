#include "server/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace finbrain::server {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxTotalBytes = size_t{64} << 20;

std::string ContentType(const fs::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

StatusOr<StaticFiles> StaticFiles::Load(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(dir) / "index.html", ec)) {
    return NotFoundError("no console in " + dir + " (index.html missing): build web/ first");
  }
  StaticFiles result;
  size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    total += it->file_size();
    if (total > kMaxTotalBytes) {
      return InvalidArgumentError("the console in " + dir + " is larger than 64 MiB");
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in) return UnavailableError("cannot read " + it->path().string());
    const std::string relative = fs::relative(it->path(), dir).generic_string();
    result.files_["/" + relative] = File{ContentType(it->path()), std::move(body).str()};
  }
  if (ec) return UnavailableError("cannot list " + dir + ": " + ec.message());
  return result;
}

std::optional<HttpResponse> StaticFiles::Serve(std::string_view path) const {
  auto it = files_.find(path == "/" ? std::string_view("/index.html") : path);
  if (it == files_.end()) {
    // Paths of the single-page app (no extension in the last segment) get index.html.
    const std::string_view last = path.substr(path.rfind('/') + 1);
    if (last.find('.') != std::string_view::npos) return std::nullopt;
    it = files_.find("/index.html");
  }
  HttpResponse response;
  response.content_type = it->second.content_type;
  response.body = it->second.body;
  // Vite names assets by content hash, so they never change; index.html must be revalidated.
  const bool hashed = it->first.starts_with("/assets/");
  response.headers.emplace_back("Cache-Control",
                                hashed ? "public, max-age=31536000, immutable" : "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace finbrain::server
