#include "posts/adapters/micropost_cache.hpp"

namespace microblog::posts {

std::optional<StoredMicropost> MicropostCache::find(std::uint64_t id, std::uint64_t version) const {
  std::lock_guard lock(mutex_);
  if (version != version_) return std::nullopt;
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void MicropostCache::remember(const StoredMicropost& stored, std::uint64_t version) {
  std::lock_guard lock(mutex_);
  if (version < version_) return;
  if (version > version_ || entries_.size() >= kCapacity) {
    entries_.clear();
    version_ = version;
  }
  entries_.insert_or_assign(stored.post.id(), stored);
}

namespace {

class MicropostCacheProvider : public hypha::DependencyProvider<MicropostCache*> {
 public:
  MicropostCache* get_dependency(hypha::WorkerContext&) override { return &cache_; }

 private:
  MicropostCache cache_;
};

}  // namespace

hypha::ProviderFactory<MicropostCache*> micropost_cache() { return hypha::provide<MicropostCacheProvider>(); }

}  // namespace microblog::posts
