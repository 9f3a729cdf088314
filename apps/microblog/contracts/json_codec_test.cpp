#include "contracts/json_codec.hpp"

#include <gtest/gtest.h>

namespace microblog::contracts {
namespace {

using nlohmann::json;

TEST(IdToJson, WritesDecimalString) {
    EXPECT_EQ(id_to_json(7392018374019584), json("7392018374019584"));
    EXPECT_EQ(id_to_json(UINT64_MAX).dump(), "\"18446744073709551615\"");
}

TEST(IdFromJson, ReadsFull64BitPrecision) {
    const json j = {{"id", "18446744073709551615"}, {"small", "0"}};
    EXPECT_EQ(id_from_json(j, "id"), UINT64_MAX);
    EXPECT_EQ(id_from_json(j, "small"), 0u);
}

TEST(IdFromJson, RejectsNumbersAndNonDecimalStrings) {
    for (const json& bad : {json(7392018374019584), json("-1"), json(" 1"), json("1e3"), json(""),
                            json("18446744073709551616"), json(nullptr)}) {
        EXPECT_THROW(id_from_json(json{{"id", bad}}, "id"), json::type_error) << bad.dump();
    }
    EXPECT_THROW(id_from_json(json::object(), "id"), json::out_of_range);
}

TEST(IdFromJson, NamesTheKeyInTheError) {
    try {
        id_from_json(json{{"post_id", 12}}, "post_id");
        FAIL() << "expected an exception";
    } catch (const json::type_error& error) {
        EXPECT_NE(std::string(error.what()).find("post_id: must be a string of decimal digits"), std::string::npos);
    }
}

TEST(Int64FromJson, ReadsIntegersOnly) {
    const json j = {{"neg", -5}, {"max", INT64_MAX}, {"float", 1.5}, {"text", "5"}, {"huge", UINT64_MAX}};
    EXPECT_EQ(int64_from_json(j, "neg"), -5);
    EXPECT_EQ(int64_from_json(j, "max"), INT64_MAX);
    EXPECT_THROW(int64_from_json(j, "float"), json::type_error);
    EXPECT_THROW(int64_from_json(j, "text"), json::type_error);
    EXPECT_THROW(int64_from_json(j, "huge"), json::type_error);
    EXPECT_THROW(int64_from_json(j, "absent"), json::out_of_range);
}

struct Sample {
    std::uint64_t id;
};
void from_json(const json& j, Sample& s) { s.id = id_from_json(j, "id"); }

TEST(DecodePayload, ReturnsValueOrInvalidArgument) {
    EXPECT_EQ(decode_payload<Sample>(json{{"id", "9"}})->id, 9u);
    const auto bad = decode_payload<Sample>(json{{"id", 9}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, hypha::ErrorCode::kInvalidArgument);
    EXPECT_NE(bad.error().message.find("id: must be a string"), std::string::npos) << bad.error().message;
    EXPECT_FALSE(decode_payload<Sample>(json::array()));
}

}  // namespace
}  // namespace microblog::contracts
