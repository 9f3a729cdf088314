#include "common/domain/page_query.hpp"

#include "common/domain/decimal.hpp"

namespace microblog {
namespace {

using hypha::ErrorCode;

std::optional<std::uint64_t> parse_in_range(std::string_view raw, std::uint64_t min, std::uint64_t max) {
    const auto value = parse_decimal_u64(raw);
    if (!value || *value < min || *value > max) return std::nullopt;
    return value;
}

}  // namespace

hypha::Result<PageQuery> PageQuery::parse(std::optional<std::string_view> size, std::optional<std::string_view> before,
                                          std::optional<std::string_view> page) {
    int parsed_size = kDefaultSize;
    if (size) {
        const auto value = parse_in_range(*size, 1, kMaxSize);
        if (!value) return hypha::fail(ErrorCode::kInvalidArgument, "size: must be an integer from 1 to 100");
        parsed_size = static_cast<int>(*value);
    }

    std::optional<std::uint64_t> parsed_before;
    if (before) {
        parsed_before = parse_decimal_u64(*before);
        if (!parsed_before) {
            return hypha::fail(ErrorCode::kInvalidArgument,
                               "before: must be a decimal number (the cursor of a next link)");
        }
        parsed_before = clamp_cursor(*parsed_before);
    }

    std::optional<int> parsed_page;
    if (page) {
        const bool digits_only = !page->empty() && page->find_first_not_of("0123456789") == std::string_view::npos;
        if (!digits_only || page->find_first_not_of('0') == std::string_view::npos) {
            return hypha::fail(ErrorCode::kInvalidArgument, "page: must be an integer of at least 1");
        }
        // A page past kMaxPage is as empty as any page past the end of a list.
        const auto value = parse_decimal_u64(*page);
        parsed_page = value && *value <= static_cast<std::uint64_t>(kMaxPage) ? static_cast<int>(*value) : kMaxPage;
    }

    if (parsed_before && parsed_page) {
        return hypha::fail(ErrorCode::kInvalidArgument, "page: cannot be combined with before");
    }
    return PageQuery(parsed_size, parsed_before, parsed_page);
}

PageQuery PageQuery::first_page(int size) noexcept {
    if (size < 1) size = 1;
    if (size > kMaxSize) size = kMaxSize;
    return PageQuery(size, std::nullopt, std::nullopt);
}

}  // namespace microblog
