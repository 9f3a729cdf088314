#include "hypha/http/json_writer.hpp"

#include <gtest/gtest.h>

namespace {

using hypha::Json;
using hypha::JsonWriter;

TEST(JsonWriter, PlacesCommasBetweenMembersAndItems) {
  JsonWriter w;
  w.begin_object().key("a").number(1).key("b").begin_array().number(-2).boolean(true).null().end_array();
  w.key("c").begin_object().end_object().key("d").string("x").end_object();
  EXPECT_EQ(w.take(), R"({"a":1,"b":[-2,true,null],"c":{},"d":"x"})");
}

TEST(JsonWriter, TakeLeavesTheWriterEmptyForTheNextDocument) {
  JsonWriter w;
  w.begin_array().end_array();
  EXPECT_EQ(w.take(), "[]");
  w.string("next");
  EXPECT_EQ(w.take(), R"("next")");
}

TEST(JsonWriter, EscapesStringsAsRfc8259Requires) {
  const std::string text = std::string("quote \" backslash \\ tab \t newline \n nul ") + '\0' + " bell \x07 del \x7f";
  JsonWriter w;
  w.begin_object().key("k\"ey").string(text).end_object();
  const std::string written = w.take();
  EXPECT_EQ(written.find('\n'), std::string::npos) << "no raw control character";
  EXPECT_NE(written.find("\\u0000"), std::string::npos);
  EXPECT_NE(written.find("\\u0007"), std::string::npos);
  EXPECT_EQ(Json::parse(written), (Json{{"k\"ey", text}}));
}

TEST(JsonWriter, KeepsValidUtf8AsIs) {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";  // café € 😀
  JsonWriter w;
  w.string(text);
  EXPECT_EQ(w.take(), "\"" + text + "\"");
}

TEST(JsonWriter, ReplacesInvalidUtf8WithTheReplacementCharacter) {
  const std::string replacement = "\xEF\xBF\xBD";
  struct Case {
    std::string input;
    std::string expected;
  };
  const Case cases[] = {
      {"a\xFF" "b", "a" + replacement + "b"},                       // never valid
      {"\xC3", replacement},                                       // truncated
      {"\xC0\xAF", replacement + replacement},                     // overlong '/'
      {"\xED\xA0\x80", replacement + replacement + replacement},   // a surrogate
      {"\xF4\x90\x80\x80", replacement + replacement + replacement + replacement},  // above U+10FFFF
  };
  for (const auto& c : cases) {
    JsonWriter w;
    w.string(c.input);
    const std::string written = w.take();
    EXPECT_EQ(written, "\"" + c.expected + "\"") << "input bytes: " << c.input.size();
    EXPECT_TRUE(Json::accept(written));
  }
}

TEST(JsonWriter, WritesAnyJsonValueAsDumped) {
  const Json value = {{"list", {1, "two", nullptr}}, {"n", 2.5}};
  JsonWriter w;
  w.begin_array().value(value).number(7).end_array();
  EXPECT_EQ(Json::parse(w.take()), Json::array({value, 7}));
}

}  // namespace
