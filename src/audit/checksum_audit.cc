#include "audit/checksum_audit.h"

#include <algorithm>
#include <optional>
#include <set>

#include "audit/text_audit.h"

namespace llmstack {
namespace audit {

void TextAudit::JudgeClaim(const Claim& claim, bool implicit) {
  if (claim.draft) return;  // the field set to zero before the sum: nothing to check
  if (implicit) {
    // Only a definite outcome is worth a finding; the rest is said by the working's own.
    size_t before = report_.findings.size();
    AuditTally tally = report_.tally;
    JudgeClaim(claim, false);
    // A right one is said by the working's own finding ("arriving at ..."); only a wrong one
    // is a finding of its own.
    bool definite =
        report_.findings.size() > before && report_.findings.back().verdict == AuditVerdict::kWrong;
    if (!definite) {
      report_.findings.resize(before);
      positions_.resize(before);
      report_.tally = tally;
    } else {
      AuditFinding& f = report_.findings.back();
      f.what += " (the result of its working)";
      f.message = "its working arrives at " + f.message;
    }
    return;
  }
  Exchange x = ExchangeFor(claim.pos);
  IpFamily family = FamilyOf(x);
  std::optional<Kind> kind = claim.kind;
  if (family == IpFamily::kIpv6) kind = Kind::kIcmp;  // the only checksum an IPv6 echo carries
  std::vector<Kind> kinds =
      kind ? std::vector<Kind>{*kind} : std::vector<Kind>{Kind::kIpHeader, Kind::kIcmp};
  std::string label = kind ? KindName(*kind, family) : "checksum";
  std::string what = label + " claim";
  std::string claimed = claim.value ? Hex16(*claim.value) : claim.placeholder;

  // The subject: the claim's own words, else its section.
  Subject subject = claim.subject;
  std::string subject_from = "its words";
  // The result of an update written out ("= 0x54f5 + 0x0800 = 0x5cf5") is the new checksum.
  if (subject == Subject::kUnknown && claim.incremental) {
    subject = Subject::kReply;
    subject_from = "the update it is the result of";
  }
  // A value it also wrote into the reply's field is about the reply it wrote.
  if (subject == Subject::kUnknown && claim.value && kind && x.written && x.written != x.request) {
    std::optional<Computation> in_reply = Compute(x.written->packet.datagram, *kind);
    std::optional<Computation> in_request =
        x.request ? Compute(x.request->packet.datagram, *kind) : std::nullopt;
    if (in_reply && in_reply->stored == *claim.value &&
        !(in_request && in_request->stored == *claim.value)) {
      subject = Subject::kReply;
      subject_from = "the value it wrote in the reply";
    }
  }
  if (subject == Subject::kUnknown) {
    size_t lead_line = 0;
    Subject lead = LeadInSubject(claim.pos, &lead_line);
    if (lead != Subject::kUnknown) {
      subject = lead;
      subject_from = "the line leading into it, line " + std::to_string(lead_line);
    } else if (const Section* s = SectionOf(claim.pos); s && s->subject != Subject::kUnknown) {
      subject = s->subject;
      subject_from = "its section at line " + std::to_string(s->line);
    }
  }
  AuditSubject audit_subject = claim.incremental && subject != Subject::kRequest
                                   ? AuditSubject::kIncremental
                                   : ToAuditSubject(subject);

  std::vector<std::pair<Kind, Truth>> truths;
  for (Kind k : kinds) {
    for (Truth& t : TruthsOf(x, k)) truths.emplace_back(k, std::move(t));
  }
  // A request as received also has the value its field holds (which a model restates).
  if (x.request) {
    for (Kind k : kinds) {
      if (auto c = Compute(x.request->packet.datagram, k); c && c->stored != c->trace.checksum) {
        truths.emplace_back(
            k, Truth{c->stored, Subject::kRequest, x.request->name + " (as received)", c->family});
      }
    }
  }
  if (truths.empty()) {
    ++report_.tally.unverified;
    std::string why = claim.value && IsPlaceholderValue(*claim.value)
                          ? " (" + claimed + " is a placeholder value)"
                          : "";
    Add(claim.pos, AuditVerdict::kUnverified, true, what, audit_subject,
        label + " " + claimed + ": no packet in the text to check it against" + why);
    return;
  }
  if (!claim.value) {
    ++report_.tally.unverified;
    const Truth* e = nullptr;
    for (const auto& [k, t] : truths) {
      if (!e && (subject == Subject::kUnknown || t.subject == subject)) e = &t;
    }
    std::string value = e ? ": " + e->about + " has " + Hex16(e->value) : "";
    Add(claim.pos, AuditVerdict::kUnverified, true, what, audit_subject,
        label + " " + claimed + " is a placeholder, not a value" + value);
    return;
  }
  if (claim.verification) {
    // "checksum check: 0xffff": the result of summing a header that holds its checksum.
    bool verifies = false;
    for (const DocPacket* p : {x.request, x.written}) {
      if (!p) continue;
      for (Kind k : kinds) {
        if (auto c = Compute(p->packet.datagram, k)) {
          verifies = verifies || ClaimMatches(c->stored, c->trace.checksum);
        }
      }
    }
    if (verifies) {
      ++report_.tally.claims_right;
      Add(claim.pos, AuditVerdict::kRight, true, label + " check", audit_subject,
          label + " check " + claimed + ": the checksum verifies");
    } else {
      ++report_.tally.unverified;
      Add(claim.pos, AuditVerdict::kUnverified, true, label + " check", audit_subject,
          label + " check " + claimed + ": what was summed cannot be told");
    }
    return;
  }

  auto matching = [&](bool any_subject) -> const std::pair<Kind, Truth>* {
    for (const auto& kt : truths) {
      if (!any_subject && subject != Subject::kUnknown && kt.second.subject != subject) continue;
      if (ClaimMatches(*claim.value, kt.second.value)) return &kt;
    }
    return nullptr;
  };
  const std::pair<Kind, Truth>* match = matching(false);
  // A subject taken from the section is a guess: a value that is the other packet's is right.
  if (!match && claim.subject == Subject::kUnknown) match = matching(true);
  if (match) {
    ++report_.tally.claims_right;
    const auto& [k, t] = *match;
    std::string name = KindName(k, t.family);
    std::string other_zero =
        *claim.value != t.value ? " (the other zero of one's complement; it verifies too)" : "";
    Add(claim.pos, AuditVerdict::kRight, true, name + " claim",
        claim.incremental && t.subject == Subject::kReply ? AuditSubject::kIncremental
                                                          : ToAuditSubject(t.subject),
        name + " " + claimed + " is the " + name + " of " + t.about + other_zero);
    return;
  }
  std::string placeholder =
      IsPlaceholderValue(*claim.value) ? " (" + claimed + " is a placeholder value)" : "";
  // The values it should be, for the subject it is about.
  std::string should;
  std::set<std::pair<int, uint16_t>> said;
  for (const auto& [k, t] : truths) {
    if (subject != Subject::kUnknown && t.subject != subject) continue;
    if (t.about.find(" profile") != std::string::npos) continue;        // other profiles' replies
    if (!said.insert({static_cast<int>(k), t.value}).second) continue;  // one value, said once
    should += (should.empty() ? "" : "; ") + t.about + " has " + KindName(k, t.family) + " " +
              Hex16(t.value);
  }
  if (*claim.value == 0 && subject != Subject::kRequest) {
    // Most often the field set to zero before summing, written without saying so.
    ++report_.tally.unverified;
    Add(claim.pos, AuditVerdict::kUnverified, true, what, audit_subject,
        label +
            " 0x0000: perhaps the field zeroed for the sum; as the reply's checksum it is "
            "wrong (" +
            should + ")");
    return;
  }
  if (subject == Subject::kUnknown || should.empty()) {
    ++report_.tally.unverified;
    Add(claim.pos, AuditVerdict::kUnverified, true, what, audit_subject,
        label + " " + claimed +
            ": which packet it is about cannot be told, and it is none of their checksums" +
            placeholder);
    return;
  }
  ++report_.tally.claims_wrong;
  std::string whose = subject == Subject::kRequest ? "the request's " : "the reply's ";
  Add(claim.pos, AuditVerdict::kWrong, true, what, audit_subject,
      whose + label + " " + claimed + ": " + should + placeholder + " (about the " +
          (subject == Subject::kRequest ? "request" : "reply") + ": " + subject_from + ")");
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
  std::set<size_t> lines_seen;
  for (const char* phrase : kPhrases) {
    for (size_t at = lower.find(phrase); at != std::string::npos; at = lower.find(phrase, at + 1)) {
      size_t line = Line(at);
      if (lines_seen.count(line)) continue;
      size_t begin = scan_.line_starts[line - 1];
      size_t end = line < scan_.line_starts.size() ? scan_.line_starts[line] : lower.size();
      std::string_view whole(lower.data() + begin, end - begin);
      bool about_arithmetic =
          std::any_of(std::begin(kTopics), std::end(kTopics),
                      [&](const char* w) { return whole.find(w) != std::string_view::npos; });
      if (!about_arithmetic) continue;
      lines_seen.insert(line);
      ++report_.tally.unverified;
      std::string quoted(text_.substr(at, std::string_view(phrase).size()));
      Add(at, AuditVerdict::kUnverified, false, "gap", AuditSubject::kUnknown,
          "\"" + quoted + "\": the arithmetic is left out here, so it cannot be checked");
    }
  }
}

static std::string StepShould(const ArithmeticStep& s) {
  switch (s.kind) {
    case StepKind::kAdd:
    case StepKind::kSubtract:
    case StepKind::kMultiply:
      return "the result is " + Hex(s.correct);
    case StepKind::kFold:
      return "folding the carry gives " + Hex(s.correct);
    case StepKind::kSplit:
      return Hex(s.terms[0]) + " is " + Hex(s.terms[0] & 0xffff) + " with a carry of " +
             Hex(s.terms[0] >> 16);
    case StepKind::kComplement:
      return "the complement is " + Hex(s.correct);
  }
  return "";
}

void TextAudit::JudgeWorkings(const std::vector<ArithmeticStep>& steps) {
  // Steps close together, in one paragraph and one section, make one working.
  std::vector<std::vector<const ArithmeticStep*>> workings;
  for (const ArithmeticStep& s : steps) {
    bool same = false;
    if (!workings.empty()) {
      const ArithmeticStep* last = workings.back().back();
      same = Line(s.begin) <= Line(last->end) + 3 && !ParagraphBetween(last->end, s.begin) &&
             !HeadingBetween(last->end, s.begin);
    }
    if (!same) workings.emplace_back();
    workings.back().push_back(&s);
  }
  // What a request's checksum plus 0x0800 is: an incremental update (RFC 1624).
  std::set<uint64_t> request_checksums;
  for (const auto& p : packets_) {
    if (!p->packet.is_request()) continue;
    if (auto c = Compute(p->packet.datagram, Kind::kIcmp)) request_checksums.insert(c->stored);
  }
  for (const auto& w : workings) {
    const ArithmeticStep& first = *w.front();
    const ArithmeticStep& last = *w.back();
    // The checksum it is about: the nearest label before it, in its paragraph.
    std::optional<Kind> kind;
    Subject label_subject = Subject::kUnknown;
    for (const Label& l : labels_) {
      if (l.pos > first.begin) break;
      // In its paragraph, or on the line that leads into it ("For the ICMP checksum it summed
      // ...:", then a blank line, then the working).
      bool lead_in = Line(first.begin) <= Line(l.pos) + 2 && LineEndsWithColon(l.pos);
      if (Line(first.begin) <= Line(l.pos) + 4 &&
          (lead_in || !ParagraphBetween(l.pos, first.begin))) {
        // The nearest that names a kind ("checksum field zeroed" after it names none).
        if (l.kind || !kind) kind = l.kind ? l.kind : kind;
        if (l.subject != Subject::kUnknown) label_subject = l.subject;
      }
    }
    Exchange x = ExchangeFor(first.begin);
    IpFamily family = FamilyOf(x);
    if (family == IpFamily::kIpv6 && kind) kind = Kind::kIcmp;
    std::string label = kind ? KindName(*kind, family) : "checksum";
    AuditSubject subject = ToAuditSubject(label_subject);
    if (subject == AuditSubject::kUnknown) {
      if (const Section* s = SectionOf(first.begin)) subject = ToAuditSubject(s->subject);
    }
    for (const ArithmeticStep* s : w) {
      bool update = std::any_of(s->terms.begin(), s->terms.end(),
                                [&](uint64_t v) { return request_checksums.count(v); }) &&
                    std::any_of(s->terms.begin(), s->terms.end(),
                                [](uint64_t v) { return v == 0x0800 || v == 0xf7ff; });
      if (update) subject = AuditSubject::kIncremental;
    }
    size_t right = 0, wrong = 0, unverified = 0;
    const ArithmeticStep* first_unverified = nullptr;
    for (const ArithmeticStep* s : w) {
      if (s->verdict == StepVerdict::kRight) ++right;
      if (s->verdict == StepVerdict::kUnverified) {
        ++unverified;
        if (!first_unverified) first_unverified = s;
      }
      if (s->verdict != StepVerdict::kWrong) continue;
      ++wrong;
      Add(s->begin, AuditVerdict::kWrong, false, label + " step", subject,
          label + " working: step \"" + Written(s->begin, s->end) +
              "\" does not hold: " + StepShould(*s));
    }
    report_.tally.steps_right += right;
    report_.tally.steps_wrong += wrong;
    report_.tally.unverified += unverified;
    if (first_unverified) {
      std::string n = std::to_string(unverified) + (unverified == 1 ? " step" : " steps");
      Add(first_unverified->begin, AuditVerdict::kUnverified, false, label + " step", subject,
          label + " working: " + n + " cannot be checked (\"" +
              Written(first_unverified->begin, first_unverified->end) +
              "\": " + first_unverified->reason + ")");
    }
    // The checksum the working arrives at: a claim of its own.
    if (last.kind == StepKind::kComplement ||
        (last.kind == StepKind::kSubtract && !last.terms.empty() && last.terms[0] == 0xffff)) {
      // Unless a claim of the same value follows it closely, saying the same.
      bool claimed = std::any_of(claims_.begin(), claims_.end(), [&](const Claim& c) {
        return c.pos > last.result_end && c.value == last.written &&
               Line(c.pos) <= Line(last.result_end) + 3;
      });
      if (!claimed && last.verdict == StepVerdict::kRight && last.written <= 0xffff) {
        // Its kind is a guess from the nearest label: any of the packets' checksums will do.
        // Its subject comes from its section or lead-in, as for a claim that names none.
        Claim c;
        c.pos = last.result_begin;
        c.value = static_cast<uint16_t>(last.written);
        JudgeClaim(c, true);
      }
    }
    if (wrong > 0 || right == 0) continue;
    std::string lines =
        Line(first.begin) == Line(last.end)
            ? "line " + std::to_string(Line(first.begin))
            : "lines " + std::to_string(Line(first.begin)) + "-" + std::to_string(Line(last.end));
    // What it arrives at, when that is one of the exchange's checksums.
    std::string arrives;
    if (last.written <= 0xffff) {
      for (Kind k : {Kind::kIpHeader, Kind::kIcmp}) {
        if (kind && *kind != k) continue;
        for (const Truth& t : TruthsOf(x, k)) {
          if (arrives.empty() && ClaimMatches(static_cast<uint16_t>(last.written), t.value)) {
            arrives = ", arriving at the " + KindName(k, t.family) + " of " + t.about;
          }
        }
      }
    }
    std::string n = std::to_string(right) + (right == 1 ? " step" : " steps");
    Add(first.begin, AuditVerdict::kRight, false, label + " working", subject,
        label + " working (" + lines + "): " + n + ", all right" + arrives);
  }
}

AuditReport TextAudit::Run() {
  CollectPackets();
  FindSections();
  ReadChecksumClaims(scan_.tokens, &claims_, &labels_);
  FindGaps();
  JudgeWorkings(ReadArithmetic(scan_, text_));
  for (const Claim& c : claims_) JudgeClaim(c);
  std::vector<size_t> order(report_.findings.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return positions_[a] < positions_[b]; });
  std::vector<AuditFinding> sorted;
  for (size_t i : order) sorted.push_back(std::move(report_.findings[i]));
  report_.findings = std::move(sorted);
  return std::move(report_);
}

}  // namespace audit

