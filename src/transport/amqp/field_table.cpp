#include "field_table.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>

namespace hypha::amqp {
namespace {

amqp_bytes_t copy_bytes(amqp_pool_t* pool, std::string_view text) {
  amqp_bytes_t out{0, nullptr};
  if (text.empty()) return out;
  amqp_pool_alloc_bytes(pool, text.size(), &out);
  if (out.bytes == nullptr) throw std::bad_alloc();
  std::memcpy(out.bytes, text.data(), text.size());
  return out;
}

template <class T>
T* alloc_array(amqp_pool_t* pool, std::size_t n) {
  if (n == 0) return nullptr;
  void* p = amqp_pool_alloc(pool, n * sizeof(T));
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<T*>(p);
}

amqp_field_value_t to_field(amqp_pool_t* pool, const Json& v);

amqp_table_t to_table(amqp_pool_t* pool, const Json& object) {
  amqp_table_t table{0, nullptr};
  if (!object.is_object()) return table;
  std::size_t n = 0;
  for (const auto& item : object) n += item.is_null() ? 0 : 1;
  table.entries = alloc_array<amqp_table_entry_t>(pool, n);
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it->is_null()) continue;
    amqp_table_entry_t& entry = table.entries[table.num_entries++];
    entry.key = copy_bytes(pool, it.key());
    entry.value = to_field(pool, *it);
  }
  return table;
}

amqp_field_value_t to_field(amqp_pool_t* pool, const Json& v) {
  amqp_field_value_t f{};
  switch (v.type()) {
    case Json::value_t::boolean:
      f.kind = AMQP_FIELD_KIND_BOOLEAN;
      f.value.boolean = v.get<bool>() ? 1 : 0;
      break;
    case Json::value_t::number_integer: {
      const auto n = v.get<std::int64_t>();
      if (n >= std::numeric_limits<std::int32_t>::min() && n <= std::numeric_limits<std::int32_t>::max()) {
        f.kind = AMQP_FIELD_KIND_I32;
        f.value.i32 = static_cast<std::int32_t>(n);
      } else {
        f.kind = AMQP_FIELD_KIND_I64;
        f.value.i64 = n;
      }
      break;
    }
    case Json::value_t::number_unsigned: {
      const auto n = v.get<std::uint64_t>();
      if (n <= static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
        f.kind = AMQP_FIELD_KIND_I32;
        f.value.i32 = static_cast<std::int32_t>(n);
      } else if (n <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        f.kind = AMQP_FIELD_KIND_I64;
        f.value.i64 = static_cast<std::int64_t>(n);
      } else {
        f.kind = AMQP_FIELD_KIND_F64;
        f.value.f64 = static_cast<double>(n);
      }
      break;
    }
    case Json::value_t::number_float:
      f.kind = AMQP_FIELD_KIND_F64;
      f.value.f64 = v.get<double>();
      break;
    case Json::value_t::string:
      f.kind = AMQP_FIELD_KIND_UTF8;
      f.value.bytes = copy_bytes(pool, v.get_ref<const std::string&>());
      break;
    case Json::value_t::array: {
      f.kind = AMQP_FIELD_KIND_ARRAY;
      f.value.array.num_entries = 0;
      f.value.array.entries = alloc_array<amqp_field_value_t>(pool, v.size());
      for (const auto& item : v) f.value.array.entries[f.value.array.num_entries++] = to_field(pool, item);
      break;
    }
    case Json::value_t::object:
      f.kind = AMQP_FIELD_KIND_TABLE;
      f.value.table = to_table(pool, v);
      break;
    default:
      f.kind = AMQP_FIELD_KIND_VOID;
      break;
  }
  return f;
}

