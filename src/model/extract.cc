#include "model/extract.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "base/hex_text.h"
#include "packet/text_datagrams.h"

namespace llmstack {

namespace {

// The shortest packet taken from a fenced block or JSON (an IPv4 header: a reply cut short is
// still the model's answer, graded as such) and from bare text (a header and an echo header).
constexpr size_t kMinExplicitPacket = 20;
constexpr size_t kMinBarePacket = 28;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct JsonReply {
  size_t begin = 0;
  std::optional<std::string> hex;  // none: null
  bool usable = true;              // a string or null
};

// The last balanced {...} that parses as an object with "reply_hex". One pass pairs every
// brace; only spans that mention reply_hex are parsed, and only a bounded number of them, so
// hostile nesting costs linear time.
std::optional<JsonReply> LastJsonReply(std::string_view text) {
  if (text.find("reply_hex") == std::string_view::npos) return std::nullopt;
  std::optional<JsonReply> last;
  std::vector<size_t> open;
  bool in_string = false;
  int parsed = 0;
  for (size_t i = 0; i < text.size() && parsed < 64; ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"' && !open.empty()) {
      in_string = true;
    } else if (c == '{') {
      if (open.size() < 256) open.push_back(i);
    } else if (c == '}' && !open.empty()) {
      size_t start = open.back();
      open.pop_back();
      std::string_view span = text.substr(start, i - start + 1);
      if (span.find("reply_hex") == std::string_view::npos) continue;
      ++parsed;
      nlohmann::json j = nlohmann::json::parse(span, nullptr, false);
      if (j.is_discarded() || !j.is_object()) continue;
      auto it = j.find("reply_hex");
      if (it == j.end()) continue;
      JsonReply r;
      r.begin = start;
      if (it->is_string()) {
        r.hex = it->get<std::string>();
      } else if (!it->is_null()) {
        r.usable = false;
      }
      if (!last || start >= last->begin) last = std::move(r);
    }
  }
  return last;
}

struct Fence {
  size_t begin = 0, end = 0;  // its body
};

std::vector<Fence> FindFences(std::string_view text) {
  std::vector<Fence> fences;
  for (size_t open = text.find("```"); open != std::string_view::npos;) {
    size_t body = text.find('\n', open + 3);
    if (body == std::string_view::npos) break;
    size_t close = text.find("```", body);
    if (close == std::string_view::npos) break;
    fences.push_back({body + 1, close});
    open = text.find("```", close + 3);
  }
  return fences;
}

// A datagram written in the answer, with where it stands.
struct Candidate {
  const TextDatagram* datagram = nullptr;
  int fence = -1;      // index into the fences, or -1 for bare text
  bool quote = false;  // the request itself, quoted back
};

// Of `list` (in text order), the one a reader takes as the answer: the last exact echo
// message, else the last exact datagram, else the last one.
const Candidate* Pick(const std::vector<const Candidate*>& list) {
  const Candidate* pick = nullptr;
  int best = -1;
  for (const Candidate* c : list) {
    int rank = c->datagram->exact ? (c->datagram->echo ? 2 : 1) : 0;
    if (rank >= best) {
      best = rank;
      pick = c;
    }
  }
  return pick;
}

// --- NO REPLY -------------------------------------------------------------------------------

struct NoReplyMention {
  size_t pos = 0;
  size_t line_end = 0;
  bool own_line = false;     // "NO REPLY", "**Answer:** NO REPLY."
  bool conditional = false;  // "if it were broadcast: NO REPLY", "not a NO REPLY case"
};

constexpr const char* kNoReplyPhrases[] = {"no reply",
                                           "no_reply",
                                           "noreply",
                                           "no response",
                                           "no echo reply",
                                           "not be answered",
                                           "do not reply",
                                           "don't reply",
                                           "not reply",
                                           "not answer",
                                           "won't answer",
                                           "not be replied to",
                                           "drop the packet",
                                           "drop the datagram",
                                           "drop the request",
                                           "discard the packet",
                                           "discard the datagram",
                                           "silently discard",
                                           "silently drop",
                                           "packet is dropped",
                                           "packet is discarded",
                                           "datagram is dropped",
                                           "datagram is discarded",
                                           "request is dropped",
                                           "request is discarded"};

constexpr const char* kLabelWords[] = {"answer",     "final",    "result",  "decision", "output",
                                       "conclusion", "response", "verdict", "so",       "thus",
                                       "therefore",  "hence",    "action",  "reply"};

constexpr const char* kConditionalWords[] = {"if",      "unless", "would", "otherwise",
                                             "whether", "when",   "else",  "instead",
                                             "not",     "rather", "or",    "could"};

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '\''; }

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> words;
  for (size_t i = 0; i < s.size();) {
    if (!IsWordChar(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && IsWordChar(s[j])) ++j;
    words.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return words;
}

template <size_t N>
bool OneOf(const std::string& w, const char* const (&list)[N]) {
  for (const char* x : list) {
    if (w == x) return true;
  }
  return false;
}

std::vector<NoReplyMention> FindNoReply(const std::string& lower) {
  std::vector<NoReplyMention> out;
  for (const char* phrase : kNoReplyPhrases) {
    std::string_view p(phrase);
    for (size_t at = lower.find(p); at != std::string::npos; at = lower.find(p, at + 1)) {
      bool starts_word = at == 0 || !IsWordChar(lower[at - 1]);
      bool ends_word = at + p.size() >= lower.size() || !IsWordChar(lower[at + p.size()]);
      if (!starts_word || !ends_word) continue;
      NoReplyMention m;
      m.pos = at;
      size_t line_begin = lower.rfind('\n', at);
      line_begin = line_begin == std::string::npos ? 0 : line_begin + 1;
      m.line_end = std::min(lower.find('\n', at), lower.size());
      std::string_view line(lower.data() + line_begin, m.line_end - line_begin);
      std::string_view before = line.substr(0, at - line_begin);
      std::string_view after = line.substr(at - line_begin + p.size());
      // Its own line: nothing else there but labels and markup.
      m.own_line = true;
      for (const std::string& w : Words(before)) m.own_line &= OneOf(w, kLabelWords);
      for (const std::string& w : Words(after)) m.own_line &= OneOf(w, kLabelWords);
      // Conditional or negated: the sentence around it weighs a case rather than decide one.
      size_t sentence = before.find_last_of(".!?;");
      std::string_view clause =
          sentence == std::string_view::npos ? before : before.substr(sentence);
      size_t sentence_end = after.find_first_of(".!?;");
      std::string_view rest = after.substr(0, sentence_end);
      for (const std::string& w : Words(clause)) m.conditional |= OneOf(w, kConditionalWords);
      for (const std::string& w : Words(rest)) m.conditional |= (w == "if" || w == "unless");
      // A line of its own that completes a conditional one ("If it failed, I would write:").
      if (m.own_line && line_begin > 0) {
        size_t prev_end = line_begin - 1;
        while (prev_end > 0 && std::isspace(static_cast<unsigned char>(lower[prev_end - 1]))) {
          --prev_end;
        }
        size_t prev_begin = lower.rfind('\n', prev_end == 0 ? 0 : prev_end - 1);
        prev_begin = prev_begin == std::string::npos ? 0 : prev_begin + 1;
        std::string_view prev(lower.data() + prev_begin, prev_end - prev_begin);
        if (!prev.empty() && prev.back() == ':') {
          for (const std::string& w : Words(prev)) m.conditional |= OneOf(w, kConditionalWords);
        }
      }
      out.push_back(m);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const NoReplyMention& a, const NoReplyMention& b) { return a.pos < b.pos; });
  return out;
}

std::string Plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "took the fenced block at line 40", with what was left out of its run.
std::string DescribeTaken(const Candidate& c, const LineIndex& lines, size_t others) {
  const TextDatagram& d = *c.datagram;
  std::string how = std::string("took ") + (c.fence >= 0 ? "the fenced block" : "the hex") +
                    " at line " + std::to_string(lines.LineOf(d.begin));
  if (d.left_before > 0 || d.left_after > 0) {
    how += " (";
    if (d.left_before > 0) how += Plural(d.left_before, "byte", "bytes") + " before it";
    if (d.left_before > 0 && d.left_after > 0) how += " and ";
    if (d.left_after > 0) how += Plural(d.left_after, "byte", "bytes") + " after it";
    how += " on the same run of hex are not part of the datagram)";
  }
  if (!d.exact) how += "; its length does not match its IP length field";
  if (others > 0) {
    how +=
        "; " + Plural(others, "other datagram", "other datagrams") + " in the answer passed over";
  }
  return how;
}

}  // namespace

