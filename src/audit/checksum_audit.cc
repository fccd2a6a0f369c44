#include "audit/checksum_audit.h"

#include <algorithm>
#include <memory>
#include <set>
#include <tuple>

#include "audit/audit_exchange.h"
#include "audit/checksum_claims.h"
#include "audit/checksum_working.h"
#include "audit/text_scan.h"
#include "audit/working_fit.h"

namespace llmstack {

namespace {

using Kind = ChecksumKind;
using Subject = ClaimSubject;
using Claim = ChecksumClaim;
using Label = ChecksumLabel;
using Step = WorkingStep;
using Anchor = WrittenSum;
using AnchorKind = WrittenSumKind;
using WorkingItems = WrittenWorking;

// From audit_exchange.h: the packets and what a claim can be about.
using audit::ClaimMatches;
using audit::Computation;
using audit::Compute;
using audit::DocPacket;
using audit::Exchange;
using audit::IsDraft;
using audit::kNone;
using audit::MakeExchange;
using audit::PairsWith;
using audit::PlacedComputation;
using audit::Truth;
using audit::TruthsOf;
// From working_fit.h: the fitting of a working to a computation.
using audit::AddedWords;
using audit::CandidatesFor;
using audit::ComputationsOver;
using audit::Fit;
using audit::FitWorking;
using audit::Hex;
using audit::Working;

std::string KindName(Kind kind, IpFamily family) {
  if (kind == Kind::kIpHeader) return "IP header checksum";
  return family == IpFamily::kIpv6 ? "ICMPv6 checksum" : "ICMP checksum";
}

bool IsPlaceholderValue(uint16_t v) {
  return v == 0xabcd || v == 0x1234 || v == 0xdead || v == 0xbeef || v == 0xcafe;
}

// ---------------------------------------------------------------------------------------------
// The audit of one text
// ---------------------------------------------------------------------------------------------

class TextAudit {
 public:
  TextAudit(std::string_view text, const AuditContext& context)
      : text_(text.substr(0, std::min(text.size(), kMaxScannedText))),
        context_(context),
        scan_(ScanText(text_)) {}

  AuditReport Run();

 private:
  size_t Line(size_t pos) const { return scan_.LineOf(pos); }
  std::string Written(size_t begin, size_t end) const;
  std::string NameAt(const char* role, size_t pos) const {
    return std::string("the ") + role + " at line " + std::to_string(Line(pos));
  }

  void CollectPackets();
  void FindHeadings();
  bool HeadingBetween(size_t a, size_t b) const;
  const DocPacket* Nearest(size_t pos) const;
  Exchange ExchangeFor(size_t pos) const;
  void ReadClaims();
  void JudgeClaim(const Claim& claim_as_written);
  void FindGaps();
  void JudgeWorkings(const WorkingItems& items);
  void JudgeWorking(const Working& w);
  std::vector<const PlacedComputation*> CandidateComputations(const Working& w);

  void Add(size_t pos, AuditVerdict verdict, bool is_claim, std::string message,
           std::string model_message) {
    report_.findings.push_back(
        {Line(pos), verdict, is_claim, std::move(message), std::move(model_message)});
    positions_.push_back(pos);
  }

