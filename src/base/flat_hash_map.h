// A hash map for the per-packet hot path: one flat array of slots, linear probing, deletion
// by shifting later entries back (no tombstones), a power-of-two size kept at most half full.
// Unlike std::unordered_map it allocates nothing per entry and finds a slot without dividing.
// Handles (slot numbers) stay valid until the next insertion or erasure.
#ifndef LLMSTACK_BASE_FLAT_HASH_MAP_H_
#define LLMSTACK_BASE_FLAT_HASH_MAP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace llmstack {

template <typename Key, typename Value, typename Hash>
class FlatHashMap {
 public:
  static constexpr size_t kNone = SIZE_MAX;

  size_t size() const { return size_; }
  // Room for `entries` without growing (the table stays at most half full).
  void Reserve(size_t entries) {
    while (slots_.size() < 2 * entries) Grow();
  }

  // The slot holding `key`, or kNone.
  size_t Find(const Key& key) const {
    if (size_ == 0) return kNone;
    for (size_t i = Home(key);; i = Next(i)) {
      const Slot& s = slots_[i];
      if (!s.entry) return kNone;
      if (s.entry->first == key) return i;
    }
  }

  // The slot holding `key`, adding it with a default Value when it is not there; `*added`
  // says which.
  size_t FindOrAdd(const Key& key, bool* added) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    for (size_t i = Home(key);; i = Next(i)) {
      Slot& s = slots_[i];
      if (!s.entry) {
        s.entry.emplace(key, Value());
        ++size_;
        *added = true;
        return i;
      }
      if (s.entry->first == key) {
        *added = false;
        return i;
      }
    }
  }

  const Key& KeyAt(size_t slot) const { return slots_[slot].entry->first; }
  // Calls f(key, value) for every entry, in no particular order.
  template <typename F>
  void ForEach(F f) const {
    for (const Slot& s : slots_) {
      if (s.entry) f(s.entry->first, s.entry->second);
    }
  }
  Value& ValueAt(size_t slot) { return slots_[slot].entry->second; }
  const Value& ValueAt(size_t slot) const { return slots_[slot].entry->second; }

  // Removes the entry in `slot`, moving back entries whose probe ran through it (Knuth,
  // TAOCP vol. 3, 6.4, Algorithm R).
  void Erase(size_t slot) {
    size_t hole = slot;
    slots_[hole].entry.reset();
    --size_;
    for (size_t i = Next(hole); slots_[i].entry; i = Next(i)) {
      size_t home = Home(slots_[i].entry->first);
      // The entry at i may fill the hole when its home is not cyclically in (hole, i].
      bool reachable = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i);
      if (reachable) {
        slots_[hole].entry = std::move(slots_[i].entry);
        slots_[i].entry.reset();
        hole = i;
      }
    }
  }

 private:
  struct Slot {
    std::optional<std::pair<Key, Value>> entry;
  };

  size_t Home(const Key& key) const { return Hash()(key) & (slots_.size() - 1); }
  size_t Next(size_t i) const { return (i + 1) & (slots_.size() - 1); }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_ = std::vector<Slot>(old.empty() ? 16 : old.size() * 2);
    size_ = 0;
    for (Slot& s : old) {
      if (!s.entry) continue;
      bool added;
      size_t i = FindOrAdd(s.entry->first, &added);
      ValueAt(i) = std::move(s.entry->second);
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace llmstack

#endif  // LLMSTACK_BASE_FLAT_HASH_MAP_H_
