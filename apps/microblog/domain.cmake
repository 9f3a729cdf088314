# Microblog domain layer: pure C++ (standard library, hypha/core/result.hpp,
# hypha/core/utf8.hpp, and
# nlohmann/json only for the wire payloads in contracts/). No framework, no I/O,
# so every rule here is unit-tested without a container.
#
# Included from apps/microblog/CMakeLists.txt. Paths are relative to this file,
# so another CMake project can include it too, given hypha_result, hypha_utf8 and
# hypha_add_tests (cmake/hypha_helpers.cmake).
set(MICROBLOG_DIR ${CMAKE_CURRENT_LIST_DIR})

add_library(microblog_domain STATIC
  ${MICROBLOG_DIR}/common/domain/ascii.cpp
  ${MICROBLOG_DIR}/common/domain/decimal.cpp
  ${MICROBLOG_DIR}/common/domain/list_request.cpp
  ${MICROBLOG_DIR}/common/domain/page_query.cpp
  ${MICROBLOG_DIR}/common/domain/timestamp.cpp
  ${MICROBLOG_DIR}/common/domain/utf8.cpp
  ${MICROBLOG_DIR}/common/domain/white_space.cpp
  ${MICROBLOG_DIR}/identity/domain/login_throttle.cpp
  ${MICROBLOG_DIR}/identity/domain/password_policy.cpp
  ${MICROBLOG_DIR}/identity/domain/username.cpp
  ${MICROBLOG_DIR}/posts/domain/mentions.cpp
  ${MICROBLOG_DIR}/posts/domain/micropost.cpp
  ${MICROBLOG_DIR}/posts/domain/micropost_text.cpp
  ${MICROBLOG_DIR}/posts/domain/snowflake.cpp
  ${MICROBLOG_DIR}/search/domain/search_query.cpp
  ${MICROBLOG_DIR}/social/domain/follow_rules.cpp
  ${MICROBLOG_DIR}/timeline/domain/post_state.cpp
)
target_include_directories(microblog_domain PUBLIC ${MICROBLOG_DIR})
# hypha_result and hypha_utf8 (src/CMakeLists.txt) are the Result type and the
# UTF-8 codec alone: domain code never links the framework.
target_link_libraries(microblog_domain PUBLIC hypha_result hypha_utf8 tl::expected nlohmann_json::nlohmann_json)
set_target_properties(microblog_domain PROPERTIES POSITION_INDEPENDENT_CODE ON)

hypha_add_tests(NAME microblog_domain_tests
  SOURCES
    ${MICROBLOG_DIR}/common/domain/ascii_test.cpp
    ${MICROBLOG_DIR}/common/domain/decimal_test.cpp
    ${MICROBLOG_DIR}/common/domain/page_query_test.cpp
    ${MICROBLOG_DIR}/common/domain/timestamp_test.cpp
    ${MICROBLOG_DIR}/common/domain/utf8_test.cpp
    ${MICROBLOG_DIR}/common/domain/white_space_test.cpp
    ${MICROBLOG_DIR}/identity/domain/login_throttle_test.cpp
    ${MICROBLOG_DIR}/identity/domain/password_policy_test.cpp
    ${MICROBLOG_DIR}/identity/domain/username_test.cpp
    ${MICROBLOG_DIR}/identity/domain/user_test.cpp
    ${MICROBLOG_DIR}/posts/domain/mentions_test.cpp
    ${MICROBLOG_DIR}/posts/domain/micropost_test.cpp
    ${MICROBLOG_DIR}/posts/domain/micropost_text_test.cpp
    ${MICROBLOG_DIR}/posts/domain/snowflake_test.cpp
    ${MICROBLOG_DIR}/search/domain/search_query_test.cpp
    ${MICROBLOG_DIR}/social/domain/follow_rules_test.cpp
    ${MICROBLOG_DIR}/timeline/domain/post_state_test.cpp
    ${MICROBLOG_DIR}/contracts/identity_events_test.cpp
    ${MICROBLOG_DIR}/contracts/json_codec_test.cpp
    ${MICROBLOG_DIR}/contracts/micropost_events_test.cpp
    ${MICROBLOG_DIR}/contracts/social_events_test.cpp
  LIBS microblog_domain
)
