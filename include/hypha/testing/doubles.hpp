// File: testing/doubles.hpp
//
// Test doubles for the built-in dependencies: gmock mocks that record what a
// service did. worker_factory and replace_dependencies put them in place of the
// real providers.
//
//   hypha::testing::MockRpcClient posts;
//   EXPECT_CALL(posts, call_method("posts", "get_post", _, _)).WillOnce(Return(Json{{"id", "1"}}));
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>

#include "hypha/transport/transport.hpp"

namespace hypha::testing {

/// MockRpcClient stands in for a transport behind RpcProxy. Mock
/// call_method; the default action returns null.
class MockRpcClient : public RpcClient {
 public:
  MOCK_METHOD(Json, call_method, (std::string_view service, std::string_view method, Json args, Json kwargs));

  Outcome call(std::string_view service, std::string_view method, Invocation&& inv, const ContextData& context,
               const CallOptions& options) override;
  RpcFuture call_async(std::string_view service, std::string_view method, Invocation inv, const ContextData& context,
                       const CallOptions& options) override;
};

/// DispatchedEvent is one event a MockEventPublisher saw.
struct DispatchedEvent {
  std::string source;
  std::string event_type;
  Json payload;
};

/// MockEventPublisher records every dispatched event; publish can be mocked too.
class MockEventPublisher : public EventPublisher {
 public:
  MOCK_METHOD(void, publish, (std::string_view source, std::string_view event_type, Json payload));

  void dispatch(std::string_view source, std::string_view event_type, Json payload, const ContextData& context) override;
  /// events returns a copy of what was dispatched so far, in order.
  std::vector<DispatchedEvent> events() const;

 private:
  mutable std::mutex mutex_;
  std::vector<DispatchedEvent> events_;
};

}  // namespace hypha::testing
