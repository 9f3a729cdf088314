// File: json_codec.hpp
//
// Shared JSON helpers for the payload types in contracts/. 64-bit ids travel
// as decimal strings ("7392018374019584") because JavaScript and many JSON
// libraries read numbers as doubles and silently lose precision past 2^53.
// Integers are read strictly (no 1.5, no wrap-around). decode_payload() turns
// nlohmann's exceptions into a hypha::Result, so event handlers can reject a
// bad message without try/catch.
//
//   nlohmann::json j = {{"id", microblog::contracts::id_to_json(id)}};
//   std::uint64_t back = microblog::contracts::id_from_json(j, "id");
//   std::int64_t at = microblog::contracts::int64_from_json(j, "created_ms");
//   auto event = microblog::contracts::decode_payload<MicropostDeleted>(payload);
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "common/domain/decimal.hpp"
#include "hypha/core/result.hpp"

namespace microblog::contracts {

/// id_to_json() renders a 64-bit id as a JSON string of decimal digits.
inline nlohmann::json id_to_json(std::uint64_t id) { return std::to_string(id); }

/// id_from_json() reads the decimal-string id at `object[key]`. Throws
/// nlohmann::json::exception (as every from_json does) when the key is
/// missing, not a string, or not a plain decimal uint64.
inline std::uint64_t id_from_json(const nlohmann::json& object, const char* key) {
    const nlohmann::json& value = object.at(key);
    if (value.is_string()) {
        if (auto id = parse_decimal_u64(value.get_ref<const std::string&>())) return *id;
    }
    throw nlohmann::json::type_error::create(302, std::string(key) + ": must be a string of decimal digits", &value);
}

/// int64_from_json() reads the integer at `object[key]`. Unlike get<int64_t>(),
/// it refuses 1.5 and values beyond int64 instead of truncating or wrapping
/// them. Throws nlohmann::json::exception like every from_json.
inline std::int64_t int64_from_json(const nlohmann::json& object, const char* key) {
    const nlohmann::json& value = object.at(key);
    if (value.is_number_integer()) {
        const bool fits =
            !value.is_number_unsigned() ||
            value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        if (fits) return value.get<std::int64_t>();
    }
    throw nlohmann::json::type_error::create(302, std::string(key) + ": must be a 64-bit integer", &value);
}

/// decode_payload() converts `payload` to T with T's from_json, returning
/// kInvalidArgument with nlohmann's explanation instead of throwing.
template <class T>
hypha::Result<T> decode_payload(const nlohmann::json& payload) {
    try {
        return payload.get<T>();
    } catch (const nlohmann::json::exception& error) {
        return hypha::fail(hypha::ErrorCode::kInvalidArgument, std::string("payload: ") + error.what());
    }
}

}  // namespace microblog::contracts
