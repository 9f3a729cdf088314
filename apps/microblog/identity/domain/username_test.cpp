#include "identity/domain/username.hpp"

#include <gtest/gtest.h>

#include <string>

namespace microblog::identity {
namespace {

void expect_rejected(std::string_view raw) {
    const auto parsed = Username::parse(raw);
    ASSERT_FALSE(parsed) << '"' << raw << '"';
    EXPECT_EQ(parsed.error().code, hypha::ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().message.rfind("username: ", 0), 0u) << parsed.error().message;
}

TEST(Username, AcceptsThreeAndThirtyCharacters) {
    EXPECT_TRUE(Username::parse("abc"));
    EXPECT_TRUE(Username::parse(std::string(30, 'z')));
}

TEST(Username, RejectsTwoAndThirtyOneCharacters) {
    expect_rejected("ab");
    expect_rejected(std::string(31, 'z'));
    expect_rejected("");
}

TEST(Username, RejectsCharactersOutsideTheAllowedSet) {
    const std::string_view bad_names[] = {"bob-smith", "bob.smith", "bob smith",   " bob",
                                          "bob\n",     "@bob",      "caf\xC3\xA9", "\xC3\xA9\xC3\xA9\xC3\xA9",
                                          "bob%",      {"bo\0b", 4}};
    for (std::string_view bad : bad_names) {
        SCOPED_TRACE(bad);
        expect_rejected(bad);
    }
}

TEST(Username, ExplainsCharactersBeforeLength) {
    // "é" is two bytes but one character: the message must not talk about length.
    const auto parsed = Username::parse("\xC3\xA9");
    ASSERT_FALSE(parsed);
    EXPECT_NE(parsed.error().message.find("only letters"), std::string::npos) << parsed.error().message;
}

TEST(Username, KeepsValueAsTypedAndLowerCasesKey) {
    const auto name = Username::parse("Alice_01");
    ASSERT_TRUE(name);
    EXPECT_EQ(name->value(), "Alice_01");
    EXPECT_EQ(name->key(), "alice_01");
}

TEST(Username, ComparesCaseInsensitively) {
    EXPECT_EQ(*Username::parse("ALICE"), *Username::parse("alice"));
    EXPECT_NE(*Username::parse("alice"), *Username::parse("alice2"));
}

TEST(Username, KeyOfMatchesKeyForValidNames) {
    EXPECT_EQ(Username::key_of("BoB_9"), Username::parse("BoB_9")->key());
    EXPECT_EQ(Username::key_of("Not-Valid"), "not-valid");
}

}  // namespace
}  // namespace microblog::identity
