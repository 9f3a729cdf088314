#include "identity/domain/password_policy.hpp"

#include "common/domain/utf8.hpp"

namespace microblog::identity {

hypha::Result<void> check_password(std::string_view password) {
    const auto length = count_code_points(password);
    if (!length) return hypha::fail(hypha::ErrorCode::kInvalidArgument, "password: must be valid UTF-8");
    if (*length < kMinPasswordLength) {
        return hypha::fail(hypha::ErrorCode::kInvalidArgument, "password: must be at least 8 characters");
    }
    if (*length > kMaxPasswordLength) {
        return hypha::fail(hypha::ErrorCode::kInvalidArgument, "password: must be at most 128 characters");
    }
    return {};
}

}  // namespace microblog::identity
