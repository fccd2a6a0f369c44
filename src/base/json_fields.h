// Reading numbers out of untrusted JSON (journals, cache entries, API responses): nlohmann's
// value() converts any number to the type asked for, and a float out of an integer type's
// range (1e85 as "index") is undefined behaviour, and value() throws on a field of another
// type. These take only what fits.
#ifndef LLMSTACK_BASE_JSON_FIELDS_H_
#define LLMSTACK_BASE_JSON_FIELDS_H_

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

namespace llmstack {

// Field `key` of `object` when it is an integer (no fraction, no exponent) that `T` holds;
// otherwise `fallback` (also when `object` is not an object or has no such field).
template <typename T>
T IntegerField(const nlohmann::json& object, const char* key, T fallback) {
  static_assert(std::is_integral_v<T>);
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (it->is_number_unsigned()) {
    uint64_t v = it->template get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) return fallback;
    return static_cast<T>(v);
  }
  if (it->is_number_integer()) {
    int64_t v = it->template get<int64_t>();
    if constexpr (std::is_unsigned_v<T>) {
      if (v < 0 || static_cast<uint64_t>(v) > std::numeric_limits<T>::max()) return fallback;
    } else {
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return fallback;
    }
    return static_cast<T>(v);
  }
  return fallback;
}

// Field `key` of `object` when it is a number (as a double); otherwise `fallback`.
inline double NumberField(const nlohmann::json& object, const char* key, double fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

// Field `key` of `object` when it is a string; otherwise `fallback` (nlohmann's value() throws
// when the field holds another type).
inline std::string TextField(const nlohmann::json& object, const char* key,
                             std::string fallback = "") {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

}  // namespace llmstack

#endif  // LLMSTACK_BASE_JSON_FIELDS_H_
