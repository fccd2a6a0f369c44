#include "reply_pairing.h"

#include <algorithm>
#include <cstring>

namespace llmstack {

size_t ReplyPairer::KeyHash::operator()(const Key& k) const {
  size_t h = std::hash<uint32_t>()(uint32_t{k.ident} << 16 | k.seq);
  for (size_t i = 0; i < 16; ++i) h = h * 131 + (k.src[i] ^ static_cast<uint8_t>(k.dst[i] << 1));
  return h ^ static_cast<size_t>(k.ipv6);
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
  auto [bucket, added] = by_key_.try_emplace(k);
  if (added) {
    bucket->second.first = index;
  } else {
    bucket->second.later.push_back(index);
  }
  by_index_.emplace(index, k);
}

void ReplyPairer::Remove(uint64_t index) {
  auto it = by_index_.find(index);
  if (it == by_index_.end()) return;
  auto bucket = by_key_.find(it->second);
  if (bucket != by_key_.end()) {
    Bucket& b = bucket->second;
    if (b.first == index) {
      if (b.later.empty()) {
        by_key_.erase(bucket);
      } else {
        b.first = b.later.front();
        b.later.erase(b.later.begin());
      }
    } else {
      b.later.erase(std::remove(b.later.begin(), b.later.end(), index), b.later.end());
    }
  }
  by_index_.erase(it);
}

std::optional<uint64_t> ReplyPairer::TakeFirst(const Key& key) {
  auto bucket = by_key_.find(key);
  if (bucket == by_key_.end()) return std::nullopt;
  uint64_t index = bucket->second.first;
  Remove(index);
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
  for (const auto& [index, k] : by_index_) {
    if (k.ipv6 != want.ipv6 || k.group) continue;
    int same = (k.src == want.src) + (k.dst == want.dst) + (k.ident == want.ident) +
               (k.seq == want.seq);
    if (same >= 3) {
      uint64_t found = index;
      Remove(found);
      return found;
    }
  }
  return std::nullopt;
}

std::vector<uint64_t> ReplyPairer::Unanswered() const {
  std::vector<uint64_t> out;
  out.reserve(by_index_.size());
  for (const auto& [index, k] : by_index_) out.push_back(index);
  return out;
}

}  // namespace llmstack
