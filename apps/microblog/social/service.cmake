# Microblog social service: who follows whom (social.db), RPC + user_followed /
# user_unfollowed events. Included from apps/microblog/CMakeLists.txt after
# domain.cmake (needs microblog_domain, hypha, hypha_sqlite, hypha_add_tests).
set(MICROBLOG_SOCIAL_DIR ${CMAKE_CURRENT_LIST_DIR})

add_library(microblog_social STATIC
  ${MICROBLOG_SOCIAL_DIR}/application/follow_use_cases.cpp
  ${MICROBLOG_SOCIAL_DIR}/adapters/dispatching_social_events.cpp
  ${MICROBLOG_SOCIAL_DIR}/adapters/social_schema.cpp
  ${MICROBLOG_SOCIAL_DIR}/adapters/social_service.cpp
  ${MICROBLOG_SOCIAL_DIR}/adapters/sqlite_follow_repository.cpp
)
target_include_directories(microblog_social PUBLIC ${MICROBLOG_SOCIAL_DIR}/..)
target_link_libraries(microblog_social PUBLIC microblog_domain hypha hypha_sqlite)
set_target_properties(microblog_social PROPERTIES POSITION_INDEPENDENT_CODE ON)

hypha_add_tests(NAME microblog_social_tests
  SOURCES
    ${MICROBLOG_SOCIAL_DIR}/adapters/follow_change_time_test.cpp
    ${MICROBLOG_SOCIAL_DIR}/adapters/social_service_test.cpp
    ${MICROBLOG_SOCIAL_DIR}/adapters/social_service_worker_test.cpp
  LIBS microblog_social hypha_testing
)
