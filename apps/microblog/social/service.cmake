# Microblog social service: who follows whom (social.db), RPC + user_followed /
# user_unfollowed events. Included from apps/microblog/CMakeLists.txt
# (microblog_context).
microblog_context(NAME social
  SOURCES
    application/follow_use_cases.cpp
    adapters/dispatching_social_events.cpp
    adapters/social_schema.cpp
    adapters/social_service.cpp
    adapters/sqlite_follow_repository.cpp
  TESTS
    adapters/follow_change_time_test.cpp
    adapters/social_service_test.cpp
    adapters/social_service_worker_test.cpp
)