  std::string_view text_;
  AuditContext context_;
  TextScan scan_;
  std::vector<std::unique_ptr<DocPacket>> packets_;  // text packets in order, then context ones
  const DocPacket* context_request_ = nullptr;
  const DocPacket* context_reply_ = nullptr;
  std::vector<Claim> claims_;
  std::vector<Label> labels_;
  std::vector<size_t> headings_;  // where Markdown headings ("# ...", "## ...") start
  // The checksums workings arrive at ("~0xa30a = 0x5cf5"), to set beside later claims.
  struct WorkingResult {
    size_t pos = 0;
    Kind kind = Kind::kIcmp;
    uint16_t value = 0;
  };
  std::vector<WorkingResult> results_;
  std::vector<PlacedComputation> computations_;  // for workings, built on demand
  bool computations_built_ = false;
  AuditReport report_;
  std::vector<size_t> positions_;
};

std::string TextAudit::Written(size_t begin, size_t end) const {
  std::string s(text_.substr(begin, end - begin));
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  // Runs of spaces from line breaks read as one.
  s.erase(std::unique(s.begin(), s.end(), [](char a, char b) { return a == ' ' && b == ' '; }),
          s.end());
  // A long sum is quoted by its ends.
  if (s.size() > 100) s = s.substr(0, 48) + " ... " + s.substr(s.size() - 40);
  return s;
}

void TextAudit::CollectPackets() {
  for (const TextPacket& tp : scan_.packets) {
    auto p = std::make_unique<DocPacket>();
    p->packet = tp.packet;
    p->begin = tp.begin;
    p->end = tp.end;
    p->name = NameAt(tp.packet.is_request() ? "request" : "reply", tp.begin);
    p->draft = IsDraft(tp.packet);
    packets_.push_back(std::move(p));
  }
  report_.tally.packets = packets_.size();
  if (context_.request) {
    auto p = std::make_unique<DocPacket>();
    p->packet = *context_.request;
    p->name = "the request";
    context_request_ = p.get();
    packets_.push_back(std::move(p));
  }
  if (!context_.written_reply.empty()) {
    Result<EchoPacket> reply = EchoPacketFromDatagram(context_.written_reply);
    if (reply.ok()) {
      auto p = std::make_unique<DocPacket>();
      p->packet = std::move(*reply);
      p->name = "the reply it wrote";
      context_reply_ = p.get();
      packets_.push_back(std::move(p));
    }
  }
}

// Write-ups show a packet and then discuss it, so a packet after a claim counts as twice as
// far as one before it, and one in another section (past a Markdown heading) farther still.
const DocPacket* TextAudit::Nearest(size_t pos) const {
  const DocPacket* best = nullptr;
  size_t best_distance = kNone;
  for (const auto& p : packets_) {
    if (p->begin == kNone) continue;
    size_t d = pos < p->begin ? 2 * (p->begin - pos) : (pos >= p->end ? pos - p->end : 0);
    if (HeadingBetween(pos, p->begin)) d += kMaxScannedText * 4;
    if (d < best_distance) {
      best = p.get();
      best_distance = d;
    }
  }
  return best;
}

Exchange TextAudit::ExchangeFor(size_t pos) const {
  if (context_request_) {
    return MakeExchange(context_request_, context_reply_, nullptr, context_.profile);
  }
  const DocPacket* p = Nearest(pos);
  if (!p) return {};
  const DocPacket* request = nullptr;
  if (p->packet.is_request()) {
    request = p;
  } else {
    // The request it answers: the nearest one before it, else after it.
    size_t best = kNone;
    for (const auto& q : packets_) {
      if (!PairsWith(p->packet, q->packet)) continue;
      size_t d = q->begin <= p->begin ? p->begin - q->begin : (q->begin - p->begin) + text_.size();
      if (d < best) {
        best = d;
        request = q.get();
      }
    }
  }
  const DocPacket* written = (!p->packet.is_request() && !p->draft) ? p : nullptr;
  if (!written && request) {
    for (const auto& q : packets_) {
      if (!q->draft && PairsWith(q->packet, request->packet)) written = q.get();  // the last one
    }
  }
  const DocPacket* lone = (!request && !p->packet.is_request() && p != written) ? p : nullptr;
  return MakeExchange(request, written, lone, context_.profile);
}

void TextAudit::ReadClaims() { ReadChecksumClaims(scan_.tokens, &claims_, &labels_); }

void TextAudit::JudgeClaim(const Claim& claim_as_written) {
  Exchange x = ExchangeFor(claim_as_written.pos);
  IpFamily family = x.request   ? x.request->packet.family
                    : x.written ? x.written->packet.family
                    : x.lone    ? x.lone->packet.family
                                : IpFamily::kIpv4;
  // A claim that names no packet, written next to a reply, is about that reply.
  Claim claim = claim_as_written;
  if (claim.subject == Subject::kUnknown) {
    const DocPacket* nearest = Nearest(claim.pos);
    if (nearest && nearest->packet.is_reply()) claim.subject = Subject::kReply;
  }
  std::optional<Kind> kind = claim.kind;
  if (family == IpFamily::kIpv6) kind = Kind::kIcmp;  // the only checksum IPv6 echo carries
  std::vector<Kind> kinds =
      kind ? std::vector<Kind>{*kind} : std::vector<Kind>{Kind::kIpHeader, Kind::kIcmp};
  std::string claimed = claim.value ? Hex16(*claim.value) : claim.placeholder;
  std::string label = kind ? KindName(*kind, family) : "checksum";
  std::string subject_label = claim.subject == Subject::kRequest ? "the request's " + label : label;

  std::vector<std::pair<Kind, std::vector<Truth>>> truths;
  bool any = false;
  for (Kind k : kinds) {
    truths.emplace_back(k, TruthsOf(x, k));
    any = any || !truths.back().second.empty();
  }
  if (!any) {
    ++report_.tally.unverifiable;
    std::string why = claim.value && IsPlaceholderValue(*claim.value)
                          ? " (" + claimed + " is a placeholder value)"
                          : "";
    Add(claim.pos, AuditVerdict::kUnverifiable, true,
        label + " " + claimed + ": no packet in the text to check it against" + why,
        "claimed " + label + " " + claimed +
            " in its working; there is no packet to check it against");
    return;
  }
  // The value a claim about this subject should state: the request's, or the reply's.
  auto expected_for = [&](const std::vector<Truth>& ts) -> const Truth* {
    for (const Truth& t : ts) {
      if ((claim.subject == Subject::kRequest) == (t.subject == Subject::kRequest)) return &t;
    }
    return ts.empty() ? nullptr : &ts.front();
  };

  // What the reply as written holds in that field, when it is not what was claimed.
  // `wrote` is set when the packet holds something else.
  auto holds_note = [&](Kind k, std::string* free_note, std::string* model_note, uint16_t truth,
                        std::optional<uint16_t>* wrote) {
    if (!x.written || !x.request || claim.subject == Subject::kRequest || !claim.value) return;
    std::optional<Computation> c = Compute(x.written->packet.datagram, k);
    if (!c) return;
    if (c->stored == *claim.value) {
      *model_note = ", and wrote it in the packet";
      return;
    }
    *wrote = c->stored;
    *free_note = "; " + x.written->name + " holds " + Hex16(c->stored);
    *model_note = c->stored == truth || ClaimMatches(c->stored, truth)
                      ? "; wrote the right " + Hex16(c->stored) + " in the packet"
                      : "; wrote " + Hex16(c->stored) + " in the packet";
  };

  if (!claim.value) {
    ++report_.tally.unverifiable;
    const auto& [k, ts] = truths.front();
    const Truth* e = expected_for(ts);
    std::string value =
        e ? ": " + e->about + " has " + KindName(k, e->family) + " " + Hex16(e->value) : "";
    Add(claim.pos, AuditVerdict::kUnverifiable, true,
        label + " " + claimed + " is a placeholder, not a value" + value,
        "wrote the placeholder " + claimed + " for the " + label + " in its working" + value);
    return;
  }
  for (const auto& [k, ts] : truths) {
    for (const Truth& t : ts) {
      if (claim.subject != Subject::kUnknown && claim.subject != t.subject) continue;
      if (!ClaimMatches(*claim.value, t.value)) continue;
      ++report_.tally.claims_right;
      std::string name = KindName(k, t.family);
      std::string other_zero =
          *claim.value != t.value ? " (the other zero of one's complement; it verifies too)" : "";
      std::string free_note, model_note;
      std::optional<uint16_t> wrote;
      holds_note(k, &free_note, &model_note, t.value, &wrote);
      std::string whose = t.subject == Subject::kRequest ? "the request's " + name : name;
      std::string model_message =
          wrote ? "claimed " + whose + " " + claimed + " in its working, wrote " + Hex16(*wrote) +
                      " in the packet"
                : "claimed " + whose + " " + claimed + " in its working: right" + model_note;
      Add(claim.pos, AuditVerdict::kRight, true,
          name + " " + claimed + " is the " + name + " of " + t.about + other_zero + free_note,
          model_message);
      return;
    }
  }
  ++report_.tally.claims_wrong;
  std::string placeholder =
      IsPlaceholderValue(*claim.value) ? " (" + claimed + " is a placeholder value)" : "";
  if (truths.size() == 1) {
    const auto& [k, ts] = truths.front();
    const Truth* e = expected_for(ts);
    std::string name = KindName(k, e->family);
    std::string free_note, model_note;
    std::optional<uint16_t> wrote;
    holds_note(k, &free_note, &model_note, e->value, &wrote);
    std::string whose = claim.subject == Subject::kRequest ? "the request's " + name : name;
    // A claim that is not what the working just before it arrived at.
    const WorkingResult* last = nullptr;
    for (const WorkingResult& wr : results_) {
      if (wr.pos < claim.pos && wr.kind == k && !HeadingBetween(wr.pos, claim.pos)) last = &wr;
    }
    std::string own;
    if (last && last->value != *claim.value && claim.subject != Subject::kRequest) {
      own = "; the working at line " + std::to_string(Line(last->pos)) + " gives " +
            Hex16(last->value);
    }
    Add(claim.pos, AuditVerdict::kWrong, true,
        whose + " " + claimed + ": " + e->about + " has " + name + " " + Hex16(e->value) +
            placeholder + own + free_note,
        "claimed " + whose + " " + claimed + " in its working: the right value is " +
            Hex16(e->value) + placeholder + model_note +
            (own.empty() ? "" : "; its own" + own.substr(5)));
    return;
  }
  // No kind named and the value is neither checksum.
  std::string parts;
  std::string about;
  for (const auto& [k, ts] : truths) {
    const Truth* e = expected_for(ts);
    if (!e) continue;
    if (!parts.empty()) parts += " nor ";
    parts += "the " + KindName(k, e->family) + " (" + Hex16(e->value) + ")";
    about = e->about;
  }
  Add(claim.pos, AuditVerdict::kWrong, true,
      "checksum " + claimed + " is neither " + parts + " of " + about + placeholder,
      "claimed checksum " + claimed + " in its working: it is neither " + parts + placeholder);
}

void TextAudit::FindGaps() {
  std::string lower(text_);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr const char* kPhrases[] = {
      "omitted for brevity", "for brevity",         "omitted",
      "left as an exercise", "skip the arithmetic", "skipping the arithmetic",
      "not shown",           "[calculated]",        "(calculated)"};
  static constexpr const char* kTopics[] = {"checksum", "arithmetic", "calculation", "computation",
                                            "sum",      "math",       "brevity"};
  size_t last_line = 0;
  for (const char* phrase : kPhrases) {
    for (size_t at = lower.find(phrase); at != std::string::npos; at = lower.find(phrase, at + 1)) {
      size_t line = Line(at);
      if (line == last_line) continue;
      size_t begin = scan_.line_starts[line - 1];
      size_t end = line < scan_.line_starts.size() ? scan_.line_starts[line] : lower.size();
      std::string_view whole(lower.data() + begin, end - begin);
      bool about_arithmetic =
          std::any_of(std::begin(kTopics), std::end(kTopics),
                      [&](const char* w) { return whole.find(w) != std::string_view::npos; });
      if (!about_arithmetic) continue;
      bool seen =
          std::any_of(report_.findings.begin(), report_.findings.end(), [&](const AuditFinding& f) {
            return f.line == line && f.verdict == AuditVerdict::kUnverifiable && !f.is_claim;
          });
      if (seen) continue;
      last_line = line;
      ++report_.tally.unverifiable;
      std::string quoted(text_.substr(at, std::string_view(phrase).size()));
      Add(at, AuditVerdict::kUnverifiable, false,
          "\"" + quoted + "\": the arithmetic is left out here, so it cannot be checked",
          "left its arithmetic out (\"" + quoted + "\")");
    }
  }
}

// The computations over the text's packets are built once, on the first working judged.
std::vector<const PlacedComputation*> TextAudit::CandidateComputations(const Working& w) {
  if (!computations_built_) {
    computations_built_ = true;
    computations_ = ComputationsOver(packets_, context_.profile);
  }
  return CandidatesFor(w, computations_);
}

void TextAudit::JudgeWorkings(const WorkingItems& items) {
  // Paragraph breaks split workings.
  std::vector<size_t> paragraph_breaks;
  for (const TextToken& t : scan_.tokens) {
    if (t.kind == TextTokenKind::kBreak && t.line_breaks > 1) paragraph_breaks.push_back(t.begin);
  }
  auto paragraph_between = [&](size_t a, size_t b) {
    auto it = std::upper_bound(paragraph_breaks.begin(), paragraph_breaks.end(), a);
    return it != paragraph_breaks.end() && *it < b;
  };
  auto label_between = [&](size_t a, size_t b) -> const Label* {
    for (const Label& l : labels_) {
      if (l.pos > a && l.pos < b && l.kind) return &l;
    }
    return nullptr;
  };

  struct Item {
    size_t pos, end;
    const Step* step;
    const Anchor* anchor;
  };
  std::vector<Item> all;
  for (const Step& s : items.steps) all.push_back({s.begin, s.end, &s, nullptr});
  for (const Anchor& a : items.sums) all.push_back({a.pos, a.pos, nullptr, &a});
  std::sort(all.begin(), all.end(), [](const Item& a, const Item& b) { return a.pos < b.pos; });

  std::vector<Working> workings;
  for (const Item& item : all) {
    bool same = !workings.empty();
    if (same) {
      Working& w = workings.back();
      const Label* l = label_between(w.end, item.pos);
      same = Line(item.pos) - Line(w.end) <= 3 && !paragraph_between(w.end, item.pos) &&
             !(l && w.kind && l->kind != w.kind);
      if (same && l && !w.kind) {
        w.kind = l->kind;
        w.subject = l->subject;
      }
    }
    if (!same) {
      Working w;
      w.begin = item.pos;
      // The label: the nearest checksum keyword before, in the same paragraph and close by.
      for (const Label& l : labels_) {
        if (l.pos > item.pos) break;
        if (Line(item.pos) - Line(l.pos) <= 4 && !paragraph_between(l.pos, item.pos)) {
          w.kind = l.kind;
          w.subject = l.subject;
        }
      }
      workings.push_back(w);
    }
    Working& w = workings.back();
    if (item.step) w.steps.push_back(item.step);
    if (item.anchor) w.anchors.push_back(*item.anchor);
    w.end = std::max(w.end, item.end);
  }
  for (const Working& w : workings) JudgeWorking(w);
}

void TextAudit::JudgeWorking(const Working& w) {
  size_t arithmetic_wrong = 0;
  const Step* first_wrong = nullptr;
  for (const Step* s : w.steps) {
    if (!s->right) {
      ++arithmetic_wrong;
      if (!first_wrong) first_wrong = s;
    }
  }
  // Steps that stand for sums the computation passes through.
  Working anchored = w;
  for (const Step* s : w.steps) {
    if (s->kind == StepKind::kFold && s->right) {
      anchored.anchors.push_back({s->begin, AnchorKind::kTotal, s->terms[0]});
      if (s->written <= 0xffff)
        anchored.anchors.push_back({s->end, AnchorKind::kFolded, s->written});
    } else if (s->kind == StepKind::kComplement && s->right) {
      anchored.anchors.push_back({s->begin, AnchorKind::kFolded, s->terms[0]});
      anchored.anchors.push_back({s->end, AnchorKind::kComplemented, s->written});
    }
  }
  // Duplicates (a fold's result that is then complemented) count once.
  std::sort(anchored.anchors.begin(), anchored.anchors.end(), [](const Anchor& a, const Anchor& b) {
    return std::tie(a.pos, a.kind, a.value) < std::tie(b.pos, b.kind, b.value);
  });
  std::vector<Anchor> unique;
  for (const Anchor& a : anchored.anchors) {
    bool dup = std::any_of(unique.begin(), unique.end(), [&](const Anchor& u) {
      return u.kind == a.kind && u.value == a.value && u.kind != AnchorKind::kRunningSum;
    });
    if (!dup) unique.push_back(a);
  }
  std::stable_sort(unique.begin(), unique.end(),
                   [](const Anchor& a, const Anchor& b) { return a.pos < b.pos; });
  anchored.anchors = unique;

  // The computation the working fits best.
  const PlacedComputation* best = nullptr;
  Fit best_fit;
  bool has_anchors = !anchored.anchors.empty() || !AddedWords(w.steps).empty();
  if (has_anchors) {
    // Best: the most words and sums explained; then the subject the text names (the reply
    // when it names none); then the words in the packet's own order; then the nearest packet.
    Subject wanted = w.subject == Subject::kUnknown ? Subject::kReply : w.subject;
    auto rank = [&](const Fit& f, const PlacedComputation* c) {
      return std::make_tuple(f.matched, c->subject == wanted, f.in_order, c->left_out == nullptr);
    };
    for (const PlacedComputation* c : CandidateComputations(anchored)) {
      Fit fit = FitWorking(anchored, c->computation, c->about);
      if (!best || rank(fit, c) > rank(best_fit, best)) {
        best = c;
        best_fit = fit;
      }
    }
    // A working that fits nothing and names no checksum cannot be traced to a packet.
    if (best && best_fit.matched == 0 && !w.kind) best = nullptr;
  }

  std::string label = best ? KindName(best->computation.kind, best->computation.family) + " working"
                      : w.kind ? KindName(*w.kind, IpFamily::kIpv4) + " working"
                               : "checksum working";
  // The checksum the working arrives at, for claims made after it.
  std::optional<Kind> result_kind = best ? std::optional<Kind>(best->computation.kind) : w.kind;
  for (const Anchor& a : anchored.anchors) {
    if (a.kind == AnchorKind::kComplemented && result_kind && a.value <= 0xffff) {
      results_.push_back({a.pos, *result_kind, static_cast<uint16_t>(a.value)});
    }
  }
  size_t written_anchors = w.anchors.size();  // the running sums and totals written down
  size_t checked = w.steps.size() + written_anchors;
  report_.tally.steps += checked;
  // Sums that are wrong only because an earlier step was are not counted again.
  size_t anchor_wrong = 0;
  if (best) {
    for (size_t at : best_fit.wrong_at) anchor_wrong += !first_wrong || at < first_wrong->begin;
  }
  // A step whose arithmetic is wrong and which adds a wrong word counts once.
  report_.tally.steps_wrong += std::min(checked, arithmetic_wrong + anchor_wrong);

  if (best && best->left_out && best_fit.matched > 0 && !first_wrong && anchor_wrong == 0) {
    ++report_.tally.steps_wrong;
    std::string should = "; the checksum is " + Hex16(best->proper);
    Add(w.begin, AuditVerdict::kWrong, false,
        label + ": its sums are those of " + best->about + " (" + best->why + ")" + should,
        "its " + label + " leaves out " + best->left_out + " (" + best->why + ")" + should);
    return;
  }
  if (!first_wrong && anchor_wrong == 0) {
    if (checked == 0) return;
    std::string lines = Line(w.begin) == Line(w.end) ? "line " + std::to_string(Line(w.begin))
                                                     : "lines " + std::to_string(Line(w.begin)) +
                                                           "-" + std::to_string(Line(w.end));
    std::string over = best && best_fit.matched > 0 ? ", over " + best->about : "";
    std::string n = std::to_string(checked) + (checked == 1 ? " step" : " steps");
    Add(w.begin, AuditVerdict::kRight, false,
        label + " (" + lines + "): " + n + ", all right" + over,
        "its " + label + " checks out (" + n + over + ")");
    return;
  }
  size_t total_wrong = arithmetic_wrong + anchor_wrong;
  std::string more =
      total_wrong > 1 ? " (" + std::to_string(total_wrong - 1) + " more wrong after it)" : "";
  if (first_wrong && (anchor_wrong == 0 || first_wrong->begin <= best_fit.wrong_pos)) {
    std::string written = Written(first_wrong->begin, first_wrong->end);
    std::string should;
    switch (first_wrong->kind) {
      case StepKind::kAdd:
      case StepKind::kSubtract:
        should = "the result is " + Hex(first_wrong->correct);
        break;
      case StepKind::kFold:
        should = "folding the carry gives " + Hex(first_wrong->correct);
        break;
      case StepKind::kComplement:
        should = "~" + Hex(first_wrong->terms[0]) + " is " + Hex(first_wrong->correct);
        break;
    }
    Add(first_wrong->begin, AuditVerdict::kWrong, false,
        label + ": first wrong step \"" + written + "\": " + should + more,
        "wrote \"" + written + "\" in its working: " + should + more);
    return;
  }
  std::string written_step;
  for (const Step* s : w.steps) {
    if (s->begin == best_fit.wrong_pos) written_step = " \"" + Written(s->begin, s->end) + "\"";
  }
  Add(best_fit.wrong_pos, AuditVerdict::kWrong, false,
      label + ": first wrong step" + written_step + ": " + best_fit.wrong + more,
      "its " + label + " goes wrong at" + (written_step.empty() ? " a step" : written_step) + ": " +
          best_fit.wrong + more);
}

bool TextAudit::HeadingBetween(size_t a, size_t b) const {
  auto heading = std::upper_bound(headings_.begin(), headings_.end(), std::min(a, b));
  return heading != headings_.end() && *heading < std::max(a, b);
}

void TextAudit::FindHeadings() {
  for (size_t start : scan_.line_starts) {
    size_t i = start;
    while (i < text_.size() && text_[i] == '#') ++i;
    if (i > start && i < text_.size() && text_[i] == ' ') headings_.push_back(start);
  }
}

AuditReport TextAudit::Run() {
  FindHeadings();
  CollectPackets();
  ReadClaims();
  FindGaps();
  JudgeWorkings(ReadWorking(scan_.tokens));
  for (const Claim& c : claims_) JudgeClaim(c);
  // In text order.
  std::vector<size_t> order(report_.findings.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return positions_[a] < positions_[b]; });
  std::vector<AuditFinding> sorted;
  for (size_t i : order) sorted.push_back(std::move(report_.findings[i]));
  report_.findings = std::move(sorted);
  return std::move(report_);
}

}  // namespace

