#include "model/extract.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <vector>

#include "packet/icmp.h"

namespace llmstack {

namespace {

struct Candidate {
  Bytes bytes;
  size_t position = 0;  // where it ends in the text
  int source_rank = 0;  // 2 JSON, 1 fenced block, 0 bare hex
};

constexpr size_t kMaxPacket = 65535 + 40;

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Finds runs of hex written with the usual separators; each run of at least `min_bytes`
// becomes a candidate.
void BareHexRuns(std::string_view text, size_t base, int rank, size_t min_bytes,
                 std::vector<Candidate>* out) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    // A run starts at a hex digit that does not continue a word (e.g. "reached").
    if (!IsHex(text[i]) || (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      ++i;
      continue;
    }
    std::string digits;
    size_t j = i;
    size_t end = i;
    while (j < n) {
      if (text[j] == '0' && j + 1 < n && (text[j + 1] == 'x' || text[j + 1] == 'X') && j + 2 < n &&
          IsHex(text[j + 2])) {
        j += 2;
        continue;
      }
      size_t token_start = j;
      while (j < n && IsHex(text[j])) ++j;
      if (j == token_start) break;
      // A token glued to letters is a word, not hex ("deadline").
      if (j < n && std::isalpha(static_cast<unsigned char>(text[j]))) {
        j = token_start;
        break;
      }
      digits.append(text.substr(token_start, j - token_start));
      end = j;
      size_t k = j;
      while (k < n && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' || text[k] == '\r' ||
                       text[k] == ':' || text[k] == '-' || text[k] == ',')) {
        ++k;
      }
      if (k == j) break;
      j = k;
    }
    if (digits.size() % 2 == 0 && digits.size() / 2 >= min_bytes &&
        digits.size() / 2 <= kMaxPacket) {
      Result<Bytes> b = HexDecode(digits);
      if (b.ok()) out->push_back({std::move(*b), base + end, rank});
    }
    i = std::max(end, i + 1);
  }
}

void JsonCandidates(std::string_view text, size_t base, std::vector<Candidate>* out,
                    size_t* no_reply_at) {
  if (text.find("reply_hex") == std::string_view::npos) return;
  // One pass pairs every balanced {...}; only spans that mention reply_hex are parsed, and
  // only a bounded number of them, so hostile nesting costs linear time.
  std::vector<size_t> open;
  bool in_string = false;
  int parsed = 0;
  for (size_t i = 0; i < text.size() && parsed < 64; ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
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
      if (it->is_string()) {
        Result<Bytes> b = HexDecodeLenient(it->get<std::string>());
        if (b.ok() && !b->empty()) out->push_back({std::move(*b), base + i, 2});
      } else if (it->is_null()) {
        *no_reply_at = std::max(*no_reply_at, base + i + 1);
      }
    }
  }
}

// How much a candidate looks like the reply to `request`.
int Score(const Bytes& b, const EchoPacket& request) {
  Result<EchoPacket> p = EchoPacketFromDatagram(b);
  if (!p.ok()) return b.size() >= 20 && (b[0] >> 4 == 4 || b[0] >> 4 == 6) ? 1 : 0;
  int score = 3;
  if (p->family == request.family) ++score;
  if (!p->is_request()) score += 2;
  if (p->ident == request.ident && p->seq == request.seq) ++score;
  if (p->datagram.size() == b.size()) ++score;
  if (std::equal(p->src().begin(), p->src().end(), request.dst().begin(), request.dst().end()))
    ++score;
  if (b == request.datagram) score -= 4;  // the request quoted back
  return score;
}

}  // namespace

ExtractedReply ExtractReply(std::string_view text, const EchoPacket& request) {
  if (text.size() > kMaxAnswerBytes) text = text.substr(0, kMaxAnswerBytes);
  std::vector<Candidate> candidates;
  size_t no_reply_at = 0;
  JsonCandidates(text, 0, &candidates, &no_reply_at);

  // Fenced code blocks: ```[lang]\n ... ```
  std::vector<std::pair<size_t, size_t>> fenced;
  for (size_t open = text.find("```"); open != std::string_view::npos;) {
    size_t body = text.find('\n', open + 3);
    if (body == std::string_view::npos) break;
    size_t close = text.find("```", body);
    if (close == std::string_view::npos) break;
    fenced.push_back({body + 1, close});
    BareHexRuns(text.substr(body + 1, close - body - 1), body + 1, 1, 1, &candidates);
    open = text.find("```", close + 3);
  }
  BareHexRuns(text, 0, 0, 8, &candidates);

  std::string lower = Lower(text);
  for (const char* phrase :
       {"no reply", "no_reply", "noreply", "no response", "must not be answered", "do not reply",
        "don't reply", "should not be answered"}) {
    size_t at = lower.rfind(phrase);
    if (at != std::string::npos) no_reply_at = std::max(no_reply_at, at + 1);
  }

  const Candidate* best = nullptr;
  int best_score = -100;
  for (const Candidate& c : candidates) {
    int score = Score(c.bytes, request) * 4 + c.source_rank;
    if (!best || score > best_score || (score == best_score && c.position >= best->position)) {
      best = &c;
      best_score = score;
    }
  }
  ExtractedReply out;
  // "NO REPLY" after the last packet-like candidate (or with none) means silence.
  if (no_reply_at > 0 && (!best || no_reply_at > best->position || best_score < 4 * 3)) {
    out.kind = ExtractedReply::Kind::kNoReply;
    return out;
  }
  if (!best) {
    out.why = text.empty() ? "empty answer" : "no hex packet in the answer";
    return out;
  }
  out.kind = ExtractedReply::Kind::kPacket;
  out.packet = best->bytes;
  return out;
}

}  // namespace llmstack
