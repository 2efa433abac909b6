# Declarative helpers in the spirit of Abseil's cc_library: each module lists its sources,
# public dependencies and tests once. Warnings are set here and only here.

option(FINBRAIN_WERROR "Treat compiler warnings as errors (the CI preset turns this on)" OFF)
option(FINBRAIN_BUILD_TESTS "Build unit and integration tests" ON)

set(FINBRAIN_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
    -Wno-missing-field-initializers)  # designated initializers leave defaults on purpose
if(FINBRAIN_WERROR)
  list(APPEND FINBRAIN_WARNINGS -Werror)
endif()

# fb_cc_library(NAME SRCS ... DEPS ...): a static library `finbrain_<NAME>`; public include root
# is src/. DEPS are PUBLIC so that the one-way dependency graph is visible in each CMakeLists.
function(fb_cc_library NAME)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(finbrain_${NAME} STATIC ${ARG_SRCS})
  target_include_directories(finbrain_${NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(finbrain_${NAME} PRIVATE ${FINBRAIN_WARNINGS})
  target_link_libraries(finbrain_${NAME} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# fb_cc_test(NAME SRCS ... DEPS ...): one GoogleTest binary, registered with ctest.
function(fb_cc_test NAME)
  if(NOT FINBRAIN_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS;ENVIRONMENT" ${ARGN})
  add_executable(${NAME} ${ARG_SRCS})
  target_compile_options(${NAME} PRIVATE ${FINBRAIN_WARNINGS})
  target_link_libraries(${NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  set(props)
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  if(ARG_ENVIRONMENT)
    list(APPEND props ENVIRONMENT "${ARG_ENVIRONMENT}")
  endif()
  if(props)
    gtest_discover_tests(${NAME} DISCOVERY_TIMEOUT 60 PROPERTIES ${props})
  else()
    gtest_discover_tests(${NAME} DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
