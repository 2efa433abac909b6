// Where the FAQ bot's shipped files are: cppjieba's dictionaries (fetched at build time, see
// cmake/Cppjieba.cmake) and the product's own service files (resources/service: the finance
// terms, the default Chinese KB, the trained matcher and sentiment models, the hand-written
// evaluation queries). Both default to the build's paths and are overridden by the environment
// (FINBRAIN_JIEBA_DICT_DIR, FINBRAIN_SERVICE_DIR) for an installed binary.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "service/segmenter.h"

namespace finbrain::service {

std::string JiebaDictDir();
std::string ServiceDir();
// A file under ServiceDir().
std::string ServiceFile(const std::string& name);

// The process-wide segmenter: jieba's dictionary plus the product's finance terms and
// `extra_lexicons` (e.g. THUOCL's finance lexicon); loaded on first use, then shared. Later
// calls with other lexicons get the first instance.
StatusOr<std::shared_ptr<const Segmenter>> SharedSegmenter(
    const std::vector<std::string>& extra_lexicons = {});

}  // namespace finbrain::service
