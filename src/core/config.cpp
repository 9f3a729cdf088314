#include "hypha/core/config.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "hypha/core/errors.hpp"

namespace hypha {
namespace {

bool is_name_char(char c) { return c != '{' && c != '}' && c != ':' && !std::isspace(static_cast<unsigned char>(c)); }

// Parses "${NAME}" or "${NAME:default}" starting at text[pos] == '$'.
// Returns the expansion and sets `end` past the closing brace.
std::string expand_reference(std::string_view text, std::size_t pos, std::size_t& end, const EnvLookup& env) {
  std::size_t i = pos + 2;
  std::size_t name_start = i;
  while (i < text.size() && is_name_char(text[i])) ++i;
  std::string name(text.substr(name_start, i - name_start));
  if (i >= text.size()) throw ConfigurationError("unterminated ${" + name + " in '" + std::string(text) + "'");
  if (name.empty()) throw ConfigurationError("empty variable name in '" + std::string(text) + "'");
  std::optional<std::string> fallback;
  if (text[i] == ':') {
    ++i;
    // The default runs to the matching brace; nested ${...} are allowed.
    int depth = 1;
    std::size_t default_start = i;
    while (i < text.size()) {
      if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
        ++depth;
        i += 2;
        continue;
      }
      if (text[i] == '}' && --depth == 0) break;
      ++i;
    }
    if (i >= text.size()) throw ConfigurationError("unterminated ${" + name + ":...} in '" + std::string(text) + "'");
    fallback = substitute_env(text.substr(default_start, i - default_start), env);
  } else if (text[i] != '}') {
    throw ConfigurationError("invalid variable reference in '" + std::string(text) + "'");
  }
  end = i + 1;
  if (auto value = env(name)) return *value;
  return fallback.value_or("");
}

// Plain-scalar type resolution as YAML 1.2 core schema does it.
Json plain_scalar(const std::string& text) {
  static const std::regex int_re("[-+]?[0-9]+");
  static const std::regex hex_re("0x[0-9a-fA-F]+");
  static const std::regex float_re("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (std::regex_match(text, int_re)) {
    try {
      return std::stoll(text);
    } catch (...) {
      return text;
    }
  }
  if (std::regex_match(text, hex_re)) return std::stoll(text, nullptr, 16);
  if (std::regex_match(text, float_re)) return std::stod(text);
  if (text == ".inf" || text == ".Inf") return INFINITY;
  if (text == "-.inf") return -INFINITY;
  return text;
}

}  // namespace

std::optional<std::string> process_env(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string substitute_env(std::string_view text, const EnvLookup& env) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      std::size_t end = i;
      out += expand_reference(text, i, end, env);
      i = end;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

struct ConfigLoader {
  const EnvLookup& env;
  std::string source;

  [[noreturn]] void fail_at(const YAML::Mark& mark, const std::string& key, const std::string& problem) const {
    std::string where = source + ":" + std::to_string(mark.line + 1);
    throw ConfigurationError(where + ": key '" + key + "': " + problem);
  }

  Json convert(const YAML::Node& node, const std::string& key, bool substitute) const {
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Sequence: {
        Json out = Json::array();
        for (const auto& item : node) out.push_back(convert(item, key, substitute));
        return out;
      }
      case YAML::NodeType::Map: {
        Json out = Json::object();
        for (const auto& item : node) {
          if (!item.first.IsScalar()) fail_at(item.first.Mark(), key, "a key must be a plain name, not a list or mapping");
          const std::string& name = item.first.Scalar();
          const std::string full_key = key.empty() ? name : key + "." + name;
          // YAML forbids it, and yaml-cpp would keep one value silently.
          if (out.contains(name)) fail_at(item.first.Mark(), full_key, "given twice in the same mapping");
          out[name] = convert(item.second, full_key, substitute);
        }
        return out;
      }
      case YAML::NodeType::Scalar:
        return scalar(node, key, substitute);
    }
    return nullptr;
  }

  Json scalar(const YAML::Node& node, const std::string& key, bool substitute) const {
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    try {
      if (tag == "!raw_env_var") return substitute_env(text, env);
      bool plain = tag == "?";
      if (substitute && (tag == "!env_var" || (plain && text.find("${") != std::string::npos))) {
        std::string expanded = substitute_env(text, env);
        if (expanded == text) return plain ? plain_scalar(text) : Json(text);
        // The substituted text is YAML again: "8000" is an int, "[a, b]" a list.
        return convert(YAML::Load(expanded), key, false);
      }
    } catch (const ConfigurationError& e) {
      fail_at(node.Mark(), key, e.what());
    } catch (const YAML::Exception& e) {
      fail_at(node.Mark(), key, std::string("substituted value is not valid YAML: ") + e.msg);
    }
    return tag == "?" ? plain_scalar(text) : Json(text);
  }
};

