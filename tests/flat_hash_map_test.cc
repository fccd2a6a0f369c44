// The pairer's hash map: every operation checked against std::unordered_map, including
// erasures that shift entries back across the end of the slot array.
#include "base/flat_hash_map.h"

#include <catch2/catch.hpp>
#include <random>
#include <unordered_map>

namespace llmstack {
namespace {

// Sends many keys to few home slots, so that probe runs are long and wrap around.
struct CrowdingHash {
  size_t operator()(uint32_t k) const { return k % 7 == 0 ? 15 : k % 5; }
};

TEST_CASE("a flat hash map finds, adds and erases as std::unordered_map does") {
  FlatHashMap<uint32_t, uint64_t, CrowdingHash> map;
  std::unordered_map<uint32_t, uint64_t> reference;
  std::mt19937 random(7);
  for (int step = 0; step < 20000; ++step) {
    uint32_t key = random() % 200;
    size_t slot = map.Find(key);
    auto it = reference.find(key);
    REQUIRE((slot == decltype(map)::kNone) == (it == reference.end()));
    if (it != reference.end()) {
      REQUIRE(map.KeyAt(slot) == key);
      REQUIRE(map.ValueAt(slot) == it->second);
    }
    if (random() % 2 == 0) {
      bool added;
      size_t at = map.FindOrAdd(key, &added);
      REQUIRE(added == (it == reference.end()));
      map.ValueAt(at) = static_cast<uint64_t>(step);
      reference[key] = static_cast<uint64_t>(step);
    } else if (slot != decltype(map)::kNone) {
      map.Erase(slot);
      reference.erase(it);
    }
    REQUIRE(map.size() == reference.size());
  }
  // Everything left is still found, with its value.
  for (const auto& [key, value] : reference) {
    size_t slot = map.Find(key);
    REQUIRE(slot != decltype(map)::kNone);
    CHECK(map.ValueAt(slot) == value);
  }
}

TEST_CASE("a flat hash map holding nothing finds nothing") {
  FlatHashMap<uint32_t, int, std::hash<uint32_t>> map;
  CHECK(map.Find(1) == decltype(map)::kNone);
  bool added;
  size_t slot = map.FindOrAdd(1, &added);
  CHECK(added);
  map.Erase(slot);
  CHECK(map.size() == 0);
  CHECK(map.Find(1) == decltype(map)::kNone);
}

}  // namespace
}  // namespace llmstack
