#include "audit/working_fit.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "packet/checksum.h"
#include "packet/icmp.h"

namespace llmstack::audit {

namespace {

using Kind = ChecksumKind;
using Subject = ClaimSubject;
using Step = WorkingStep;
using Anchor = WrittenSum;
using AnchorKind = WrittenSumKind;

// The usual ways of summing an ICMP message wrong: the ICMPv6 pseudo-header left out
// (RFC 4443 §2.3), the odd last byte dropped instead of padded (RFC 1071 §4.1), or both.
void AddIcmpVariants(ByteView datagram, const Computation& proper, size_t place,
                     const std::string& about, Subject subject,
                     std::vector<PlacedComputation>* out) {
  Result<EchoPacket> p = EchoPacketFromDatagram(datagram);
  if (!p.ok()) return;
  Bytes message(p->message().begin(), p->message().end());
  PutBe16(message, 2, 0);
  Bytes pseudo;
  std::vector<ChecksumPart> parts =
      IcmpChecksumParts(p->family, p->src(), p->dst(), message, &pseudo);
  auto variant = [&](bool drop_pseudo, bool drop_odd, const char* left_out, const char* why) {
    std::vector<ChecksumPart> kept;
    for (ChecksumPart part : parts) {
      if (drop_pseudo && part.span == ChecksumSpan::kIpv6PseudoHeader) continue;
      if (drop_odd && part.span == ChecksumSpan::kIcmpMessage)
        part.bytes = part.bytes.first(part.bytes.size() - 1);
      kept.push_back(part);
    }
    PlacedComputation v{proper,   place, about + " without " + left_out, subject,
                        left_out, why,   proper.trace.checksum};
    v.computation.trace = ChecksumTrace();
    InternetChecksum(kept, &v.computation.trace);
    out->push_back(std::move(v));
  };
  bool v6 = p->family == IpFamily::kIpv6;
  bool odd = message.size() % 2 == 1;
  if (v6) variant(true, false, "the pseudo-header", "RFC 4443 section 2.3 includes it");
  if (odd)
    variant(false, true, "the odd last byte", "RFC 1071 pads it with a zero byte for the sum");
  if (v6 && odd) {
    variant(true, true, "the pseudo-header and the odd last byte",
            "RFC 4443 section 2.3 includes the one, RFC 1071 pads the other with a zero byte");
  }
}

}  // namespace

std::string Hex(uint64_t v) {
  if (v <= 0xffff) return Hex16(static_cast<uint16_t>(v));
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::vector<PlacedComputation> ComputationsOver(
    const std::vector<std::unique_ptr<DocPacket>>& packets, Profile first_profile) {
  std::vector<PlacedComputation> computations;
  auto add = [&](ByteView datagram, size_t place, const std::string& whose, Subject subject) {
    for (Kind k : {Kind::kIpHeader, Kind::kIcmp}) {
      std::optional<Computation> c = Compute(datagram, k);
      if (!c) continue;
      std::string about = (k == Kind::kIpHeader ? "the header of " : "the message of ") + whose;
      if (k == Kind::kIcmp) AddIcmpVariants(datagram, *c, place, about, subject, &computations);
      computations.push_back({std::move(*c), place, std::move(about), subject});
    }
  };
  for (const auto& p : packets) {
    bool request = p->packet.is_request();
    add(p->packet.datagram, p->begin, p->name, request ? Subject::kRequest : Subject::kReply);
    if (request) {
      Exchange x = MakeExchange(p.get(), nullptr, nullptr, first_profile);
      for (const auto& [profile, bytes] : x.correct) {
        add(bytes, p->begin, "the reply to " + p->name, Subject::kReply);
      }
    }
  }
  return computations;
}

std::vector<const PlacedComputation*> CandidatesFor(const Working& w,
                                                    const std::vector<PlacedComputation>& all) {
  std::vector<std::pair<size_t, const PlacedComputation*>> order;
  for (const PlacedComputation& c : all) {
    if (w.kind && c.computation.kind != *w.kind) continue;
    size_t d =
        c.place == kNone ? kNone - 1 : (c.place > w.begin ? c.place - w.begin : w.begin - c.place);
    order.emplace_back(d, &c);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const PlacedComputation*> out;
  for (const auto& [d, c] : order) out.push_back(c);
  return out;
}

std::vector<std::pair<uint64_t, const Step*>> AddedWords(const std::vector<const Step*>& steps) {
  std::vector<std::pair<uint64_t, const Step*>> words;
  std::optional<uint64_t> total, correct;
  for (const Step* s : steps) {
    if (s->kind != StepKind::kAdd) {
      total = s->written;
      correct = s->correct;
      continue;
    }
    size_t first = 0;
    // The running total carried on: as written, or as it should have been (a slip put right).
    if (total && !s->terms.empty() && (s->terms[0] == *total || s->terms[0] == *correct)) {
      first = 1;
    }
    if (total && *total > 0xffff && s->terms.size() == 2 &&
        ((s->terms[0] == (*total & 0xffff) && s->terms[1] == (*total >> 16)) ||
         (s->terms[1] == (*total & 0xffff) && s->terms[0] == (*total >> 16)))) {
      first = 2;  // the carry folded back in: "0x9ea0 + 0x2"
    }
    for (size_t i = first; i < s->terms.size(); ++i) words.emplace_back(s->terms[i], s);
    total = s->written;
    correct = s->correct;
  }
  return words;
}

Fit FitWorking(const Working& w, const Computation& c, const std::string& about) {
  Fit fit;
  const ChecksumTrace& trace = c.trace;
  auto note_wrong = [&](size_t pos, std::string what) {
    fit.wrong_at.push_back(pos);
    if (pos < fit.wrong_pos) {
      fit.wrong_pos = pos;
      fit.wrong = std::move(what);
    }
  };
  // Words: each added word must be one of the computation's words (in any order).
  std::multiset<uint64_t> available;
  for (const ChecksumWord& cw : trace.words) {
    if (cw.word != 0) available.insert(cw.word);
  }
  std::vector<uint16_t> in_order;
  for (const ChecksumWord& cw : trace.words) {
    if (cw.word != 0) in_order.push_back(cw.word);
  }
  size_t index = 0;
  bool words_wrong = false;
  std::vector<std::pair<uint64_t, const Step*>> added = AddedWords(w.steps);
  // Two or three numbers added are too few to tell a sum of the packet's words from other
  // arithmetic (an incremental update such as "0x54f5 + 0x0800").
  if (added.size() < 4) added.clear();
  for (const auto& [word, step] : added) {
    if (word == 0) continue;
    if (!words_wrong && fit.in_order == index && index < in_order.size() &&
        in_order[index] == word) {
      ++fit.in_order;
    }
    auto it = available.find(word);
    if (it != available.end() && !words_wrong) {
      available.erase(it);
      ++fit.matched;
      ++index;
      continue;
    }
    if (words_wrong) continue;
    words_wrong = true;
    std::string should;
    if (index < in_order.size() && fit.matched == index) {
      // In order so far: name the word that should come next and the field it holds.
      for (const ChecksumWord& cw : trace.words) {
        if (cw.word == 0) continue;
        if (index-- == 0) {
          char buf[48];
          const char* role = ChecksumWordRole(trace.part_spans[cw.part], cw.offset, buf);
          should = ", where " + about + " has " + Hex16(cw.word) + " (" + role + ")";
          break;
        }
      }
    } else {
      should = ", which is not a word of " + about;
    }
    note_wrong(step->begin, "it adds " + Hex(word) + should);
  }
  // Running sums: each must be a partial sum, in order (plain or folded as one goes).
  std::vector<uint64_t> plain, folded;
  uint16_t f = 0;
  for (const ChecksumWord& cw : trace.words) {
    plain.push_back(cw.sum);
    f = OnesComplementAdd(f, cw.word);
    folded.push_back(f);
  }
  size_t last = 0;
  bool started = false;
  size_t stride = 1;
  for (const Anchor& a : w.anchors) {
    if (a.kind != AnchorKind::kRunningSum) continue;
    size_t from = started ? last + 1 : 0;
    size_t found = kNone;
    for (size_t i = from; i < plain.size() && found == kNone; ++i) {
      if (plain[i] == a.value || folded[i] == a.value) found = i;
    }
    if (found == kNone && started && (plain[last] == a.value || folded[last] == a.value))
      found = last;
    if (found != kNone) {
      if (started && found > last) stride = found - last;
      last = found;
      started = true;
      ++fit.matched;
      continue;
    }
    size_t expect = std::min(started ? last + stride : 0, plain.size() - 1);
    note_wrong(a.pos,
               "running sum " + Hex(a.value) + " is not a partial sum of the words of " + about +
                   (started ? "; after " + Hex(plain[last]) + " it should be " + Hex(plain[expect])
                            : "; it should start at " + Hex(plain[expect])));
    break;  // later sums build on the wrong one
  }
  for (const Anchor& a : w.anchors) {
    if (a.kind == AnchorKind::kRunningSum) continue;
    uint64_t want = a.kind == AnchorKind::kTotal    ? trace.sum
                    : a.kind == AnchorKind::kFolded ? trace.folded
                                                    : trace.checksum;
    bool ok = a.value == want || (a.kind == AnchorKind::kTotal && a.value == trace.folded) ||
              (a.kind == AnchorKind::kComplemented &&
               ClaimMatches(static_cast<uint16_t>(a.value), trace.checksum));
    if (ok) {
      ++fit.matched;
      continue;
    }
    const char* what = a.kind == AnchorKind::kTotal    ? "total "
                       : a.kind == AnchorKind::kFolded ? "folded sum "
                                                       : "result ";
    const char* of = a.kind == AnchorKind::kTotal    ? "the sum of the words of "
                     : a.kind == AnchorKind::kFolded ? "the folded sum of "
                                                     : "the checksum of ";
    note_wrong(a.pos, what + Hex(a.value) + " should be " + Hex(want) + ", " + of + about);
  }
  return fit;
}

}  // namespace llmstack::audit
