#include "service/resources.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace finbrain::service {
namespace {

std::string FromEnvironment(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

}  // namespace

std::string JiebaDictDir() {
  return FromEnvironment("FINBRAIN_JIEBA_DICT_DIR", FINBRAIN_DEFAULT_JIEBA_DICT_DIR);
}

std::string ServiceDir() {
  return FromEnvironment("FINBRAIN_SERVICE_DIR", FINBRAIN_DEFAULT_SERVICE_DIR);
}

std::string ServiceFile(const std::string& name) {
  return (std::filesystem::path(ServiceDir()) / name).string();
}

StatusOr<std::shared_ptr<const Segmenter>> SharedSegmenter(
    const std::vector<std::string>& extra_lexicons) {
  static std::mutex mu;
  static std::shared_ptr<const Segmenter> shared;
  std::lock_guard lock(mu);
  if (shared == nullptr) {
    SegmenterOptions options{.dict_dir = JiebaDictDir(),
                             .lexicons = {ServiceFile("finance_terms.txt")}};
    options.lexicons.insert(options.lexicons.end(), extra_lexicons.begin(), extra_lexicons.end());
    FB_ASSIGN_OR_RETURN(shared, Segmenter::Load(options));
  }
  return shared;
}

}  // namespace finbrain::service
