#include "search/application/search_use_cases.hpp"

#include <string>

#include "search/domain/search_query.hpp"

namespace microblog::search {

void SearchUseCases::apply_post(const IndexedPost& incoming) {
    const auto next = merge(index_.find(incoming.id), incoming);
    if (next) index_.save(*next);
}

void SearchUseCases::delete_post(std::uint64_t id, std::string_view author) {
    IndexedPost gone;
    gone.id = id;
    gone.author = std::string(author);
    gone.deleted = true;
    apply_post(gone);
}

hypha::Result<SearchPage> SearchUseCases::search(std::optional<std::string_view> text,
                                                 std::optional<std::string_view> username,
                                                 const ListRequest& request) {
    auto query = SearchQuery::parse(text, username);
    if (!query) return tl::unexpected(query.error());
    if (query->matches_nothing()) return SearchPage{};
    return index_.search(*query, request);
}

}  // namespace microblog::search
