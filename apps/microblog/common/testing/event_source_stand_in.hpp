// File: common/testing/event_source_stand_in.hpp
//
// EventSourceStandIn<Source> plays an event source for tests of a service
// that subscribes to it (timeline, search): a service named Source::name
// whose rpc `emit` dispatches an event as that source would, so that the
// subscriber gets real events without the source's own service and data.
//
//   services_->start<TimelineService, PostsStandIn, SocialStandIn>();
//   hypha::testing::entrypoint_hook(services_->container("posts"), "emit")(
//       hypha::Json::array({"micropost_created", payload}));
#pragma once

#include <string>
#include <string_view>

#include "hypha/core/service_definition.hpp"
#include "hypha/dependencies/event_dispatcher.hpp"

namespace microblog::testing {

template <class Source>
class EventSourceStandIn {
 public:
  static constexpr std::string_view name = Source::name;
  static void define(hypha::ServiceSpec<EventSourceStandIn>& s) {
    s.rpc("emit", &EventSourceStandIn::emit, {.params = {"event_type", "payload"}});
    s.dependency("events", &EventSourceStandIn::events_, hypha::event_dispatcher());
  }
  void emit(const std::string& event_type, const hypha::Json& payload) { events_.dispatch(event_type, payload); }
  hypha::EventDispatcher events_;
};

struct PostsSource {
  static constexpr std::string_view name = "posts";
};
struct SocialSource {
  static constexpr std::string_view name = "social";
};
using PostsStandIn = EventSourceStandIn<PostsSource>;
using SocialStandIn = EventSourceStandIn<SocialSource>;

}  // namespace microblog::testing
