// Pairing replies found in a capture with the requests they answer (DESIGN §5): exact match on
// swapped addresses, identifier and sequence, first in first out; then a reply whose addresses
// were not swapped at all; then, for replies that got one of those four wrong, the oldest
// unanswered request that matches three of them. Never by
// checksum: a reply with a wrong checksum must still find its request. A request to a
// multicast or broadcast address is answered from a unicast one (RFC 1122 §3.2.1.3, RFC 4443
// §4.2), so its reply matches on the other three with any source address.
#ifndef LLMSTACK_GRADE_REPLY_PAIRING_H_
#define LLMSTACK_GRADE_REPLY_PAIRING_H_

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "base/flat_hash_map.h"
#include "packet/packet_stream.h"

namespace llmstack {

class ReplyPairer {
 public:
  // Registers a request, known by `index`, that waits for its reply. REQUIRES: `index` is
  // greater than that of every request added before.
  void AddRequest(uint64_t index, const EchoPacket& request);

  // The request `reply` answers: exact key first, then a request to a group address, then the
  // key with the addresses unswapped, then three of four. Removes it.
  std::optional<uint64_t> MatchReply(const EchoPacket& reply);

  // For a request-type packet: the request it would answer if it were a reply whose type was
  // not changed (exact swapped key only). Removes it.
  std::optional<uint64_t> MatchUnchangedType(const EchoPacket& packet);

  // Requests still waiting, oldest first.
  std::vector<uint64_t> Unanswered() const;
  size_t waiting() const { return waiting_; }

 private:
  struct Key {
    bool ipv6 = false;
    bool group = false;  // the request went to a group address; dst is left zero
    std::array<uint8_t, 16> src{}, dst{};
    uint16_t ident = 0, seq = 0;
    bool operator==(const Key& o) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  // The requests waiting under one key, oldest first. Almost always one: repeats are kept
  // aside so that the common case allocates nothing of its own.
  struct Bucket {
    uint64_t first = 0;
    std::vector<uint64_t> later;
  };
  // A request in the order added; `waiting` until it is matched.
  struct Entry {
    uint64_t index = 0;
    Key key;
    bool waiting = true;
  };
  using ByKey = FlatHashMap<Key, Bucket, KeyHash>;

  static Key RequestKey(const EchoPacket& p);  // as the request carries it
  static Key AnswerKey(const EchoPacket& p);   // what the request it answers would carry
  std::optional<uint64_t> TakeFirst(const Key& key);
  // Takes `index` out of the bucket in `slot` of by_key_ (which holds it) and out of the queue.
  void Take(size_t slot, uint64_t index);

  ByKey by_key_;
  std::deque<Entry> queue_;  // oldest first; answered entries leave from the front
  size_t waiting_ = 0;
};

}  // namespace llmstack

#endif  // LLMSTACK_GRADE_REPLY_PAIRING_H_
