#include "hypha/core/arguments.hpp"

#include <string>

namespace hypha::detail {
namespace {

std::size_t count(const Json& j) { return j.is_array() ? j.size() : 0; }

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::string ArgumentSource::name_of(std::size_t index) const {
  if (index < names.size()) return names[index];
  return "#" + std::to_string(index + 1);
}

void check_arity(const ArgumentSource& src, const Invocation& inv, std::size_t total, std::size_t required) {
  // Positional arguments are an array (or none); keyword arguments an object.
  if (!inv.args.is_null() && !inv.args.is_array()) {
    throw MalformedRequest(std::string(src.method) + "(): positional arguments must be an array, got " +
                           inv.args.type_name());
  }
  if (!inv.kwargs.is_null() && !inv.kwargs.is_object()) {
    throw MalformedRequest(std::string(src.method) + "(): keyword arguments must be an object, got " +
                           inv.kwargs.type_name());
  }
  const std::size_t positional = count(inv.args);
  if (positional > total) {
    throw IncorrectSignature(std::string(src.method) + "() takes " + plural(total, "positional argument") + " but " +
                             std::to_string(positional) + (positional == 1 ? " was" : " were") + " given");
  }
  if (inv.kwargs.is_object()) {
    for (auto it = inv.kwargs.begin(); it != inv.kwargs.end(); ++it) {
      std::size_t index = total;
      for (std::size_t i = 0; i < src.names.size() && i < total; ++i) {
        if (src.names[i] == it.key()) index = i;
      }
      if (index == total) {
        throw IncorrectSignature(std::string(src.method) + "() got an unexpected keyword argument '" + it.key() + "'");
      }
      if (index < positional) {
        throw IncorrectSignature(std::string(src.method) + "() got multiple values for argument '" + it.key() + "'");
      }
    }
  }
  std::string missing;
  std::size_t missing_count = 0;
  for (std::size_t i = positional; i < required; ++i) {
    bool by_name = i < src.names.size() && inv.kwargs.is_object() && inv.kwargs.contains(src.names[i]);
    if (!by_name) {
      if (!missing.empty()) missing += " and ";
      missing += "'" + src.name_of(i) + "'";
      ++missing_count;
    }
  }
  if (missing_count > 0) {
    throw IncorrectSignature(std::string(src.method) + "() missing " + std::to_string(missing_count) +
                             " required positional argument" + (missing_count == 1 ? "" : "s") + ": " + missing);
  }
}

Json* find_argument(const ArgumentSource& src, Invocation& inv, std::size_t index) {
  if (index < count(inv.args)) return &inv.args[index];
  if (index < src.names.size() && inv.kwargs.is_object()) {
    auto it = inv.kwargs.find(src.names[index]);
    if (it != inv.kwargs.end()) return &*it;
  }
  return nullptr;
}

void throw_argument_type_error(const ArgumentSource& src, std::size_t index, const Json& value, const char* what) {
  throw IncorrectSignature(std::string(src.method) + "(): argument '" + src.name_of(index) + "' must be " + what +
                           ", not " + value.type_name());
}

}  // namespace hypha::detail
