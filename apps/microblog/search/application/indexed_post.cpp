#include "search/application/indexed_post.hpp"

#include <algorithm>

namespace microblog::search {

IndexedPost tombstone(const IndexedPost& post) {
    IndexedPost dead;
    dead.id = post.id;
    dead.author = post.author;
    dead.created_ms = post.created_ms;
    dead.version = post.version;
    dead.deleted = true;
    return dead;
}

std::optional<IndexedPost> merge(const std::optional<IndexedPost>& stored, const IndexedPost& incoming) {
    if (!stored) return incoming.deleted ? tombstone(incoming) : incoming;
    if (stored->id != incoming.id || stored->deleted) return std::nullopt;
    if (incoming.deleted) {
        // A delete event knows neither the text nor the version: keep what is stored.
        IndexedPost dead = tombstone(*stored);
        dead.version = std::max(stored->version, incoming.version);
        return dead;
    }
    if (incoming.version > stored->version) return incoming;
    return std::nullopt;
}

}  // namespace microblog::search
