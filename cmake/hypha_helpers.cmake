# hypha_test_binary(NAME <target> SOURCES <files...> LIBS <libs...>)
# Builds one GoogleTest binary (gmock, gtest_main), without registering its
# tests: hypha_add_tests does that, and the AMQP tests register theirs in
# groups (src/transport/amqp). The binary's own files are compiled without
# optimisation: at -O2 most of a test file's compile time went to optimising
# code that runs once (container_test.cpp: 38 s of CPU at -O2, 24 s at -O0),
# and a CI run on a new machine compiles every file. The libraries under test
# keep the build type's flags.
function(hypha_test_binary)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  target_compile_options(${ARG_NAME} PRIVATE -O0)
  # Every test file parses GoogleTest and nlohmann/json: parse them once per binary.
  target_precompile_headers(${ARG_NAME} PRIVATE <gtest/gtest.h> <nlohmann/json.hpp> <string> <vector> <memory>
    <functional>)
endfunction()

# hypha_add_tests(NAME <target> SOURCES <files...> LIBS <libs...> [LABELS <labels...>])
# Builds one GoogleTest binary from the given *_test.cpp files and registers
# every TEST with CTest (gtest_discover_tests), so `ctest -R Name` works.
function(hypha_add_tests)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT HYPHA_BUILD_TESTS OR NOT ARG_SOURCES)
    return()
  endif()
  hypha_test_binary(NAME ${ARG_NAME} SOURCES ${ARG_SOURCES} LIBS ${ARG_LIBS})
  set(labels unit)
  if(ARG_LABELS)
    set(labels ${ARG_LABELS})
  endif()
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${labels}" TIMEOUT 120)
endfunction()

# hypha_precompile_common(<target>): the standard and JSON headers nearly every
# file of the target includes, parsed once per target (2 cores: it matters).
function(hypha_precompile_common target)
  target_precompile_headers(${target} PRIVATE <nlohmann/json.hpp> <string> <vector> <memory> <functional> <optional>)
endfunction()
