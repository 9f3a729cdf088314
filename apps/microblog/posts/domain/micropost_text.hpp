// File: micropost_text.hpp
//
// MicropostText is the value object for what a user writes: well-formed UTF-8,
// 1–255 Unicode code points (an emoji counts once), not only whitespace (by the
// Unicode White_Space property, so U+3000 alone is empty too), and no U+0000,
// which C strings and some clients truncate at. The text is stored exactly as
// written: no trimming, no normalization.
//
//   auto text = microblog::posts::MicropostText::parse("hello @bob");
//   if (!text) return text.error();   // kInvalidArgument, message names `text`
//   text->value();                    // "hello @bob"
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "hypha/core/result.hpp"

namespace microblog::posts {

/// MicropostText is an immutable, valid micropost text.
class MicropostText {
  public:
    /// kMaxLength is the most code points a micropost may have.
    static constexpr std::size_t kMaxLength = 255;

    /// parse() validates `raw`. Returns kInvalidArgument with a message
    /// starting "text: " when it is invalid UTF-8, empty, longer than 255 code
    /// points, only whitespace, or contains U+0000.
    [[nodiscard]] static hypha::Result<MicropostText> parse(std::string_view raw);

    /// value() is the text as written (UTF-8).
    const std::string& value() const noexcept { return value_; }
    /// length() is the number of code points, 1–255.
    std::size_t length() const noexcept { return length_; }

    friend bool operator==(const MicropostText& a, const MicropostText& b) noexcept { return a.value_ == b.value_; }

  private:
    MicropostText(std::string value, std::size_t length) : value_(std::move(value)), length_(length) {}

    std::string value_;
    std::size_t length_;
};

}  // namespace microblog::posts
