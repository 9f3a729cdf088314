#include "same_name.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hypha::detail {
namespace {

// Every length around the word sizes the comparison switches on, equal and
// differing at every position (first, middle, the overlapping tail).
TEST(SameNameTest, AgreesWithStringEqualityForEveryLengthAndPosition) {
  for (std::size_t n = 0; n <= 24; ++n) {
    std::string a(n, 'a');
    for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    std::string b = a;  // a distinct buffer
    EXPECT_TRUE(same_name(a, b)) << "length " << n;
    for (std::size_t i = 0; i < n; ++i) {
      std::string c = a;
      c[i] = '#';
      EXPECT_FALSE(same_name(a, c)) << "length " << n << ", byte " << i;
    }
  }
}

TEST(SameNameTest, DifferentLengthsDiffer) {
  EXPECT_FALSE(same_name("echo", "echo2"));
  EXPECT_FALSE(same_name("", "e"));
  EXPECT_TRUE(same_name("", ""));
}

TEST(SameNameTest, ComparesOnlyTheViewedBytes) {
  const std::string long_name = "users_service_extra";
  EXPECT_TRUE(same_name(std::string_view(long_name).substr(0, 5), "users"));
  EXPECT_TRUE(same_name(std::string_view(long_name).substr(6, 7), "service"));
  EXPECT_FALSE(same_name(std::string_view(long_name).substr(6, 7), "servicf"));
}

}  // namespace
}  // namespace hypha::detail
