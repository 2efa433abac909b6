#include "common/files.h"

#include <fstream>
#include <sstream>

namespace finbrain {

StatusOr<std::string> ReadTextFile(const std::string& path, std::string_view field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path, std::string(field));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return NotFoundError("cannot read " + path, std::string(field));
  return text.str();
}

}  // namespace finbrain
