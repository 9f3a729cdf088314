#include "posts/domain/micropost_text.hpp"

#include "common/domain/utf8.hpp"
#include "common/domain/white_space.hpp"

namespace microblog::posts {
namespace {

hypha::Result<MicropostText> invalid(const char* message) {
    return hypha::fail(hypha::ErrorCode::kInvalidArgument, message);
}

}  // namespace

hypha::Result<MicropostText> MicropostText::parse(std::string_view raw) {
    const auto length = count_code_points(raw);
    if (!length) return invalid("text: must be valid UTF-8");
    if (*length == 0) return invalid("text: must not be empty");
    if (*length > kMaxLength) return invalid("text: must be at most 255 characters");
    if (raw.find('\0') != std::string_view::npos) return invalid("text: must not contain U+0000");
    if (trim_white_space(raw).empty()) return invalid("text: must not be only whitespace");
    return MicropostText(std::string(raw), *length);
}

}  // namespace microblog::posts
