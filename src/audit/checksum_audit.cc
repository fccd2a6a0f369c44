#include "audit/checksum_audit.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>

#include "audit/arithmetic.h"
#include "audit/audit_exchange.h"
#include "audit/checksum_claims.h"
#include "audit/text_scan.h"

namespace llmstack {

namespace {

using Kind = ChecksumKind;
using Subject = ClaimSubject;
using Claim = ChecksumClaim;
using Label = ChecksumLabel;

using audit::ClaimMatches;
using audit::Compute;
using audit::Computation;
using audit::DocPacket;
using audit::Exchange;
using audit::IsDraft;
using audit::kNone;
using audit::MakeExchange;
using audit::PairsWith;
using audit::Truth;
using audit::TruthsOf;

std::string KindName(Kind kind, IpFamily family) {
  if (kind == Kind::kIpHeader) return "IP header checksum";
  return family == IpFamily::kIpv6 ? "ICMPv6 checksum" : "ICMP checksum";
}

bool IsPlaceholderValue(uint16_t v) {
  return v == 0xabcd || v == 0x1234 || v == 0xdead || v == 0xbeef || v == 0xcafe;
}

// `v` as a working writes it: "0x5cf5" up to 0xffff, "0x29ea0" past it.
std::string Hex(uint64_t v) {
  if (v <= 0xffff) return Hex16(static_cast<uint16_t>(v));
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

AuditSubject ToAuditSubject(Subject s) {
  switch (s) {
    case Subject::kRequest:
      return AuditSubject::kRequest;
    case Subject::kReply:
      return AuditSubject::kReply;
    case Subject::kUnknown:
      break;
  }
  return AuditSubject::kUnknown;
}

// A heading and what the section under it is about.
struct Section {
  size_t begin = 0;  // of the heading line
  size_t line = 0;
  int level = 0;  // Markdown level, 9 for other headings (bold or "...:" lines)
  Subject subject = Subject::kUnknown;
};

std::vector<std::string> LowerWords(std::string_view s) {
  std::vector<std::string> words;
  std::string w;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'') {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!w.empty()) {
      words.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty()) words.push_back(std::move(w));
  return words;
}

// What a heading says its section is about: the packet it names ("reply", "incoming"), else
// what it does ("Parse", "Build").
Subject HeadingSubject(const std::vector<std::string>& words) {
  static const std::set<std::string> kRequestNouns = {"request",  "incoming", "received",
                                                      "original", "input",    "arrived"};
  static const std::set<std::string> kReplyNouns = {"reply",  "response", "outgoing",
                                                    "answer", "output",   "pong"};
  static const std::set<std::string> kRequestVerbs = {
      "parse",      "parsing",   "parsed",       "read",    "reading",    "check",    "checking",
      "verify",     "verifying", "verification", "decode",  "decoding",   "validate", "validating",
      "validation", "dissect",   "dissecting",   "inspect", "inspecting", "analysis", "analyze"};
  static const std::set<std::string> kReplyVerbs = {
      "build",        "building",      "built",      "construct", "constructing",
      "construction", "compute",       "computing",  "recompute", "recomputing",
      "recalculate",  "recalculating", "create",     "creating",  "craft",
      "crafting",     "assemble",      "assembling", "new",       "final",
      "recomputed",   "recalculated",  "swapped",    "answered",  "replied"};
  int request_nouns = 0, reply_nouns = 0, request_verbs = 0, reply_verbs = 0;
  for (std::string w : words) {
    if (w.size() > 2 && w.compare(w.size() - 2, 2, "'s") == 0) w.resize(w.size() - 2);  // reply's
    request_nouns += kRequestNouns.count(w);
    reply_nouns += kReplyNouns.count(w);
    request_verbs += kRequestVerbs.count(w);
    reply_verbs += kReplyVerbs.count(w);
  }
  if (request_nouns != reply_nouns) {
    return request_nouns > reply_nouns ? Subject::kRequest : Subject::kReply;
  }
  if (request_nouns == 0 && request_verbs != reply_verbs) {
    return request_verbs > reply_verbs ? Subject::kRequest : Subject::kReply;
  }
  return Subject::kUnknown;
}

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
  void FindSections();
  const Section* SectionOf(size_t pos) const;
  // What the lines that lead into `pos` say it is about: the nearest line before it that ends
  // in ':', one or two lines up ("Then it recomputed the IP header checksum:").
  Subject LeadInSubject(size_t pos, size_t* line) const;
  bool HeadingBetween(size_t a, size_t b) const;
  bool ParagraphBetween(size_t a, size_t b) const;
  bool LineEndsWithColon(size_t pos) const;
  const DocPacket* Nearest(size_t pos) const;
  Exchange ExchangeFor(size_t pos) const;
  IpFamily FamilyOf(const Exchange& x) const;
  // `implicit`: the value a working arrives at, judged as a claim only when it is right or
  // certainly wrong.
  void JudgeClaim(const Claim& claim, bool implicit = false);
  void FindGaps();
  void JudgeWorkings(const std::vector<ArithmeticStep>& steps);

