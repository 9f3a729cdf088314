#include "search/application/list_request.hpp"

#include <limits>

#include "common/domain/page_query.hpp"

namespace microblog::search {

hypha::Result<ListRequest> ListRequest::parse(std::optional<int> size, const std::optional<std::string>& before,
                                              std::optional<std::int64_t> offset) {
    std::optional<std::string> size_text;
    if (size) size_text = std::to_string(*size);
    auto query = PageQuery::parse(size_text, before, std::nullopt);
    if (!query) return tl::unexpected(query.error());
    if (offset && *offset < 0) {
        return hypha::fail(hypha::ErrorCode::kInvalidArgument, "offset: must be an integer of at least 0");
    }
    ListRequest request;
    request.size = query->size();
    if (auto cursor = query->before(); cursor && *cursor <= std::numeric_limits<std::int64_t>::max()) {
        request.before = static_cast<std::int64_t>(*cursor);
    }
    request.offset = offset.value_or(0);
    return request;
}

}  // namespace microblog::search
