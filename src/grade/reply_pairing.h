// Pairing replies found in a capture with the requests they answer (DESIGN §5): exact match on
// swapped addresses, identifier and sequence, first in first out; then a reply whose addresses
// were not swapped at all; then, for replies that got one of those four wrong, the oldest
// unanswered request that matches three of them. Never by
// checksum: a reply with a wrong checksum must still find its request. A request to a
// multicast or broadcast address is answered from a unicast one (RFC 1122 §3.2.1.3, RFC 4443
// §4.2), so its reply matches on the other three with any source address.
//
// A second reply with the exact key of a request already answered is a duplicate of that
// request (ping prints `DUP!`), never the reply of another request: it is not offered to the
// three-of-four fallback. Every operation is amortized constant time: the fallback looks in
// four tables keyed by three of the four fields, not through the waiting requests.
//
// What only a reply that matches no waiting request needs is built when the first such reply
// comes, not for every request: the four partial-key tables (from the requests then waiting,
// kept up until none waits) and the table of answered keys (from the ring of them, kept up
// from then on). Each request goes into each at most once, so the cost stays linear, and a
// capture whose replies all match pays for neither.
#ifndef LLMSTACK_GRADE_REPLY_PAIRING_H_
#define LLMSTACK_GRADE_REPLY_PAIRING_H_

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "base/flat_hash_map.h"
#include "packet/packet_stream.h"

namespace llmstack {

// What a reply answers: a waiting request (which it takes), or a request already answered
// (`duplicate`).
struct ReplyMatch {
  uint64_t request = 0;
  bool duplicate = false;
  bool operator==(const ReplyMatch&) const = default;
};

class ReplyPairer {
 public:
  // How many answered requests are remembered to recognize duplicates of their replies (as
  // many as ping's table of received sequence numbers).
  static constexpr size_t kRememberedAnswers = 65536;

  // Registers a request, known by `index`, that waits for its reply. REQUIRES: `index` is
  // greater than that of every request added before.
  void AddRequest(uint64_t index, const EchoPacket& request);

  // The request `reply` answers: exact key first, then a request to a group address, then the
  // key with the addresses unswapped (each taking the request); then, when one of those keys
  // is that of a request already answered, that request as a duplicate; then three of four
  // (taking the request). None when it answers nothing.
  std::optional<ReplyMatch> MatchReply(const EchoPacket& reply);

  // For a request-type packet: the request it would answer if it were a reply whose type was
  // not changed (exact swapped key only). Removes it.
  std::optional<uint64_t> MatchUnchangedType(const EchoPacket& packet);

  // Requests still waiting, oldest first.
  std::vector<uint64_t> Unanswered() const;
  size_t waiting() const { return waiting_; }
  // Table probes made so far (for tests of the cost per reply).
  uint64_t probes() const { return probes_; }

 private:
  // Which of the four fields a key leaves out (zeroed): the tables of the three-of-four
  // fallback.
  enum class Omitted : uint8_t { kNone, kSrc, kDst, kIdent, kSeq };
  static constexpr Omitted kOmittable[] = {Omitted::kSrc, Omitted::kDst, Omitted::kIdent,
                                           Omitted::kSeq};
  // An address as two 8-byte words (an IPv4 address in the first four bytes, the rest zero),
  // written, compared and hashed a word at a time.
  using AddressWords = std::array<uint64_t, 2>;
  struct Key {
    AddressWords src{}, dst{};
    uint16_t ident = 0, seq = 0;
    bool ipv6 = false;
    bool group = false;  // the request went to a group address; dst is left zero
    Omitted omitted = Omitted::kNone;
    bool operator==(const Key& o) const {
      return ((src[0] ^ o.src[0]) | (src[1] ^ o.src[1]) | (dst[0] ^ o.dst[0]) |
              (dst[1] ^ o.dst[1])) == 0 &&
             ident == o.ident && seq == o.seq && ipv6 == o.ipv6 && group == o.group &&
             omitted == o.omitted;
    }
    Key Without(Omitted field) const;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  // The requests held under one key, oldest first: `first`, then later[later_head...]. The
  // oldest is always still waiting; others may have been taken out of turn (`taken` counts
  // them) and are dropped when they come to the front, or squeezed out when they are most.
  // Almost always one request: the common case allocates nothing of its own.
  struct Bucket {
    uint64_t first = 0;
    std::vector<uint64_t> later;
    size_t later_head = 0;
    size_t taken = 0;
    size_t held() const { return 1 + later.size() - later_head; }
  };
  // A request in the order added; `waiting` until it is matched.
  struct Entry {
    uint64_t index = 0;
    Key key;
    bool waiting = true;
  };
  using ByKey = FlatHashMap<Key, Bucket, KeyHash>;
  struct FingerprintHash {
    size_t operator()(uint64_t fingerprint) const { return static_cast<size_t>(fingerprint); }
  };
  // An answered request's key (its hash) -> its place in `answered_ring_`.
  using AnsweredByFingerprint = FlatHashMap<uint64_t, uint32_t, FingerprintHash>;
  struct AnsweredKey {
    Key key;
    uint64_t index = 0;
  };

