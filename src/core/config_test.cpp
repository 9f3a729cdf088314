#include "hypha/core/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "hypha/core/errors.hpp"

namespace {

using hypha::Config;
using hypha::ConfigurationError;
using hypha::Json;
using ::testing::HasSubstr;

// env_of builds an EnvLookup from a fixed map, so tests never touch the process environment.
hypha::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// TempFile writes text to a unique file under the temp directory and removes it after.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("hypha_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + ".yaml"))
                .string();
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(SubstituteEnv, ReplacesSetVariables) {
  auto env = env_of({{"HOST", "db.local"}, {"PORT", "5432"}});
  EXPECT_EQ(hypha::substitute_env("${HOST}:${PORT}", env), "db.local:5432");
  EXPECT_EQ(hypha::substitute_env("no references", env), "no references");
}

TEST(SubstituteEnv, SetVariableWinsOverDefault) {
  auto env = env_of({{"PORT", "5432"}});
  EXPECT_EQ(hypha::substitute_env("${PORT:8000}", env), "5432");
}

TEST(SubstituteEnv, UnsetVariableUsesDefault) {
  EXPECT_EQ(hypha::substitute_env("port=${PORT:8000}", env_of({})), "port=8000");
}

TEST(SubstituteEnv, UnsetVariableWithoutDefaultIsEmpty) {
  EXPECT_EQ(hypha::substitute_env("a${NOPE}b", env_of({})), "ab");
}

TEST(SubstituteEnv, EmptyDefaultIsEmpty) {
  EXPECT_EQ(hypha::substitute_env("[${NOPE:}]", env_of({})), "[]");
}

TEST(SubstituteEnv, DefaultsNest) {
  EXPECT_EQ(hypha::substitute_env("${A:${B:x}}", env_of({})), "x");
  EXPECT_EQ(hypha::substitute_env("${A:${B:x}}", env_of({{"B", "b"}})), "b");
  EXPECT_EQ(hypha::substitute_env("${A:${B:x}}", env_of({{"A", "a"}, {"B", "b"}})), "a");
  EXPECT_EQ(hypha::substitute_env("${A:pre-${B:x}-post}!", env_of({})), "pre-x-post!");
}

TEST(SubstituteEnv, UnterminatedReferenceThrows) {
  EXPECT_THROW(hypha::substitute_env("${HOST", env_of({})), ConfigurationError);
  EXPECT_THROW(hypha::substitute_env("${HOST:abc", env_of({})), ConfigurationError);
}

TEST(Config, SubstitutedTextIsParsedAgainAsYaml) {
  auto config = Config::load_string(
      "port: ${PORT:8000}\n"
      "list: ${L:[a, b]}\n"
      "flag: ${FLAG:true}\n"
      "name: ${NAME:alice}\n",
      "inline.yaml", env_of({}));
  EXPECT_EQ(config.get("port"), Json(8000));
  EXPECT_TRUE(config.get("port").is_number_integer());
  EXPECT_EQ(config.get("list"), Json::array({"a", "b"}));
  EXPECT_EQ(config.get("flag"), Json(true));
  EXPECT_EQ(config.get("name"), Json("alice"));
}

TEST(Config, EnvironmentValueIsParsedAsYamlToo) {
  auto config = Config::load_string("workers: ${WORKERS}\n", "inline.yaml", env_of({{"WORKERS", "12"}}));
  EXPECT_EQ(config.get_int("workers", 1, 1, 100), 12);
}

TEST(Config, UnsetWithoutDefaultBecomesNull) {
  // Nameko: the substituted text "" is YAML for None.
  auto config = Config::load_string("token: ${TOKEN}\n", "inline.yaml", env_of({}));
  EXPECT_TRUE(config.get("token").is_null());
  EXPECT_FALSE(config.has("token"));
  EXPECT_EQ(config.get_string("token", "fallback"), "fallback");
}

TEST(Config, NestedDefaultInFile) {
  auto config = Config::load_string("uri: ${A:${B:x}}\n", "inline.yaml", env_of({{"B", "from-b"}}));
  EXPECT_EQ(config.get("uri"), Json("from-b"));
}

TEST(Config, QuotedScalarsAreNotSubstituted) {
  auto config = Config::load_string(
      "double: \"${PORT:8000}\"\n"
      "single: '${PORT:8000}'\n",
      "inline.yaml", env_of({{"PORT", "1"}}));
  EXPECT_EQ(config.get("double"), Json("${PORT:8000}"));
  EXPECT_EQ(config.get("single"), Json("${PORT:8000}"));
}

TEST(Config, SubstitutionAppliesInsideNestedMapsAndLists) {
  auto config = Config::load_string(
      "db:\n"
      "  host: ${DB_HOST:localhost}\n"
      "  ports:\n"
      "    - ${P1:1}\n"
      "    - ${P2:2}\n",
      "inline.yaml", env_of({{"P2", "20"}}));
  EXPECT_EQ(config.get("db"), (Json{{"host", "localhost"}, {"ports", {1, 20}}}));
}

TEST(Config, EnvVarTagSubstitutesQuotedScalars) {
  auto config = Config::load_string(
      "port: !env_var \"${PORT:8000}\"\n"
      "plain: !env_var \"no refs\"\n",
      "inline.yaml", env_of({}));
  EXPECT_EQ(config.get("port"), Json(8000));
  EXPECT_EQ(config.get("plain"), Json("no refs"));
}

TEST(Config, RawEnvVarTagKeepsTheTextAString) {
  auto config = Config::load_string(
      "port: !raw_env_var ${PORT:8000}\n"
      "list: !raw_env_var \"${L:[a, b]}\"\n",
      "inline.yaml", env_of({}));
  EXPECT_EQ(config.get("port"), Json("8000"));
  EXPECT_EQ(config.get("list"), Json("[a, b]"));
}

TEST(Config, PlainScalarsGetYamlTypes) {
  auto config = Config::load_string(
      "i: 42\n"
      "f: 1.5\n"
      "b: false\n"
      "n: ~\n"
      "s: hello\n"
      "q: \"42\"\n",
      "inline.yaml", env_of({}));
  EXPECT_EQ(config.get("i"), Json(42));
  EXPECT_EQ(config.get("f"), Json(1.5));
  EXPECT_EQ(config.get("b"), Json(false));
  EXPECT_TRUE(config.get("n").is_null());
  EXPECT_EQ(config.get("s"), Json("hello"));
  EXPECT_EQ(config.get("q"), Json("42"));
}

TEST(Config, MalformedYamlFileNamesFileAndLine) {
  TempFile file(
      "max_workers: 4\n"
      "services: [a, b\n"
      "other: 1\n");
  try {
    Config::load_file(file.path(), env_of({}));
    FAIL() << "expected ConfigurationError";
  } catch (const ConfigurationError& e) {
    std::string message = e.what();
    EXPECT_THAT(message, HasSubstr(file.path() + ":"));
    // The error is at or after the unclosed flow sequence on line 2.
    std::size_t after = message.find(file.path() + ":") + file.path().size() + 1;
    int line = std::stoi(message.substr(after));
    EXPECT_GE(line, 2) << message;
    EXPECT_LE(line, 4) << message;
  }
}

TEST(Config, DuplicateKeyNamesFileLineAndKey) {
  try {
    Config::load_string("max_workers: 4\nAMQP:\n  uri: a\n  uri: b\n", "dup.yaml", env_of({}));
    FAIL() << "expected ConfigurationError";
  } catch (const ConfigurationError& e) {
    EXPECT_STREQ(e.what(), "dup.yaml:4: key 'AMQP.uri': given twice in the same mapping");
  }
  EXPECT_THROW(Config::load_string("a: 1\nb: 2\na: 3\n", "dup.yaml", env_of({})), ConfigurationError);
}

TEST(Config, ComplexKeyIsAConfigurationError) {
  try {
    Config::load_string("? [a, b]\n: 1\n", "complex.yaml", env_of({}));
    FAIL() << "expected ConfigurationError";
  } catch (const ConfigurationError& e) {
    EXPECT_THAT(e.what(), HasSubstr("complex.yaml:1: "));
    EXPECT_THAT(e.what(), HasSubstr("a key must be a plain name"));
  }
}

TEST(Config, MissingFileNamesThePath) {
  try {
    Config::load_file("/nonexistent/hypha/config.yaml", env_of({}));
    FAIL() << "expected ConfigurationError";
  } catch (const ConfigurationError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/hypha/config.yaml"));
  }
}

TEST(Config, TopLevelMustBeAMapping) {
  EXPECT_THROW(Config::load_string("- a\n- b\n", "list.yaml", env_of({})), ConfigurationError);
}

TEST(Config, GetIntOnWrongTypeNamesFileLineAndKey) {
  TempFile file(
      "# comment\n"
      "LOG_LEVEL: info\n"
      "max_workers: many\n");
  auto config = Config::load_file(file.path(), env_of({}));
  EXPECT_EQ(config.location("max_workers"), file.path() + ":3");
  try {
    config.get_int("max_workers", 10, 1, 100);
    FAIL() << "expected ConfigurationError";
  } catch (const ConfigurationError& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.path() + ":3"));
    EXPECT_THAT(e.what(), HasSubstr("'max_workers'"));
  }
}

