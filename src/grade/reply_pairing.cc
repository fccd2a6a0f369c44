#include "grade/reply_pairing.h"

#include <algorithm>
#include <cstring>

namespace llmstack {

size_t ReplyPairer::KeyHash::operator()(const Key& k) const {
  // Both addresses eight bytes at a time, multiplied in (Fibonacci hashing).
  uint64_t h = uint64_t{k.ident} << 16 | k.seq | uint64_t{k.ipv6} << 32 | uint64_t{k.group} << 33;
  for (const std::array<uint8_t, 16>* a : {&k.src, &k.dst}) {
    for (size_t i = 0; i < 16; i += 8) {
      uint64_t w;
      std::memcpy(&w, a->data() + i, 8);
      h = (h ^ w) * 0x9e3779b97f4a7c15u;
      h ^= h >> 29;
    }
  }
  return static_cast<size_t>(h);
}

ReplyPairer::Key ReplyPairer::RequestKey(const EchoPacket& p) {
  Key k;
  k.ipv6 = p.family == IpFamily::kIpv6;
  ByteView src = p.src(), dst = p.dst();
  if (!src.empty()) std::memcpy(k.src.data(), src.data(), src.size());
  if (!dst.empty()) std::memcpy(k.dst.data(), dst.data(), dst.size());
  k.ident = p.ident;
  k.seq = p.seq;
  return k;
}

ReplyPairer::Key ReplyPairer::AnswerKey(const EchoPacket& p) {
  Key k = RequestKey(p);
  std::swap(k.src, k.dst);
  return k;
}

void ReplyPairer::AddRequest(uint64_t index, const EchoPacket& request) {
  Key k = RequestKey(request);
  if (IsGroupAddress(request.dst())) {
    k.group = true;
    k.dst = {};
  }
  bool added;
  Bucket& bucket = by_key_.ValueAt(by_key_.FindOrAdd(k, &added));
  if (added) {
    bucket.first = index;
  } else {
    bucket.later.push_back(index);
  }
  queue_.push_back({index, k, true});
  ++waiting_;
}

void ReplyPairer::Take(size_t slot, uint64_t index) {
  Bucket& b = by_key_.ValueAt(slot);
  if (b.first == index) {
    if (b.later.empty()) {
      by_key_.Erase(slot);
    } else {
      b.first = b.later.front();
      b.later.erase(b.later.begin());
    }
  } else {
    b.later.erase(std::remove(b.later.begin(), b.later.end(), index), b.later.end());
  }
  // Indexes usually follow one another, so the entry is usually where its index says.
  auto entry = queue_.end();
  if (!queue_.empty() && index >= queue_.front().index &&
      index - queue_.front().index < queue_.size() &&
      queue_[index - queue_.front().index].index == index) {
    entry = queue_.begin() + static_cast<std::ptrdiff_t>(index - queue_.front().index);
  } else {
    entry = std::lower_bound(queue_.begin(), queue_.end(), index,
                             [](const Entry& e, uint64_t i) { return e.index < i; });
  }
  if (entry != queue_.end() && entry->index == index && entry->waiting) {
    entry->waiting = false;
    --waiting_;
  }
  while (!queue_.empty() && !queue_.front().waiting) queue_.pop_front();
}

std::optional<uint64_t> ReplyPairer::TakeFirst(const Key& key) {
  size_t slot = by_key_.Find(key);
  if (slot == ByKey::kNone) return std::nullopt;
  uint64_t index = by_key_.ValueAt(slot).first;
  Take(slot, index);
  return index;
}

std::optional<uint64_t> ReplyPairer::MatchUnchangedType(const EchoPacket& packet) {
  return TakeFirst(AnswerKey(packet));
}

std::optional<uint64_t> ReplyPairer::MatchReply(const EchoPacket& reply) {
  Key want = AnswerKey(reply);
  if (std::optional<uint64_t> exact = TakeFirst(want)) return exact;
  Key group = want;
  group.group = true;
  group.dst = {};
  if (std::optional<uint64_t> to_group = TakeFirst(group)) return to_group;
  // Addresses not swapped (the reply sent the request's way): the two addresses are one
  // mistake, identifier and sequence still name the request. Wireshark pairs these too.
  if (std::optional<uint64_t> unswapped = TakeFirst(RequestKey(reply))) return unswapped;
  // Three of four: source, destination, identifier, sequence.
  for (const Entry& e : queue_) {
    const Key& k = e.key;
    if (!e.waiting || k.ipv6 != want.ipv6 || k.group) continue;
    int same =
        (k.src == want.src) + (k.dst == want.dst) + (k.ident == want.ident) + (k.seq == want.seq);
    if (same >= 3) {
      uint64_t found = e.index;
      Take(by_key_.Find(k), found);
      return found;
    }
  }
  return std::nullopt;
}

std::vector<uint64_t> ReplyPairer::Unanswered() const {
  std::vector<uint64_t> out;
  out.reserve(waiting_);
  for (const Entry& e : queue_) {
    if (e.waiting) out.push_back(e.index);
  }
  return out;
}

}  // namespace llmstack
