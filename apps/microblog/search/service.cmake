# Microblog search service: full-text search of microposts (SQLite FTS5,
# search.db), indexed from the posts service's events. Included from
# apps/microblog/CMakeLists.txt (microblog_context).
microblog_context(NAME search
  SOURCES
    application/indexed_post.cpp
    application/search_use_cases.cpp
    adapters/micropost_json.cpp
    adapters/search_schema.cpp
    adapters/search_service.cpp
    adapters/sqlite_search_index.cpp
  TESTS
    application/indexed_post_test.cpp
    adapters/search_service_test.cpp
)
