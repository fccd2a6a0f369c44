#include "grade/reply_pairing.h"

#include <algorithm>
#include <cstring>

namespace llmstack {

size_t ReplyPairer::KeyHash::operator()(const Key& k) const {
  // Both addresses eight bytes at a time, multiplied in (Fibonacci hashing).
  uint64_t h = uint64_t{k.ident} << 16 | k.seq | uint64_t{k.ipv6} << 32 | uint64_t{k.group} << 33 |
               uint64_t{static_cast<uint8_t>(k.omitted)} << 34;
  for (uint64_t w : {k.src[0], k.src[1], k.dst[0], k.dst[1]}) {
    h = (h ^ w) * 0x9e3779b97f4a7c15u;
    h ^= h >> 29;
  }
  return static_cast<size_t>(h);
}

ReplyPairer::Key ReplyPairer::Key::Without(Omitted field) const {
  Key k = *this;
  k.omitted = field;
  switch (field) {
    case Omitted::kSrc:
      k.src = {};
      break;
    case Omitted::kDst:
      k.dst = {};
      break;
    case Omitted::kIdent:
      k.ident = 0;
      break;
    case Omitted::kSeq:
      k.seq = 0;
      break;
    case Omitted::kNone:
      break;
  }
  return k;
}

namespace {

// The words of a 4- or 16-byte address (any other size: zero).
void SetAddressWords(ByteView address, std::array<uint64_t, 2>* words) {
  uint64_t low = 0, high = 0;
  if (address.size() == 4) {
    uint32_t v;
    std::memcpy(&v, address.data(), 4);
    low = v;
  } else if (address.size() == 16) {
    std::memcpy(&low, address.data(), 8);
    std::memcpy(&high, address.data() + 8, 8);
  }
  (*words)[0] = low;
  (*words)[1] = high;
}

}  // namespace

ReplyPairer::Key ReplyPairer::KeyOf(const EchoPacket& p, bool swapped) {
  Key k;
  k.ipv6 = p.family == IpFamily::kIpv6;
  SetAddressWords(swapped ? p.dst() : p.src(), &k.src);
  SetAddressWords(swapped ? p.src() : p.dst(), &k.dst);
  k.ident = p.ident;
  k.seq = p.seq;
  return k;
}

void ReplyPairer::Hold(ByKey& table, const Key& key, uint64_t index) {
  ++probes_;
  bool added;
  Bucket& bucket = table.ValueAt(table.FindOrAdd(key, &added));
  if (added) {
    bucket.first = index;
  } else {
    bucket.later.push_back(index);
  }
}

void ReplyPairer::HoldPartial(const Key& key, uint64_t index) {
  for (Omitted field : kOmittable) Hold(partial_by_key_, key.Without(field), index);
}

void ReplyPairer::IndexPartialKeys() {
  partial_indexed_ = true;
  for (const Entry& e : queue_) {
    if (e.waiting && !e.key.group) HoldPartial(e.key, e.index);
  }
}

void ReplyPairer::AddRequest(uint64_t index, const EchoPacket& request) {
  Key k = RequestKey(request);
  if (IsGroupAddress(request.dst())) {
    k.group = true;
    k.dst = {};
  }
  Hold(by_key_, k, index);
  if (partial_indexed_ && !k.group) HoldPartial(k, index);
  Entry& entry = queue_.emplace_back();
  entry.index = index;
  entry.key = k;
  ++waiting_;
}

ReplyPairer::Entry* ReplyPairer::FindEntry(uint64_t index) {
  ++probes_;
  if (queue_.empty() || index < queue_.front().index) return nullptr;
  // Indexes usually follow one another, so the entry is usually where its index says.
  uint64_t offset = index - queue_.front().index;
  if (offset < queue_.size() && queue_[offset].index == index) return &queue_[offset];
  auto entry = std::lower_bound(queue_.begin(), queue_.end(), index,
                                [](const Entry& e, uint64_t i) { return e.index < i; });
  return entry != queue_.end() && entry->index == index ? &*entry : nullptr;
}

std::optional<uint64_t> ReplyPairer::OldestIn(const ByKey& table, const Key& key) {
  ++probes_;
  size_t slot = table.Find(key);
  if (slot == ByKey::kNone) return std::nullopt;
  return table.ValueAt(slot).first;  // always waiting (see ReleaseAt)
}

void ReplyPairer::Release(ByKey& table, const Key& key, uint64_t taken_index) {
  ++probes_;
  size_t slot = table.Find(key);
  if (slot != ByKey::kNone) ReleaseAt(table, slot, taken_index);
}

void ReplyPairer::ReleaseAt(ByKey& table, size_t slot, uint64_t taken_index) {
  Bucket& b = table.ValueAt(slot);
  if (b.first == taken_index && b.later_head == b.later.size() && b.taken == 0) {
    table.Erase(slot);  // the one request held (the common case)
    return;
  }
  ++b.taken;
  // Drop taken requests from the front, so that `first` is waiting again.
  while (!IsWaiting(b.first)) {
    --b.taken;
    if (b.later_head == b.later.size()) {
      table.Erase(slot);
      return;
    }
    b.first = b.later[b.later_head++];
  }
  // Squeeze out the dropped front, and taken requests when they are most of what is held.
  if (b.taken * 2 > b.held() && b.held() > 8) {
    auto end = std::remove_if(b.later.begin() + static_cast<std::ptrdiff_t>(b.later_head),
                              b.later.end(), [&](uint64_t i) { return !IsWaiting(i); });
    b.later.erase(end, b.later.end());
    b.later.erase(b.later.begin(), b.later.begin() + static_cast<std::ptrdiff_t>(b.later_head));
    b.later_head = 0;
    b.taken = 0;
  } else if (b.later_head > 8 && b.later_head * 2 > b.later.size()) {
    b.later.erase(b.later.begin(), b.later.begin() + static_cast<std::ptrdiff_t>(b.later_head));
    b.later_head = 0;
  }
}

void ReplyPairer::Take(Entry* e, size_t exact_slot) {
  if (e == nullptr || !e->waiting) return;
  e->waiting = false;
  --waiting_;
  const Key key = e->key;  // the entry may leave the queue below
  const uint64_t index = e->index;
  if (exact_slot == ByKey::kNone) {
    Release(by_key_, key, index);
  } else {
    ReleaseAt(by_key_, exact_slot, index);
  }
  if (partial_indexed_ && !key.group) {
    for (Omitted field : kOmittable) Release(partial_by_key_, key.Without(field), index);
  }
  while (!queue_.empty() && !queue_.front().waiting) queue_.pop_front();
  // With no request waiting every partial bucket is gone (a bucket's first request waits):
  // the next reply that needs them builds them afresh from the requests then waiting.
  if (waiting_ == 0) partial_indexed_ = false;
  RememberAnswered(key, index);
}

void ReplyPairer::RememberAnswered(const Key& key, uint64_t index) {
  // Room for the whole ring on first use, filled as answers come (nothing written twice).
  if (answered_ring_.empty()) answered_ring_.reserve(kRememberedAnswers);
  const size_t place = answered_total_ % kRememberedAnswers;
  if (answered_total_ >= kRememberedAnswers &&
      answered_total_ - kRememberedAnswers < answered_indexed_to_) {
    // The oldest goes from the table too, unless its hash now leads to a newer key.
    ++probes_;
    size_t slot = answered_.Find(KeyHash()(answered_ring_[place].key));
    if (slot != AnsweredByFingerprint::kNone && answered_.ValueAt(slot) == place) {
      answered_.Erase(slot);
    }
  }
  if (place == answered_ring_.size()) {
    answered_ring_.push_back({key, index});
  } else {
    answered_ring_[place] = {key, index};
  }
  ++answered_total_;
}

void ReplyPairer::IndexAnswered() {
  if (answered_.size() == 0) answered_.Reserve(kRememberedAnswers);
  const uint64_t oldest =
      answered_total_ > kRememberedAnswers ? answered_total_ - kRememberedAnswers : 0;
  for (uint64_t n = std::max(answered_indexed_to_, oldest); n < answered_total_; ++n) {
    ++probes_;
    const size_t place = n % kRememberedAnswers;
    bool added;
    answered_.ValueAt(answered_.FindOrAdd(KeyHash()(answered_ring_[place].key), &added)) =
        static_cast<uint32_t>(place);
  }
  answered_indexed_to_ = answered_total_;
}

std::optional<uint64_t> ReplyPairer::AnsweredUnder(const Key& key) {
  ++probes_;
  IndexAnswered();
  size_t slot = answered_.Find(KeyHash()(key));
  if (slot == AnsweredByFingerprint::kNone) return std::nullopt;
  // The hash leads to a place in the ring; the key there must be this one.
  const AnsweredKey& held = answered_ring_[answered_.ValueAt(slot)];
  if (!(held.key == key)) return std::nullopt;
  return held.index;
}

std::optional<uint64_t> ReplyPairer::TakeOldest(const Key& key) {
  ++probes_;
  size_t slot = by_key_.Find(key);
  if (slot == ByKey::kNone) return std::nullopt;
  const uint64_t index = by_key_.ValueAt(slot).first;  // always waiting (see ReleaseAt)
  Take(FindEntry(index), slot);
  return index;
}

std::optional<uint64_t> ReplyPairer::MatchUnchangedType(const EchoPacket& packet) {
  return TakeOldest(AnswerKey(packet));
}

std::optional<ReplyMatch> ReplyPairer::MatchReply(const EchoPacket& reply) {
  Key want = AnswerKey(reply);
  if (std::optional<uint64_t> index = TakeOldest(want)) return ReplyMatch{*index, false};
  Key group = want;
  group.group = true;
  group.dst = {};
  // Addresses not swapped (the reply sent the request's way): the two addresses are one
  // mistake, identifier and sequence still name the request. Wireshark pairs these too.
  Key unswapped = RequestKey(reply);
  for (const Key* key : {&group, &unswapped}) {
    if (std::optional<uint64_t> index = TakeOldest(*key)) return ReplyMatch{*index, false};
  }
  // A reply with the key of a request already answered is a duplicate of it (RFC 792 leaves
  // duplicates possible; ping counts them): not a wrong reply to some other request.
  for (const Key* key : {&want, &group, &unswapped}) {
    if (std::optional<uint64_t> index = AnsweredUnder(*key)) return ReplyMatch{*index, true};
  }
  // Three of four: source, destination, identifier, sequence; the oldest of the candidates.
  if (waiting_ == 0) return std::nullopt;
  if (!partial_indexed_) IndexPartialKeys();
  std::optional<uint64_t> oldest;
  for (Omitted field : kOmittable) {
    std::optional<uint64_t> index = OldestIn(partial_by_key_, want.Without(field));
    if (index && (!oldest || *index < *oldest)) oldest = index;
  }
  if (!oldest) return std::nullopt;
  Take(FindEntry(*oldest), ByKey::kNone);
  return ReplyMatch{*oldest, false};
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
