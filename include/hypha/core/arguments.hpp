// File: arguments.hpp
//
// Typed argument conversion for entrypoint handlers: turns an Invocation into
// the handler's C++ parameters, with Python-like errors that name the argument
// ("hello() missing 1 required positional argument: 'name'",
// "hello(): argument 'name' must be string, not number").
// Internal to the service definition builder; users never call it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "hypha/core/errors.hpp"
#include "hypha/core/invocation.hpp"
#include "hypha/core/json.hpp"

namespace hypha::detail {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

/// ArgumentSource names the handler and its parameters for error messages.
struct ArgumentSource {
  std::string_view method;
  std::span<const std::string> names;  // may be shorter than the parameter list
  std::string name_of(std::size_t index) const;
};

/// check_arity validates counts and keyword names before any conversion.
void check_arity(const ArgumentSource& src, const Invocation& inv, std::size_t total, std::size_t required);

/// find_argument returns the JSON for parameter `index`, or nullptr if absent.
Json* find_argument(const ArgumentSource& src, Invocation& inv, std::size_t index);

[[noreturn]] void throw_argument_type_error(const ArgumentSource& src, std::size_t index, const Json& value,
                                            const char* what);

/// fits_integer reports whether an integer JSON value is representable as T.
template <class T>
bool fits_integer(const Json& value) {
  if (value.is_number_unsigned()) {
    return value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  }
  const auto n = value.get<std::int64_t>();
  if constexpr (std::is_unsigned_v<T>) {
    return n >= 0 && static_cast<std::uint64_t>(n) <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  } else {
    return n >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
           n <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
  }
}

template <class T>
T convert_argument(const ArgumentSource& src, Json* value, std::size_t index) {
  if constexpr (IsOptional<T>::value) {
    if (value == nullptr || value->is_null()) return std::nullopt;
    return T(convert_argument<typename T::value_type>(src, value, index));
  } else if constexpr (std::is_same_v<T, Json>) {
    return std::move(*value);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!value->is_string()) throw_argument_type_error(src, index, *value, "string");
    return std::move(*value->get_ptr<std::string*>());
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!value->is_boolean()) throw_argument_type_error(src, index, *value, "boolean");
    return value->get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!value->is_number_integer()) throw_argument_type_error(src, index, *value, "integer");
    if (!fits_integer<T>(*value)) {  // refuse rather than truncate
      throw_argument_type_error(src, index, *value,
                                ("integer between " + std::to_string(std::numeric_limits<T>::min()) + " and " +
                                 std::to_string(std::numeric_limits<T>::max()))
                                    .c_str());
    }
    return value->get<T>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!value->is_number()) throw_argument_type_error(src, index, *value, "number");
    return value->get<T>();
  } else {
    try {
      return std::move(*value).template get<T>();
    } catch (const Json::exception& e) {
      throw_argument_type_error(src, index, *value, e.what());
    }
  }
}

template <class T>
inline constexpr bool kIsRequired = !IsOptional<T>::value;

/// count_required: parameters up to the last non-optional one are required.
template <class... Params>
constexpr std::size_t count_required() {
  constexpr bool required[] = {kIsRequired<Params>..., false};
  std::size_t count = 0;
  for (std::size_t i = 0; i < sizeof...(Params); ++i) {
    if (required[i]) count = i + 1;
  }
  return count;
}

/// convert_arguments builds the tuple of decayed parameter values.
template <class... Params, std::size_t... I>
std::tuple<Params...> convert_arguments_impl(const ArgumentSource& src, Invocation& inv, std::index_sequence<I...>) {
  return std::tuple<Params...>{convert_argument<Params>(src, find_argument(src, inv, I), I)...};
}

template <class... Params>
std::tuple<Params...> convert_arguments(const ArgumentSource& src, Invocation& inv) {
  check_arity(src, inv, sizeof...(Params), count_required<Params...>());
  return convert_arguments_impl<Params...>(src, inv, std::index_sequence_for<Params...>{});
}

}  // namespace hypha::detail