const char* AuditVerdictName(AuditVerdict verdict) {
  switch (verdict) {
    case AuditVerdict::kRight:
      return "right";
    case AuditVerdict::kWrong:
      return "WRONG";
    case AuditVerdict::kUnverified:
      return "unverified";
  }
  return "?";
}

const char* AuditSubjectName(AuditSubject subject) {
  switch (subject) {
    case AuditSubject::kUnknown:
      return "unknown";
    case AuditSubject::kRequest:
      return "request";
    case AuditSubject::kReply:
      return "reply";
    case AuditSubject::kIntermediate:
      return "intermediate";
    case AuditSubject::kIncremental:
      return "incremental";
  }
  return "unknown";
}

void AuditTally::Add(const AuditTally& other) {
  packets += other.packets;
  claims_right += other.claims_right;
  claims_wrong += other.claims_wrong;
  steps_right += other.steps_right;
  steps_wrong += other.steps_wrong;
  unverified += other.unverified;
}

AuditReport AuditText(std::string_view text, const AuditContext& context) {
  return audit::TextAudit(text, context).Run();
}

ModelAnswerAudit AuditModelAnswer(const EchoPacket& request, Profile profile, const ByteView* reply,
                                  std::string_view text, std::string_view reasoning) {
  AuditContext context;
  context.request = &request;
  context.profile = profile;
  if (reply) context.written_reply = *reply;
  ModelAnswerAudit out;
  bool quoted = !reasoning.empty() && text.find(reasoning) != std::string_view::npos;
  for (const auto& [where, body] :
       {std::pair<const char*, std::string_view>{"reasoning", reasoning},
        std::pair<const char*, std::string_view>{"answer", text}}) {
    if (body.empty() || (quoted && body.data() == reasoning.data())) continue;
    AuditReport report = AuditText(body, context);
    report.tally.packets = 0;
    out.tally.Add(report.tally);
    for (AuditFinding& f : report.findings) out.findings.push_back({where, std::move(f)});
  }
  return out;
}

}  // namespace llmstack