  // The key of `p` with its addresses as carried, or swapped. Built in the caller's Key,
  // word by word: a key assembled byte by byte and then copied or hashed in wide loads waits
  // for its stores.
  static Key KeyOf(const EchoPacket& p, bool swapped);
  static Key RequestKey(const EchoPacket& p) { return KeyOf(p, false); }  // as carried
  // What the request `p` answers would carry.
  static Key AnswerKey(const EchoPacket& p) { return KeyOf(p, true); }
  void Hold(ByKey& table, const Key& key, uint64_t index);
  void HoldPartial(const Key& key, uint64_t index);
  // Builds the partial-key tables from the requests waiting now (once per period in which
  // some request waits).
  void IndexPartialKeys();
  Entry* FindEntry(uint64_t index);
  bool IsWaiting(uint64_t index) {
    const Entry* e = FindEntry(index);
    return e && e->waiting;
  }
  std::optional<uint64_t> TakeOldest(const Key& key);  // exact keys
  // Marks the waiting request of `entry` answered and updates its buckets; `exact_slot` is
  // that of its exact key in by_key_ when the caller found it (kNone: looked up here).
  void Take(Entry* entry, size_t exact_slot);
  // The oldest waiting request under `key` in `table`.
  std::optional<uint64_t> OldestIn(const ByKey& table, const Key& key);
  // After request `taken_index`, held in the bucket under `key` (in `slot`) of `table`, was
  // taken.
  void Release(ByKey& table, const Key& key, uint64_t taken_index);
  void ReleaseAt(ByKey& table, size_t slot, uint64_t taken_index);
  void RememberAnswered(const Key& key, uint64_t index);
  // Adds the answered keys not yet in `answered_` to it.
  void IndexAnswered();
  std::optional<uint64_t> AnsweredUnder(const Key& key);

  ByKey by_key_;  // exact keys
  // For unicast requests, the four partial keys; while `partial_indexed_`, every waiting
  // unicast request is held there.
  ByKey partial_by_key_;
  bool partial_indexed_ = false;
  std::deque<Entry> queue_;  // oldest first; answered entries leave from the front
  size_t waiting_ = 0;
  // Keys of answered requests, to tell duplicates: a ring of the last kRememberedAnswers (the
  // n-th answered at n % kRememberedAnswers, the oldest overwritten), its full size reserved on
  // first use so memory does not grow past it; and a table from each key's hash to
  // its place in the ring, holding those numbered below answered_indexed_to_ that are still
  // in the ring.
  AnsweredByFingerprint answered_;
  std::vector<AnsweredKey> answered_ring_;
  uint64_t answered_total_ = 0;
  uint64_t answered_indexed_to_ = 0;
  uint64_t probes_ = 0;
};

}  // namespace llmstack

#endif  // LLMSTACK_GRADE_REPLY_PAIRING_H_
