#include "search/adapters/micropost_json.hpp"

#include "contracts/json_codec.hpp"
#include "contracts/rpc_values.hpp"

namespace microblog::search {
namespace {

hypha::Result<IndexedPost> checked(IndexedPost post) {
    if (auto id = check_post_id(post.id); !id) return tl::unexpected(id.error());
    return post;
}

}  // namespace

hypha::Json micropost_to_json(const IndexedPost& post) {
    return contracts::micropost_value(
        {post.id, post.author, post.text, post.referenced, post.created_ms, post.edited_ms, post.version});
}

hypha::Result<IndexedPost> post_of(const contracts::MicropostCreated& event) {
    return checked(IndexedPost{event.id, event.author, event.text, event.referenced, event.created_ms, std::nullopt,
                               event.version, false});
}

hypha::Result<IndexedPost> post_of(const contracts::MicropostEdited& event) {
    return checked(IndexedPost{event.id, event.author, event.text, event.referenced, event.created_ms, event.edited_ms,
                               event.version, false});
}

}  // namespace microblog::search