Config::Config(Json values, std::string source) : values_(std::move(values)), source_(std::move(source)) {
  if (values_.is_null()) values_ = Json::object();
  if (!values_.is_object()) throw ConfigurationError(source_ + ": the top level must be a mapping of keys to values");
}

Config Config::load_string(std::string_view yaml, std::string source, const EnvLookup& env) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw ConfigurationError(source + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                             ": " + e.msg);
  }
  if (!root.IsNull() && !root.IsMap()) {
    throw ConfigurationError(source + ":" + std::to_string(root.Mark().line + 1) +
                             ": the top level must be a mapping of keys to values");
  }
  ConfigLoader loader{env, source};
  Config config(loader.convert(root, "", true), source);
  if (root.IsMap()) {
    for (const auto& item : root) config.lines_[item.first.as<std::string>()] = item.first.Mark().line + 1;
  }
  return config;
}

Config Config::load_file(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path);
  if (!in) throw ConfigurationError(path + ": cannot open the config file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return load_string(buffer.str(), path, env);
}

bool Config::has(std::string_view key) const { return values_.contains(key) && !values_.find(key)->is_null(); }

const Json& Config::get(std::string_view key) const {
  static const Json null;
  auto it = values_.find(key);
  return it == values_.end() ? null : *it;
}

void Config::set(std::string_view key, Json value, std::string origin) {
  values_[std::string(key)] = std::move(value);
  lines_.erase(std::string(key));  // no longer the file's value
  origins_[std::string(key)] = origin.empty() ? "set in code" : std::move(origin);
}

std::string Config::location(std::string_view key) const {
  if (auto origin = origins_.find(key); origin != origins_.end()) return origin->second;
  auto it = lines_.find(key);
  if (it == lines_.end()) return source_.empty() ? "config" : source_;
  return source_ + ":" + std::to_string(it->second);
}

void Config::fail(std::string_view key, std::string_view problem) const {
  throw ConfigurationError(location(key) + ": key '" + std::string(key) + "': " + std::string(problem));
}

std::int64_t Config::get_int(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max) const {
  const Json& v = get(key);
  if (v.is_null()) return fallback;
  std::int64_t n = 0;
  if (v.is_number_integer()) {
    n = v.get<std::int64_t>();
  } else if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) {
    n = static_cast<std::int64_t>(v.get<double>());
  } else {
    fail(key, std::string("expected an integer, got ") + v.type_name() + " " + v.dump());
  }
  if (n < min || n > max) {
    fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + std::to_string(n));
  }
  return n;
}

double Config::get_number(std::string_view key, double fallback) const {
  const Json& v = get(key);
  if (v.is_null()) return fallback;
  if (!v.is_number()) fail(key, std::string("expected a number, got ") + v.type_name() + " " + v.dump());
  return v.get<double>();
}

std::string Config::get_string(std::string_view key, std::string_view fallback) const {
  const Json& v = get(key);
  if (v.is_null()) return std::string(fallback);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  fail(key, std::string("expected a string, got ") + v.type_name());
}

bool Config::get_bool(std::string_view key, bool fallback) const {
  const Json& v = get(key);
  if (v.is_null()) return fallback;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    auto s = v.get<std::string>();
    if (s == "true" || s == "1" || s == "yes") return true;
    if (s == "false" || s == "0" || s == "no" || s.empty()) return false;
  }
  if (v.is_number_integer()) return v.get<std::int64_t>() != 0;
  fail(key, "expected true or false, got " + v.dump());
}

}  // namespace hypha
