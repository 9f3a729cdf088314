# Microblog timeline service: the timelines as a read model built from the
# posts and social events (timeline.db), fan-out on write. Included from
# apps/microblog/CMakeLists.txt (microblog_context).
microblog_context(NAME timeline
  SOURCES
    application/follow_state.cpp
    application/timeline_projection.cpp
    adapters/micropost_json.cpp
    adapters/sqlite_timeline_store.cpp
    adapters/timeline_schema.cpp
    adapters/timeline_service.cpp
  TESTS
    application/follow_state_test.cpp
    adapters/timeline_service_test.cpp
)
