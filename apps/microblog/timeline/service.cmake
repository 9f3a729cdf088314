# Microblog timeline service: the timelines as a read model built from the
# posts and social events (timeline.db), fan-out on write. Included from
# apps/microblog/CMakeLists.txt after domain.cmake (needs microblog_domain,
# hypha, hypha_sqlite, hypha_add_tests).
set(MICROBLOG_TIMELINE_DIR ${CMAKE_CURRENT_LIST_DIR})

add_library(microblog_timeline STATIC
  ${MICROBLOG_TIMELINE_DIR}/application/follow_state.cpp
  ${MICROBLOG_TIMELINE_DIR}/application/timeline_projection.cpp
  ${MICROBLOG_TIMELINE_DIR}/adapters/micropost_json.cpp
  ${MICROBLOG_TIMELINE_DIR}/adapters/sqlite_timeline_store.cpp
  ${MICROBLOG_TIMELINE_DIR}/adapters/timeline_schema.cpp
  ${MICROBLOG_TIMELINE_DIR}/adapters/timeline_service.cpp
)
target_include_directories(microblog_timeline PUBLIC ${MICROBLOG_TIMELINE_DIR}/..)
target_link_libraries(microblog_timeline PUBLIC microblog_domain hypha hypha_sqlite)
set_target_properties(microblog_timeline PROPERTIES POSITION_INDEPENDENT_CODE ON)

hypha_add_tests(NAME microblog_timeline_tests
  SOURCES
    ${MICROBLOG_TIMELINE_DIR}/application/follow_state_test.cpp
    ${MICROBLOG_TIMELINE_DIR}/adapters/timeline_service_test.cpp
  LIBS microblog_timeline hypha_testing
)
