#include "audit/checksum_claims.h"

#include <algorithm>
#include <limits>

namespace llmstack {

namespace {

using Kind = ChecksumKind;
using Subject = ClaimSubject;
using Claim = ChecksumClaim;

constexpr size_t kNone = std::numeric_limits<size_t>::max();

constexpr const char* kChecksumWords[] = {"checksum", "checksums", "cksum", "csum", "chksum"};
constexpr const char* kIpWords[] = {"ip", "ipv4", "ip4", "ip's"};
constexpr const char* kIcmpWords[] = {"icmp", "icmpv6", "icmp6", "icmpv4", "icmp's"};
constexpr const char* kRequestWords[] = {"request",  "request's", "requests",     "incoming",
                                         "original", "received",  "echo-request", "requested",
                                         "old",      "existing",  "stored",       "given",
                                         "input",    "arrived",   "arriving"};
constexpr const char* kReplyWords[] = {
    "reply",      "reply's", "replies",  "response",   "response's",   "answer",
    "outgoing",   "pong",    "new",      "recomputed", "recalculated", "updated",
    "echo-reply", "output",  "answered", "replied",    "built"};
// Words that show a value is the field as it is set before the computation.
constexpr const char* kDraftWords[] = {
    "set",       "zero",        "zeroed",      "zeros",       "zeroes",    "cleared",
    "clear",     "blank",       "placeholder", "temporarily", "initially", "computation",
    "computing", "calculation", "before",      "first",       "reset"};
// Words that show a value is the result of a check ("verifies", "checksum check: 0xffff").
constexpr const char* kCheckWords[] = {"verify", "verifies", "verified", "verification", "check",
                                       "checks", "checking", "valid",    "ok",           "good",
                                       "sum",    "total",    "passes"};
// Words that may stand between "checksum" and its value in a claim: "the ICMP checksum of
// the reply is therefore 0x5cf5", "IP header checksum comes out to 0x615d".
// clang-format off
constexpr const char* kClaimFiller[] = {
    // verbs
    "is", "was", "are", "were", "be", "been", "becomes", "become", "became", "will", "would",
    "should", "must", "equals", "equal", "gives", "comes", "come", "get", "got", "stays",
    "remains", "changes", "changed", "works", "work", "evaluates", "holds", "reads", "has",
    // articles and pronouns
    "the", "a", "an", "i", "we", "it", "it's", "its", "this", "that", "which", "our", "my",
    // linking words
    "of", "to", "now", "then", "as", "out", "so", "from", "in", "for", "here", "therefore",
    "thus", "hence", "and", "with", "by", "still",
    // nouns and adjectives
    "value", "values", "field", "packet", "packet's", "message", "message's", "new", "old",
    "final", "correct", "correctly", "computed", "calculated", "recomputed", "recalculated",
    "result", "resulting", "written", "updated", "hand", "expected", "hex", "header", "echo",
    "bytes", "check", "verification",
};
// clang-format on

bool IsSubjectWord(const TextToken& w, Subject* subject) {
  if (w.TextIn(kRequestWords)) {
    *subject = Subject::kRequest;
    return true;
  }
  if (w.TextIn(kReplyWords)) {
    *subject = Subject::kReply;
    return true;
  }
  return false;
}

// Where a sentence or clause ends, for looking back from "checksum" to its qualifiers.
bool IsClauseEnd(const TextToken& t) {
  return t.kind == TextTokenKind::kBreak || t.kind == TextTokenKind::kPacket || t.IsSymbol(".") ||
         t.IsSymbol(";") || t.IsSymbol("!") || t.IsSymbol("?");
}

// A number written like a 16-bit checksum value: "0x5cf5", "0x615D", "5cf5", "ABCD".
bool IsChecksumValue(const TextToken& t) {
  return t.IsNumber() && t.value <= 0xffff && (t.prefixed ? t.digits <= 4 : t.digits == 4);
}

// "ip.checksum", "icmp.checksum", "icmpv6.checksum" name the kind themselves.
bool IsChecksumKeyword(const std::vector<TextToken>& t, size_t k, std::optional<Kind>* kind,
                       size_t* last) {
  const TextToken& tok = t[k];
  *last = k;
  if (tok.kind != TextTokenKind::kWord) return false;
  if (tok.TextIn(kChecksumWords)) return true;
  if (tok.text == "check" && k + 1 < t.size() &&
      (t[k + 1].IsWord("sum") || t[k + 1].IsWord("sums"))) {
    *last = k + 1;
    return true;
  }
  size_t dot = tok.text.rfind(".checksum");
  if (dot == std::string::npos || dot + 9 != tok.text.size()) return false;
  std::string field = tok.text.substr(0, dot);
  if (field == "ip") *kind = Kind::kIpHeader;
  if (field == "icmp" || field == "icmpv6") *kind = Kind::kIcmp;
  return true;
}

// Looks back from the keyword at `k` over its clause for the kind and the subject.
void QualifiersBefore(const std::vector<TextToken>& t, size_t k, std::optional<Kind>* kind,
                      Subject* subject) {
  bool kind_done = kind->has_value();
  for (size_t n = 0, j = k; j > 0 && n < 14; ++n) {
    --j;
    const TextToken& w = t[j];
    if (IsClauseEnd(w)) break;
    // The kind is named next to "checksum": "protocol 1 (ICMP), checksum 0xaf67" names no kind.
    if (w.IsSymbol(",") || w.IsSymbol("(") || w.IsSymbol(")") || w.IsSymbol(":")) kind_done = true;
    if (w.kind != TextTokenKind::kWord) continue;
    if (!kind_done) {
      if (w.text == "header") {
        bool icmp_header =
            j > 0 && t[j - 1].kind == TextTokenKind::kWord && t[j - 1].TextIn(kIcmpWords);
        *kind = icmp_header ? Kind::kIcmp : Kind::kIpHeader;
        kind_done = true;
      } else if (w.TextIn(kIpWords)) {
        *kind = Kind::kIpHeader;
        kind_done = true;
      } else if (w.TextIn(kIcmpWords) || w.text == "ipv6") {
        *kind = Kind::kIcmp;
        kind_done = true;
      }
    }
    if (*subject == Subject::kUnknown) IsSubjectWord(w, subject);
  }
}

// Whether the line around `pos` (the tokens of its line) holds one of `words`.
template <size_t N>
bool LineHas(const std::vector<TextToken>& t, size_t k, const char* const (&words)[N]) {
  for (size_t j = k; j < t.size() && t[j].kind != TextTokenKind::kBreak; ++j) {
    if (t[j].kind == TextTokenKind::kWord && t[j].TextIn(words)) return true;
  }
  for (size_t j = k; j > 0 && t[j - 1].kind != TextTokenKind::kBreak; --j) {
    if (t[j - 1].kind == TextTokenKind::kWord && t[j - 1].TextIn(words)) return true;
  }
  return false;
}

// A subject named in parentheses right after the value: "0x54f5 (incoming)".
Subject SubjectAfter(const std::vector<TextToken>& t, size_t v) {
  if (v + 1 >= t.size() || !t[v + 1].IsSymbol("(")) return Subject::kUnknown;
  for (size_t j = v + 2; j < t.size() && j < v + 6; ++j) {
    if (IsClauseEnd(t[j]) || t[j].IsSymbol(")")) break;
    Subject s;
    if (t[j].kind == TextTokenKind::kWord && IsSubjectWord(t[j], &s)) return s;
  }
  return Subject::kUnknown;
}

// Sets what the line says about the value at `v`.
void Qualify(const std::vector<TextToken>& t, size_t v, Claim* c) {
  if (c->subject == Subject::kUnknown) c->subject = SubjectAfter(t, v);
  if (c->value == 0 && LineHas(t, v, kDraftWords)) c->draft = true;
  if ((c->value == 0xffff || c->value == 0) && LineHas(t, v, kCheckWords)) c->verification = true;
}

// Reads the claims made at the checksum keyword ending at `k`. Returns the index where reading
// stopped.
size_t ReadClaim(const std::vector<TextToken>& t, size_t keyword, size_t k,
                 std::optional<Kind> kind, std::vector<Claim>* out) {
  Subject subject = Subject::kUnknown;
  QualifiersBefore(t, keyword, &kind, &subject);
  bool from_to = false;
  bool skip_next_number = false;
  int breaks = 0;
  size_t j = k + 1;
  for (size_t n = 0; j < t.size() && n < 16; ++j, ++n) {
    const TextToken& tok = t[j];
    if (tok.kind == TextTokenKind::kBreak) {
      if (tok.line_breaks > 1 || ++breaks > 1) return j;
      continue;
    }
    if (tok.kind == TextTokenKind::kSymbol) {
      static constexpr const char* kFillerSymbols[] = {":",  "=", "(", ")", "*", "`", "'",
                                                       "\"", "|", ",", "[", "]", "->"};
      if (!tok.TextIn(kFillerSymbols)) return j;
      continue;
    }
    if (tok.kind == TextTokenKind::kWord) {
      if (tok.text == "rfc") {
        skip_next_number = true;
        continue;
      }
      if (tok.text == "from") from_to = true;
      Subject s;
      if (IsSubjectWord(tok, &s)) {
        if (subject == Subject::kUnknown) subject = s;
        continue;
      }
      if (tok.TextIn(kIpWords) || tok.TextIn(kIcmpWords)) continue;
      if (!tok.TextIn(kClaimFiller)) return j;
      continue;
    }
    if (tok.kind == TextTokenKind::kPlaceholder) {
      Claim c;
      c.pos = tok.begin;
      c.kind = kind;
      c.subject = subject;
      c.placeholder = tok.text;
      out->push_back(c);
      return j + 1;
    }
    if (tok.kind != TextTokenKind::kNumber) return j;
    if (skip_next_number) {
      skip_next_number = false;
      continue;
    }
    if (!IsChecksumValue(tok)) return j;
    break;
  }
  if (j >= t.size() || !IsChecksumValue(t[j])) return j;

  // The value at `j`, and what follows it.
  size_t v = j;
  size_t after = v + 1;
  // "checksum of 4500 0054 8128 ...": a list of words, not a claim.
  if (after < t.size() && t[after].IsNumber()) return after;
  // "got 0x54f5 (should be 0x5cf5": a verdict line, not a claim.
  if (after + 2 < t.size() && t[after].IsSymbol("(") && t[after + 1].IsWord("should")) return after;
  // "checksum = 0x54f5 + 0x0800 = 0x5cf5": the claim is the result.
  bool incremental = false;
  if (after < t.size() && (t[after].IsSymbol("+") || t[after].IsSymbol("-"))) {
    size_t m = after;
    size_t result = kNone;
    while (m < t.size()) {
      if (t[m].IsNumber() || t[m].IsSymbol("+") || t[m].IsSymbol("-") || t[m].IsSymbol("~")) {
        ++m;
      } else if (t[m].IsSymbol("=") && m + 1 < t.size() && t[m + 1].IsNumber()) {
        result = m + 1;
        m += 2;
      } else {
        break;
      }
    }
    if (result == kNone || !IsChecksumValue(t[result])) return m;
    // Working under a label ("ICMP checksum check:" and then "0800+1234 = 1a34" on the next
    // line) is not a claim: its steps are judged as working.
    for (size_t n = keyword; n < result; ++n) {
      if (t[n].kind == TextTokenKind::kBreak) return m;
    }
    // Adding 0x0800 (or subtracting it) is the update for the type change (RFC 1624).
    for (size_t n = after; n < result; ++n) {
      incremental =
          incremental || (t[n].IsNumber() && (t[n].value == 0x0800 || t[n].value == 0xf7ff));
    }
    v = result;
    after = m;
    // "... = 0x57bb -> complement 0xa844", "= 0x3f4c, and its complement is 0xc0b3": the
    // checksum is the complement at the end.
    size_t c = after;
    while (c < t.size() && c < after + 5 &&
           (t[c].IsSymbol("->") || t[c].IsSymbol(",") || t[c].IsWord("then") ||
            t[c].IsWord("and") || t[c].IsWord("its") || t[c].IsWord("the") || t[c].IsWord("so") ||
            t[c].IsWord("one's"))) {
      ++c;
    }
    if (c < t.size() &&
        (t[c].IsWord("complement") || t[c].IsWord("complemented") || t[c].IsWord("inverted"))) {
      size_t d = c + 1;
      while (
          d < t.size() && d < c + 3 &&
          (t[d].IsSymbol(":") || t[d].IsSymbol("=") || t[d].IsSymbol("->") || t[d].IsWord("is"))) {
        ++d;
      }
      if (d < t.size() && IsChecksumValue(t[d])) {
        v = d;
        after = d + 1;
        incremental = false;
      }
    }
  }
  // "ICMP checksum 0x54f5 -> 0x5cf5", "changes from 0x54f5 to 0x5cf5": old and new.
  size_t second = kNone;
  if (after + 1 < t.size() &&
      (t[after].IsSymbol("->") || t[after].IsWord("to") || t[after].IsWord("becomes")) &&
      IsChecksumValue(t[after + 1])) {
    second = after + 1;
  }
  Claim c;
  c.kind = kind;
  c.subject = subject;
  c.incremental = incremental;
  if (second != kNone) {
    // From the request's value to the reply's.
    c.pos = t[v].begin;
    c.value = static_cast<uint16_t>(t[v].value);
    c.subject = Subject::kRequest;
    out->push_back(c);
    c.pos = t[second].begin;
    c.value = static_cast<uint16_t>(t[second].value);
    c.subject = Subject::kReply;
    out->push_back(c);
    return second + 1;
  }
  c.pos = t[v].begin;
  c.value = static_cast<uint16_t>(t[v].value);
  if (from_to && c.subject == Subject::kUnknown) c.subject = Subject::kRequest;  // "changes from"
  Qualify(t, v, &c);
  out->push_back(c);
  return after;
}

}  // namespace

void ReadChecksumClaims(const std::vector<TextToken>& t, std::vector<ChecksumClaim>* claims,
                        std::vector<ChecksumLabel>* labels) {
  for (size_t k = 0; k < t.size(); ++k) {
    std::optional<Kind> kind;
    size_t last;
    if (!IsChecksumKeyword(t, k, &kind, &last)) continue;
    ChecksumLabel label;
    label.pos = t[k].begin;
    label.kind = kind;
    QualifiersBefore(t, k, &label.kind, &label.subject);
    labels->push_back(label);
    size_t stop = ReadClaim(t, k, last, kind, claims);
    k = std::max(last, stop > 0 ? stop - 1 : 0);
  }
}

}  // namespace llmstack