TEST(Config, GetIntOutOfRangeNamesTheKey) {
  auto config = Config::load_string("\nmax_workers: 0\n", "range.yaml", env_of({}));
  try {
    config.get_int("max_workers", 10, 1, 100);
    FAIL() << "expected ConfigurationError";
  } catch (const ConfigurationError& e) {
    EXPECT_THAT(e.what(), HasSubstr("range.yaml:2"));
    EXPECT_THAT(e.what(), HasSubstr("'max_workers'"));
  }
}

TEST(Config, TypedGettersUseFallbackWhenAbsent) {
  Config config;
  EXPECT_EQ(config.get_int("max_workers", 10, 1, 100), 10);
  EXPECT_EQ(config.get_number("RPC_TIMEOUT", 30.0), 30.0);
  EXPECT_EQ(config.get_string("LOG_LEVEL", "info"), "info");
  EXPECT_TRUE(config.get_bool("FLAG", true));
}

TEST(Config, SetOverridesAValue) {
  auto config = Config::load_string("max_workers: 4\n", "inline.yaml", env_of({}));
  config.set("max_workers", 7);
  EXPECT_EQ(config.get_int("max_workers", 10, 1, 100), 7);
}

// A bad value given on the command line is not blamed on the file's line.
TEST(Config, AnErrorAboutASetValueNamesWhereItWasSet) {
  auto config = Config::load_string("max_workers: 4\n", "inline.yaml", env_of({}));
  config.set("max_workers", "abc", "--set");
  try {
    config.get_int("max_workers", 10, 1, 100);
    FAIL() << "no error";
  } catch (const hypha::ConfigurationError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--set: key 'max_workers'", 0), 0u) << e.what();
  }
  EXPECT_EQ(Config().location("x"), "config");  // no file: still a location to name
}

}  // namespace