  void Add(size_t pos, AuditVerdict verdict, bool is_claim, std::string what, AuditSubject subject,
           std::string message) {
    report_.findings.push_back(
        {Line(pos), verdict, is_claim, std::move(what), subject, std::move(message)});
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
  std::vector<Section> sections_;
  std::vector<size_t> paragraphs_;  // where blank lines are
  AuditReport report_;
  std::vector<size_t> positions_;
};

std::string TextAudit::Written(size_t begin, size_t end) const {
  std::string s(text_.substr(begin, end - begin));
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  s.erase(std::unique(s.begin(), s.end(), [](char a, char b) { return a == ' ' && b == ' '; }),
          s.end());
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

void TextAudit::FindSections() {
  for (const TextToken& t : scan_.tokens) {
    if (t.kind == TextTokenKind::kBreak && t.line_breaks > 1) paragraphs_.push_back(t.begin);
  }
  const std::vector<size_t>& starts = scan_.line_starts;
  for (size_t i = 0; i < starts.size(); ++i) {
    size_t begin = starts[i];
    size_t end = i + 1 < starts.size() ? starts[i + 1] - 1 : text_.size();
    std::string_view line = text_.substr(begin, end - begin);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    size_t lead = line.find_first_not_of(" \t");
    if (lead == std::string_view::npos) continue;
    line.remove_prefix(lead);
    int level = 0;
    while (static_cast<size_t>(level) < line.size() && line[level] == '#') ++level;
    bool markdown = level > 0 && static_cast<size_t>(level) < line.size() && line[level] == ' ';
    std::vector<std::string> words = LowerWords(line);
    bool bold = line.size() > 4 && line.substr(0, 2) == "**" &&
                (line.substr(line.size() - 2) == "**" || line.substr(line.size() - 3) == "**:");
    bool colon = line.back() == ':' && words.size() <= 10 && line.find('=') == std::string::npos;
    bool step = words.size() <= 10 && !words.empty() && (words[0] == "step" || words[0] == "phase");
    if (!markdown && !bold && !colon && !step) continue;
    Section s;
    s.begin = begin;
    s.line = i + 1;
    s.level = markdown ? level : 9;
    s.subject = HeadingSubject(words);
    if (s.subject == Subject::kUnknown) {
      // A subsection says nothing of its own: it is part of the section above it.
      for (auto it = sections_.rbegin(); it != sections_.rend(); ++it) {
        if (it->level < s.level || (s.level == 9 && it->subject != Subject::kUnknown)) {
          s.subject = it->subject;
          break;
        }
      }
    }
    sections_.push_back(s);
  }
}

const Section* TextAudit::SectionOf(size_t pos) const {
  const Section* found = nullptr;
  for (const Section& s : sections_) {
    if (s.begin > pos) break;
    found = &s;
  }
  return found;
}

Subject TextAudit::LeadInSubject(size_t pos, size_t* line_number) const {
  // The line that ends in ':' and opens the paragraph `pos` is in, or stands just above it
  // ("For the reply I summed the message with its checksum field zeroed:").
  const size_t line = Line(pos);
  auto text_of = [&](size_t l) {  // 1-based line, without trailing spaces
    size_t begin = scan_.line_starts[l - 1];
    size_t end = l < scan_.line_starts.size() ? scan_.line_starts[l] - 1 : text_.size();
    std::string_view t = text_.substr(begin, end - begin);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\r' || t.back() == '\t')) t.remove_suffix(1);
    return t;
  };
  bool blank_seen = false;
  for (size_t back = 1; back <= 8 && line > back; ++back) {
    std::string_view t = text_of(line - back);
    if (t.empty()) {
      if (blank_seen) return Subject::kUnknown;
      blank_seen = true;
      continue;
    }
    if (t.back() != ':') {
      if (blank_seen) return Subject::kUnknown;  // a paragraph above that is no lead-in
      continue;
    }
    *line_number = line - back;
    // The sentence that ends in the colon, from the line before when it begins there.
    std::string sentence(t);
    size_t cut = t.find_last_of(".!?", t.size() - 2);
    if (cut != std::string_view::npos) {
      sentence = std::string(t.substr(cut + 1));
    } else if (line - back > 1) {
      std::string_view prev = text_of(line - back - 1);
      size_t prev_cut = prev.find_last_of(".!?");
      sentence = std::string(prev_cut == std::string_view::npos ? prev : prev.substr(prev_cut + 1)) +
                 " " + sentence;
    }
    return HeadingSubject(LowerWords(sentence));
  }
  return Subject::kUnknown;
}

bool TextAudit::HeadingBetween(size_t a, size_t b) const {
  for (const Section& s : sections_) {
    if (s.begin > std::min(a, b) && s.begin <= std::max(a, b)) return true;
  }
  return false;
}

bool TextAudit::LineEndsWithColon(size_t pos) const {
  size_t end = text_.find('\n', pos);
  std::string_view line = text_.substr(pos, (end == std::string_view::npos ? text_.size() : end) - pos);
  size_t last = line.find_last_not_of(" \t\r");
  return last != std::string_view::npos && line[last] == ':';
}

bool TextAudit::ParagraphBetween(size_t a, size_t b) const {
  auto it = std::upper_bound(paragraphs_.begin(), paragraphs_.end(), std::min(a, b));
  return it != paragraphs_.end() && *it < std::max(a, b);
}

// Write-ups show a packet and then discuss it, so a packet after a claim counts as twice as
// far as one before it, and one in another section farther still.
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
      if (!q->draft && PairsWith(q->packet, request->packet)) written = q.get();
    }
  }
  const DocPacket* lone = (!request && !p->packet.is_request() && p != written) ? p : nullptr;
  return MakeExchange(request, written, lone, context_.profile);
}

IpFamily TextAudit::FamilyOf(const Exchange& x) const {
  return x.request   ? x.request->packet.family
         : x.written ? x.written->packet.family
         : x.lone    ? x.lone->packet.family
                     : IpFamily::kIpv4;
}

void TextAudit::JudgeClaim(const Claim& claim, bool implicit) {
  if (claim.draft) return;  // the field set to zero before the sum: nothing to check
  if (implicit) {
    // Only a definite outcome is worth a finding; the rest is said by the working's own.
    size_t before = report_.findings.size();
    AuditTally tally = report_.tally;
    JudgeClaim(claim, false);
    // A right one is said by the working's own finding ("arriving at ..."); only a wrong one
    // is a finding of its own.
    bool definite = report_.findings.size() > before &&
                    report_.findings.back().verdict == AuditVerdict::kWrong;
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
  if (subject == Subject::kUnknown && claim.value && kind && x.written &&
      x.written != x.request) {
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
    if (t.about.find(" profile") != std::string::npos) continue;  // other profiles' replies
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

std::string StepShould(const ArithmeticStep& s) {
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

}  // namespace

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
  return TextAudit(text, context).Run();
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
