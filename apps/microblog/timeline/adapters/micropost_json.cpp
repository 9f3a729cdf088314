#include "timeline/adapters/micropost_json.hpp"

#include <string>

#include "contracts/json_codec.hpp"
#include "contracts/rpc_values.hpp"

namespace microblog::timeline {
namespace {

hypha::Result<TimelinePost> checked(TimelinePost post) {
    if (auto id = check_post_id(post.state.id); !id) return tl::unexpected(id.error());
    return post;
}

}  // namespace

hypha::Json micropost_to_json(const TimelinePost& post) {
    const auto& state = post.state;
    return contracts::micropost_value(
        {state.id, state.author, state.text, post.referenced, state.created_ms, state.edited_ms, state.version});
}

hypha::Result<TimelinePost> micropost_from_json(const hypha::Json& json) {
    try {
        if (!json.is_object()) return hypha::fail(hypha::ErrorCode::kInvalidArgument, "post: must be an object");
        TimelinePost post;
        post.state.id = contracts::id_from_json(json, "id");
        json.at("author").get_to(post.state.author);
        json.at("text").get_to(post.state.text);
        if (json.contains("referenced")) json.at("referenced").get_to(post.referenced);
        post.state.created_ms = contracts::int64_from_json(json, "created_ms");
        if (json.contains("edited_ms") && !json.at("edited_ms").is_null()) {
            post.state.edited_ms = contracts::int64_from_json(json, "edited_ms");
        }
        post.state.version = contracts::int64_from_json(json, "version");
        if (auto ok = checked(post); !ok) {
            return hypha::fail(hypha::ErrorCode::kInvalidArgument, "post: " + ok.error().message);
        }
        return post;
    } catch (const hypha::Json::exception& error) {
        return hypha::fail(hypha::ErrorCode::kInvalidArgument, std::string("post: ") + error.what());
    }
}

hypha::Result<TimelinePost> post_of(const contracts::MicropostCreated& event) {
    return checked(TimelinePost{
        PostSnapshot{event.id, event.author, event.text, event.created_ms, std::nullopt, event.version, false},
        event.referenced});
}

hypha::Result<TimelinePost> post_of(const contracts::MicropostEdited& event) {
    return checked(TimelinePost{
        PostSnapshot{event.id, event.author, event.text, event.created_ms, event.edited_ms, event.version, false},
        event.referenced});
}

}  // namespace microblog::timeline
