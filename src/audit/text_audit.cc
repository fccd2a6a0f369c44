#include "audit/text_audit.h"

#include <cctype>
#include <cstdio>
#include <set>

namespace llmstack::audit {

std::string KindName(Kind kind, IpFamily family) {
  if (kind == Kind::kIpHeader) return "IP header checksum";
  return family == IpFamily::kIpv6 ? "ICMPv6 checksum" : "ICMP checksum";
}

bool IsPlaceholderValue(uint16_t v) {
  return v == 0xabcd || v == 0x1234 || v == 0xdead || v == 0xbeef || v == 0xcafe;
}

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

namespace {

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

}  // namespace

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
  for (const auto& p : packets_) {
    KeyedPackets& keyed = by_echo_key_[{p->packet.family, p->packet.ident, p->packet.seq}];
    if (p->begin != kNone) {
      in_text_.push_back(p.get());
      if (p->packet.is_request()) keyed.requests.push_back(p.get());
    }
    if (p->packet.is_reply() && !p->draft) keyed.last_reply = p.get();
  }
}

const TextAudit::KeyedPackets* TextAudit::KeyedLike(const EchoPacket& p) const {
  auto it = by_echo_key_.find({p.family, p.ident, p.seq});
  return it == by_echo_key_.end() ? nullptr : &it->second;
}

void TextAudit::FindSections() {
  for (const TextToken& t : scan_.tokens) {
    if (t.kind == TextTokenKind::kBreak && t.line_breaks > 1) paragraphs_.push_back(t.begin);
  }
  const std::vector<size_t>& starts = scan_.line_starts;
  std::vector<size_t> enclosing;  // indices into sections_
  size_t last_known = kNone;      // the last section whose subject is known
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
    // The nearest section above of a lower level: the sections that could still be one for
    // a later heading are kept with their levels rising (each is dropped once).
    while (!enclosing.empty() && sections_[enclosing.back()].level >= s.level) {
      enclosing.pop_back();
    }
    if (s.subject == Subject::kUnknown) {
      // A subsection says nothing of its own: it is part of the nearest section above it of
      // a lower level, or, for another heading, of the nearest above whose subject is known.
      size_t above = enclosing.empty() ? kNone : enclosing.back();
      if (s.level == 9 && last_known != kNone && (above == kNone || last_known > above)) {
        above = last_known;
      }
      if (above != kNone) s.subject = sections_[above].subject;
    }
    if (s.subject != Subject::kUnknown) last_known = sections_.size();
    enclosing.push_back(sections_.size());
    sections_.push_back(s);
  }
}

const Section* TextAudit::SectionOf(size_t pos) const {
  auto after = std::upper_bound(sections_.begin(), sections_.end(), pos,
                                [](size_t p, const Section& s) { return p < s.begin; });
  return after == sections_.begin() ? nullptr : &*(after - 1);
}

Subject TextAudit::LeadInSubject(size_t pos, size_t* line_number) const {
  // The line that ends in ':' and opens the paragraph `pos` is in, or stands just above it
  // ("For the reply I summed the message with its checksum field zeroed:").
  const size_t line = Line(pos);
  auto text_of = [&](size_t l) {  // 1-based line, without trailing spaces
    size_t begin = scan_.line_starts[l - 1];
    size_t end = l < scan_.line_starts.size() ? scan_.line_starts[l] - 1 : text_.size();
    std::string_view t = text_.substr(begin, end - begin);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\r' || t.back() == '\t'))
      t.remove_suffix(1);
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
      sentence =
          std::string(prev_cut == std::string_view::npos ? prev : prev.substr(prev_cut + 1)) + " " +
          sentence;
    }
    return HeadingSubject(LowerWords(sentence));
  }
  return Subject::kUnknown;
}

bool TextAudit::HeadingBetween(size_t a, size_t b) const {
  auto after = std::upper_bound(sections_.begin(), sections_.end(), std::min(a, b),
                                [](size_t p, const Section& s) { return p < s.begin; });
  return after != sections_.end() && after->begin <= std::max(a, b);
}

bool TextAudit::LineEndsWithColon(size_t pos) const {
  size_t end = text_.find('\n', pos);
  std::string_view line =
      text_.substr(pos, (end == std::string_view::npos ? text_.size() : end) - pos);
  size_t last = line.find_last_not_of(" \t\r");
  return last != std::string_view::npos && line[last] == ':';
}

bool TextAudit::ParagraphBetween(size_t a, size_t b) const {
  auto it = std::upper_bound(paragraphs_.begin(), paragraphs_.end(), std::min(a, b));
  return it != paragraphs_.end() && *it < std::max(a, b);
}

// Write-ups show a packet and then discuss it, so a packet after a claim counts as twice as
// far as one before it, and one in another section farther still.
//
// Of the packets before `pos` the last one is nearest: the others end farther back and have
// at least its headings in between; of those after it, the first. Only one that ends where
// the last one begins can tie with it (and wins, coming first), so three are looked at.
const DocPacket* TextAudit::Nearest(size_t pos) const {
  auto first_after = std::upper_bound(in_text_.begin(), in_text_.end(), pos,
                                      [](size_t p, const DocPacket* d) { return p < d->begin; });
  const size_t after = static_cast<size_t>(first_after - in_text_.begin());
  const DocPacket* best = nullptr;
  size_t best_distance = kNone;
  for (size_t i = after >= 2 ? after - 2 : 0; i < std::min(after + 1, in_text_.size()); ++i) {
    const DocPacket* p = in_text_[i];
    size_t d = pos < p->begin ? 2 * (p->begin - pos) : (pos >= p->end ? pos - p->end : 0);
    if (HeadingBetween(pos, p->begin)) d += kMaxScannedText * 4;
    if (d < best_distance) {
      best = p;
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
  const KeyedPackets* keyed = KeyedLike(p->packet);
  const DocPacket* request = nullptr;
  if (p->packet.is_request()) {
    request = p;
  } else if (p->packet.is_reply() && keyed && !keyed->requests.empty()) {
    // The request it answers: the last one written before it, else the first after it.
    const std::vector<const DocPacket*>& requests = keyed->requests;
    auto later = std::upper_bound(requests.begin(), requests.end(), p->begin,
                                  [](size_t b, const DocPacket* q) { return b < q->begin; });
    request = later != requests.begin() ? *(later - 1) : *later;
  }
  const DocPacket* written = (!p->packet.is_request() && !p->draft) ? p : nullptr;
  if (!written && request) written = KeyedLike(request->packet)->last_reply;
  const DocPacket* lone = (!request && !p->packet.is_request() && p != written) ? p : nullptr;
  return MakeExchange(request, written, lone, context_.profile);
}

IpFamily TextAudit::FamilyOf(const Exchange& x) const {
  return x.request   ? x.request->packet.family
         : x.written ? x.written->packet.family
         : x.lone    ? x.lone->packet.family
                     : IpFamily::kIpv4;
}

}  // namespace llmstack::audit
