# Microblog search service: full-text search of microposts (SQLite FTS5,
# search.db), indexed from the posts service's events. Included from
# apps/microblog/CMakeLists.txt after domain.cmake (needs microblog_domain,
# hypha, hypha_sqlite, hypha_add_tests).
set(MICROBLOG_SEARCH_DIR ${CMAKE_CURRENT_LIST_DIR})

add_library(microblog_search STATIC
  ${MICROBLOG_SEARCH_DIR}/application/indexed_post.cpp
  ${MICROBLOG_SEARCH_DIR}/application/search_use_cases.cpp
  ${MICROBLOG_SEARCH_DIR}/adapters/micropost_json.cpp
  ${MICROBLOG_SEARCH_DIR}/adapters/search_schema.cpp
  ${MICROBLOG_SEARCH_DIR}/adapters/search_service.cpp
  ${MICROBLOG_SEARCH_DIR}/adapters/sqlite_search_index.cpp
)
target_include_directories(microblog_search PUBLIC ${MICROBLOG_SEARCH_DIR}/..)
target_link_libraries(microblog_search PUBLIC microblog_domain hypha hypha_sqlite)
set_target_properties(microblog_search PROPERTIES POSITION_INDEPENDENT_CODE ON)

hypha_add_tests(NAME microblog_search_tests
  SOURCES
    ${MICROBLOG_SEARCH_DIR}/application/indexed_post_test.cpp
    ${MICROBLOG_SEARCH_DIR}/adapters/search_service_test.cpp
  LIBS microblog_search hypha_testing
)