ExtractedReply ExtractReply(std::string_view text, const EchoPacket& request) {
  if (text.size() > kMaxAnswerBytes) text = text.substr(0, kMaxAnswerBytes);
  ExtractedReply out;
  LineIndex lines(text);
  auto line_of = [&](size_t pos) { return std::to_string(lines.LineOf(pos)); };

  if (std::optional<JsonReply> json = LastJsonReply(text)) {
    std::string where = "the JSON reply_hex at line " + line_of(json->begin);
    if (!json->usable) {
      out.why = where + " is neither a string nor null";
      out.how = out.why;
      return out;
    }
    if (!json->hex) {
      out.kind = ExtractedReply::Kind::kNoReply;
      out.how = where + " is null: no reply";
      return out;
    }
    std::vector<TextDatagram> in_json = FindTextDatagrams(*json->hex, kMinExplicitPacket);
    if (!in_json.empty()) {
      out.kind = ExtractedReply::Kind::kPacket;
      out.packet = std::move(in_json.back().bytes);
      out.how = "took " + where;
      return out;
    }
    Result<Bytes> bytes = HexDecodeLenient(*json->hex);
    if (bytes.ok() && !bytes->empty()) {
      out.kind = ExtractedReply::Kind::kPacket;
      out.packet = std::move(*bytes);
      out.how = "took " + where + " (no IP header at its start)";
      return out;
    }
    out.why = where + " holds no hex packet";
    out.how = out.why;
    return out;
  }

  std::vector<Fence> fences = FindFences(text);
  std::vector<TextDatagram> datagrams = FindTextDatagrams(text, kMinExplicitPacket);
  std::vector<Candidate> candidates;
  size_t next_fence = 0;
  for (const TextDatagram& d : datagrams) {
    while (next_fence < fences.size() && fences[next_fence].end <= d.begin) ++next_fence;
    int fence = next_fence < fences.size() && fences[next_fence].begin <= d.begin
                    ? static_cast<int>(next_fence)
                    : -1;
    // Outside a fence, a datagram cut short or with a wrong length is only taken from a line
    // of hex of its own, not from a run inside a sentence.
    if (fence < 0 && !d.exact && (!d.whole_lines || d.bytes.size() < kMinBarePacket)) continue;
    candidates.push_back({&d, fence, d.bytes == request.datagram});
  }

  // The final form: the last fence that holds a datagram other than the request quoted back,
  // else the last such bare datagram; the request itself only when there is nothing else.
  const Candidate* taken = nullptr;
  int last_fence = -1;
  for (const Candidate& c : candidates) {
    if (c.fence >= 0 && !c.quote) last_fence = std::max(last_fence, c.fence);
  }
  std::vector<const Candidate*> pool;
  if (last_fence >= 0) {
    for (const Candidate& c : candidates) {
      if (c.fence == last_fence && !c.quote) pool.push_back(&c);
    }
  } else {
    for (const Candidate& c : candidates) {
      if (!c.quote) pool.push_back(&c);
    }
  }
  taken = Pick(pool);
  bool quoted_back = false;
  if (!taken) {
    pool.clear();
    for (const Candidate& c : candidates) pool.push_back(&c);
    taken = Pick(pool);
    quoted_back = taken != nullptr;
  }

  std::string lower = Lower(text);
  std::vector<NoReplyMention> mentions = FindNoReply(lower);
  const NoReplyMention* own_line = nullptr;  // the last "NO REPLY" line after the packet
  const NoReplyMention* decided = nullptr;   // the last sentence that decides no reply
  for (const NoReplyMention& m : mentions) {
    if (taken && m.pos < taken->datagram->end) continue;
    if (m.own_line && !m.conditional) own_line = &m;
    if (!m.conditional) decided = &m;
  }
  if (own_line) {
    out.kind = ExtractedReply::Kind::kNoReply;
    out.how = "NO REPLY at line " + line_of(own_line->pos) + ", the answer's conclusion";
    if (taken) out.how += ", after the datagram at line " + line_of(taken->datagram->begin);
    return out;
  }
  if (quoted_back && decided) {
    out.kind = ExtractedReply::Kind::kNoReply;
    out.how = "the only datagram is the request quoted (line " + line_of(taken->datagram->begin) +
              "); the answer concludes there is no reply (line " + line_of(decided->pos) + ")";
    return out;
  }
  if (taken) {
    out.kind = ExtractedReply::Kind::kPacket;
    out.packet = taken->datagram->bytes;
    out.how = DescribeTaken(*taken, lines, candidates.size() - 1);
    if (quoted_back) out.how += "; it is the request itself, sent back";
    return out;
  }
  if (decided) {
    out.kind = ExtractedReply::Kind::kNoReply;
    out.how = "no packet in the answer; it concludes there is no reply (line " +
              line_of(decided->pos) + ")";
    return out;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    out.why = "empty answer";
  } else if (!FindHexRuns(text, 8).empty()) {
    out.why = "no hex packet in the answer (its hex does not form an IP datagram)";
  } else {
    out.why = "no hex packet in the answer";
  }
  out.how = out.why;
  return out;
}

}  // namespace llmstack
