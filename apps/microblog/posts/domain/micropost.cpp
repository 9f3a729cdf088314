#include "posts/domain/micropost.hpp"

#include <algorithm>
#include <utility>

#include "common/domain/ascii.hpp"
#include "posts/domain/mentions.hpp"

namespace microblog::posts {

Micropost::Micropost(std::uint64_t id, std::string author, std::string text, std::int64_t created_ms,
                     std::optional<std::int64_t> edited_ms, std::int64_t version)
    : id_(id),
      author_(std::move(author)),
      text_(std::move(text)),
      mentions_(parse_mentions(text_)),
      created_ms_(created_ms),
      edited_ms_(edited_ms),
      version_(version) {}

hypha::Result<Micropost> Micropost::create(std::uint64_t id, std::string_view author, std::string_view raw_text,
                                           std::int64_t now_ms) {
    if (author.empty()) return hypha::fail(hypha::ErrorCode::kInvalidArgument, "author: must not be empty");
    auto text = MicropostText::parse(raw_text);
    if (!text) return tl::unexpected(std::move(text.error()));
    return Micropost(id, std::string(author), text->value(), now_ms, std::nullopt, 1);
}

Micropost Micropost::restore(std::uint64_t id, std::string author, std::string text, std::int64_t created_ms,
                             std::optional<std::int64_t> edited_ms, std::int64_t version) {
    return Micropost(id, std::move(author), std::move(text), created_ms, edited_ms, version);
}

hypha::Result<void> Micropost::edit(std::string_view acting_user, std::string_view raw_text, std::int64_t now_ms) {
    if (!is_author(acting_user)) {
        return hypha::fail(hypha::ErrorCode::kPermissionDenied, "micropost: only its author may edit it");
    }
    auto text = MicropostText::parse(raw_text);
    if (!text) return tl::unexpected(std::move(text.error()));
    text_ = text->value();
    mentions_ = parse_mentions(text_);
    edited_ms_ = std::max(now_ms, created_ms_);
    ++version_;
    return {};
}

hypha::Result<void> Micropost::check_can_delete(std::string_view acting_user) const {
    if (!is_author(acting_user)) {
        return hypha::fail(hypha::ErrorCode::kPermissionDenied, "micropost: only its author may delete it");
    }
    return {};
}

bool Micropost::is_author(std::string_view username) const noexcept {
    return equals_ignoring_ascii_case(username, author_);
}

MicropostCreated Micropost::created_event(std::vector<std::string> referenced) const {
    return {id_, author_, text_, std::move(referenced), created_ms_, version_};
}

MicropostEdited Micropost::edited_event(std::vector<std::string> referenced) const {
    return {id_, author_, text_, std::move(referenced), created_ms_, edited_ms_.value_or(created_ms_), version_};
}

MicropostDeleted Micropost::deleted_event(std::int64_t now_ms) const { return {id_, author_, now_ms}; }

}  // namespace microblog::posts