// utf8_or_replaced keeps valid UTF-8 and replaces each invalid byte by U+FFFD,
// so that header text can never make a later JSON dump throw.
std::string utf8_or_replaced(const amqp_bytes_t& bytes) {
  std::string_view s(static_cast<const char*>(bytes.bytes), bytes.len);
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = b0 < 0x80 ? 1 : (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = len != 0 && i + len <= s.size();
    std::uint32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace

FieldTable::FieldTable() { init_amqp_pool(&pool_, 1024); }

FieldTable::FieldTable(const Json& object) : FieldTable() {
  try {
    table_ = to_table(&pool_, object);
  } catch (...) {
    empty_amqp_pool(&pool_);
    throw;
  }
}

FieldTable::~FieldTable() { empty_amqp_pool(&pool_); }

FieldTable::FieldTable(FieldTable&& other) noexcept : pool_(other.pool_), table_(other.table_) {
  init_amqp_pool(&other.pool_, 1024);
  other.table_ = amqp_table_t{0, nullptr};
}

Json field_to_json(const amqp_field_value_t& v) {
  switch (v.kind) {
    case AMQP_FIELD_KIND_BOOLEAN: return v.value.boolean != 0;
    case AMQP_FIELD_KIND_I8: return v.value.i8;
    case AMQP_FIELD_KIND_U8: return v.value.u8;
    case AMQP_FIELD_KIND_I16: return v.value.i16;
    case AMQP_FIELD_KIND_U16: return v.value.u16;
    case AMQP_FIELD_KIND_I32: return v.value.i32;
    case AMQP_FIELD_KIND_U32: return v.value.u32;
    case AMQP_FIELD_KIND_I64: return v.value.i64;
    case AMQP_FIELD_KIND_U64: return v.value.u64;
    case AMQP_FIELD_KIND_TIMESTAMP: return v.value.u64;
    case AMQP_FIELD_KIND_F32: return static_cast<double>(v.value.f32);
    case AMQP_FIELD_KIND_F64: return v.value.f64;
    case AMQP_FIELD_KIND_DECIMAL:
      return static_cast<double>(v.value.decimal.value) / std::pow(10.0, v.value.decimal.decimals);
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES: return utf8_or_replaced(v.value.bytes);
    case AMQP_FIELD_KIND_ARRAY: {
      Json out = Json::array();
      for (int i = 0; i < v.value.array.num_entries; ++i) out.push_back(field_to_json(v.value.array.entries[i]));
      return out;
    }
    case AMQP_FIELD_KIND_TABLE: return table_to_json(v.value.table);
    default: return nullptr;
  }
}

Json table_to_json(const amqp_table_t& table) {
  Json out = Json::object();
  for (int i = 0; i < table.num_entries; ++i) {
    const auto& entry = table.entries[i];
    out[utf8_or_replaced(entry.key)] = field_to_json(entry.value);
  }
  return out;
}

Json context_to_headers(const ContextData& context) {
  Json headers = Json::object();
  if (context.values().is_object()) {
    for (auto it = context.values().begin(); it != context.values().end(); ++it) {
      if (it->is_null()) continue;
      std::string key(kHeaderPrefix);
      key += it.key();
      headers[key] = *it;
    }
  }
  if (!context.call_id_stack.empty()) {
    std::string key(kHeaderPrefix);
    key += kCallIdStackKey;
    headers[key] = context.call_id_stack;
  }
  return headers;
}

ContextData headers_to_context(const Json& headers) {
  ContextData context;
  if (!headers.is_object()) return context;
  for (auto it = headers.begin(); it != headers.end(); ++it) {
    std::string_view key = it.key();
    if (key.starts_with("x-hypha-")) continue;
    if (key.starts_with(kHeaderPrefix)) key.remove_prefix(kHeaderPrefix.size());
    if (key == kCallIdStackKey) {
      context.call_id_stack.clear();
      if (it->is_array()) {
        for (const auto& id : *it) {
          if (id.is_string()) context.call_id_stack.push_back(id.get<std::string>());
        }
      } else if (it->is_string()) {
        context.call_id_stack.push_back(it->get<std::string>());
      }
      continue;
    }
    context.set(key, *it);
  }
  return context;
}

}  // namespace hypha::amqp
