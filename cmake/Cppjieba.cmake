# cppjieba (MIT, header-only Chinese word segmentation) with its dictionaries, from the npm
# package `nodejieba`, which ships it (Debian has no package). Fetched once per build tree with
# `npm pack` (npm's cache makes a second build tree free), checked against a pinned SHA-256, and
# unpacked under _deps/. Target `cppjieba` (include paths only); FINBRAIN_JIEBA_DICT_DIR is the
# folder with jieba.dict.utf8 and hmm_model.utf8.
set(NODEJIEBA_VERSION 3.5.8)
set(NODEJIEBA_SHA256 d596b0566526a7add766e1582f5c97dd5b5003dd26ca353e7b5cf5da86b43af5)
set(NODEJIEBA_DIR ${PROJECT_BINARY_DIR}/_deps/nodejieba-${NODEJIEBA_VERSION})
set(NODEJIEBA_TGZ ${PROJECT_BINARY_DIR}/_deps/nodejieba-${NODEJIEBA_VERSION}.tgz)

if(NOT EXISTS ${NODEJIEBA_DIR}/package/submodules/cppjieba/include/cppjieba/Jieba.hpp)
  find_program(NPM_EXECUTABLE npm REQUIRED)
  file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/_deps)
  message(STATUS "cppjieba: npm pack nodejieba@${NODEJIEBA_VERSION}")
  execute_process(
    COMMAND ${NPM_EXECUTABLE} pack nodejieba@${NODEJIEBA_VERSION} --silent
    WORKING_DIRECTORY ${PROJECT_BINARY_DIR}/_deps
    RESULT_VARIABLE npm_result OUTPUT_QUIET)
  if(NOT npm_result EQUAL 0 OR NOT EXISTS ${NODEJIEBA_TGZ})
    message(FATAL_ERROR "cppjieba: `npm pack nodejieba@${NODEJIEBA_VERSION}` failed (is the npm registry reachable?)")
  endif()
  file(SHA256 ${NODEJIEBA_TGZ} got_sha256)
  if(NOT got_sha256 STREQUAL NODEJIEBA_SHA256)
    file(REMOVE ${NODEJIEBA_TGZ})
    message(FATAL_ERROR "cppjieba: nodejieba-${NODEJIEBA_VERSION}.tgz has SHA-256 ${got_sha256}, expected ${NODEJIEBA_SHA256}")
  endif()
  file(ARCHIVE_EXTRACT INPUT ${NODEJIEBA_TGZ} DESTINATION ${NODEJIEBA_DIR}
       PATTERNS package/submodules/cppjieba/include package/submodules/cppjieba/deps/limonp/include
                package/submodules/cppjieba/dict/jieba.dict.utf8
                package/submodules/cppjieba/dict/hmm_model.utf8
                package/submodules/cppjieba/LICENSE)
  file(REMOVE ${NODEJIEBA_TGZ})
endif()

add_library(cppjieba INTERFACE)
# SYSTEM: third-party headers are not held to the project's warnings.
target_include_directories(cppjieba SYSTEM INTERFACE
  ${NODEJIEBA_DIR}/package/submodules/cppjieba/include
  ${NODEJIEBA_DIR}/package/submodules/cppjieba/deps/limonp/include)
set(FINBRAIN_JIEBA_DICT_DIR ${NODEJIEBA_DIR}/package/submodules/cppjieba/dict)