const char* AuditVerdictName(AuditVerdict verdict) {
  switch (verdict) {
    case AuditVerdict::kRight:
      return "right";
    case AuditVerdict::kWrong:
      return "WRONG";
    case AuditVerdict::kUnverifiable:
      return "unverifiable";
  }
  return "?";
}

void AuditTally::Add(const AuditTally& other) {
  packets += other.packets;
  claims_right += other.claims_right;
  claims_wrong += other.claims_wrong;
  steps += other.steps;
  steps_wrong += other.steps_wrong;
  unverifiable += other.unverifiable;
}

AuditReport AuditText(std::string_view text, const AuditContext& context) {
  return TextAudit(text, context).Run();
}

std::vector<std::string> AuditModelAnswer(const EchoPacket& request, Profile profile,
                                          const ByteView* reply, std::string_view text,
                                          std::string_view reasoning) {
  AuditContext context;
  context.request = &request;
  context.profile = profile;
  if (reply) context.written_reply = *reply;
  std::vector<std::string> out;
  std::set<std::string> seen;
  // An answer that repeats its reasoning word for word is audited once.
  bool quoted = !reasoning.empty() && text.find(reasoning) != std::string_view::npos;
  for (const auto& [where, body] :
       {std::pair<const char*, std::string_view>{"reasoning", reasoning},
        std::pair<const char*, std::string_view>{"answer", text}}) {
    if (body.empty() || (quoted && body.data() == reasoning.data())) continue;
    AuditReport report = AuditText(body, context);
    for (const AuditFinding& f : report.findings) {
      if (!seen.insert(f.model_message).second) continue;
      out.push_back(std::string(where) + " line " + std::to_string(f.line) + ": " +
                    f.model_message);
    }
  }
  return out;
}

}  // namespace llmstack
