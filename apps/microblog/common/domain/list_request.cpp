#include "common/domain/list_request.hpp"

#include "common/domain/decimal.hpp"
#include "common/domain/page_query.hpp"

namespace microblog {

hypha::Result<ListRequest> ListRequest::parse(std::optional<int> size, const std::optional<std::string>& before,
                                              std::optional<std::int64_t> offset,
                                              const std::optional<std::string>& after) {
    std::optional<std::string> size_text;
    if (size) size_text = std::to_string(*size);
    auto query = PageQuery::parse(size_text, before, std::nullopt);
    if (!query) return tl::unexpected(query.error());
    if (offset && *offset < 0) {
        return hypha::fail(hypha::ErrorCode::kInvalidArgument, "offset: must be an integer of at least 0");
    }
    ListRequest request;
    request.size = query->size();
    if (auto cursor = query->before()) request.before = static_cast<std::int64_t>(*cursor);  // clamped by parse
    request.offset = offset.value_or(0);
    if (after) {
        const auto cursor = parse_decimal_u64(*after);
        if (!cursor) {
            return hypha::fail(hypha::ErrorCode::kInvalidArgument,
                               "after: must be a decimal number (the cursor of a previous link)");
        }
        if (before || request.offset != 0) {
            return hypha::fail(hypha::ErrorCode::kInvalidArgument, "after: cannot be combined with before or offset");
        }
        // No stored id exceeds INT64_MAX, so a larger cursor leaves nothing newer.
        request.after = static_cast<std::int64_t>(PageQuery::clamp_cursor(*cursor));
    }
    return request;
}

}  // namespace microblog
