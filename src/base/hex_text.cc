#include "base/hex_text.h"

#include <algorithm>
#include <cctype>

namespace llmstack {

namespace {

bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool IsLineSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool IsSeparator(char c) { return IsLineSpace(c) || c == ':' || c == ',' || c == '-'; }

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

struct Group {
  size_t begin = 0;   // of "0x" when prefixed
  size_t digits = 0;  // first digit
  size_t end = 0;
};

// Reads a group at `i`; false when none starts there (no digits, or glued to a word).
bool ReadGroup(std::string_view text, size_t i, Group* g) {
  if (i > 0 && IsWordChar(text[i - 1])) return false;
  size_t digits = i;
  if (i + 2 < text.size() && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
      IsHexDigit(text[i + 2])) {
    digits = i + 2;
  }
  size_t j = digits;
  while (j < text.size() && IsHexDigit(text[j])) ++j;
  if (j == digits) return false;
  if (j < text.size() && IsWordChar(text[j])) return false;
  *g = {i, digits, j};
  return true;
}

uint64_t GroupValue(std::string_view text, const Group& g) {
  uint64_t v = 0;
  for (size_t k = g.digits; k < g.end && k < g.digits + 15; ++k) v = v * 16 + DigitValue(text[k]);
  return v;
}

// An offset label at the start of a line: "0x0010:" or "0010:" (tcpdump -x and friends), or
// "0010" followed by two spaces (Wireshark's bytes pane), giving the bytes read so far. On a
// match, `*after` is where the line's data begins.
bool OffsetLabel(std::string_view text, const Group& g, size_t bytes_so_far, size_t* after) {
  size_t digits = g.end - g.digits;
  if (digits < 2 || digits > 8 || GroupValue(text, g) != bytes_so_far) return false;
  if (g.end < text.size() && text[g.end] == ':') {
    *after = g.end + 1;
    return true;
  }
  if (digits >= 4 && g.end + 1 < text.size() && text[g.end] == ' ' && text[g.end + 1] == ' ') {
    *after = g.end + 2;
    return true;
  }
  return false;
}

class RunBuilder {
 public:
  RunBuilder(std::string_view text, size_t min_bytes, std::vector<HexRun>* out)
      : text_(text), min_bytes_(min_bytes), out_(out) {}

  bool empty() const { return run_.groups.empty(); }
  size_t bytes() const { return run_.bytes.size(); }

  // Adds an even group.
  void Add(const Group& g) {
    if (run_.groups.empty()) run_.begin = g.begin;
    run_.groups.push_back({g.begin, g.end, run_.bytes.size()});
    for (size_t k = g.digits; k + 1 < g.end; k += 2) {
      run_.bytes.push_back(
          static_cast<uint8_t>(DigitValue(text_[k]) * 16 + DigitValue(text_[k + 1])));
    }
    run_.end = g.end;
  }

  void End() {
    if (!run_.groups.empty() && run_.bytes.size() >= min_bytes_) out_->push_back(std::move(run_));
    run_ = HexRun();
  }

 private:
  std::string_view text_;
  size_t min_bytes_;
  std::vector<HexRun>* out_;
  HexRun run_;
};

}  // namespace

std::vector<HexRun> FindHexRuns(std::string_view text, size_t min_bytes) {
  std::vector<HexRun> runs;
  RunBuilder run(text, min_bytes, &runs);
  const size_t n = text.size();
  size_t i = 0;
  bool line_start = true;  // nothing but spaces since the last line break
  while (i < n) {
    char c = text[i];
    if (c == '\n') {
      // The run reached the end of its line: it goes on when the next line starts with a group
      // (after an offset label, if any); a blank line or anything else ends it.
      size_t j = i + 1;
      while (j < n && IsLineSpace(text[j])) ++j;
      Group g;
      if (!run.empty() && j < n && ReadGroup(text, j, &g)) {
        size_t after = 0;
        if (OffsetLabel(text, g, run.bytes(), &after)) {
          while (after < n && IsLineSpace(text[after])) ++after;
          if (after < n && ReadGroup(text, after, &g)) j = after;
        }
        if (g.begin == j && (g.end - g.digits) % 2 == 0) {
          i = j;
          line_start = false;
          continue;
        }
      }
      run.End();
      i = j;
      line_start = true;
      continue;
    }
    if (!run.empty() && IsSeparator(c)) {
      ++i;
      continue;
    }
    Group g;
    if (ReadGroup(text, i, &g)) {
      size_t after = 0;
      if (run.empty() && line_start && OffsetLabel(text, g, 0, &after)) {
        i = after;
        line_start = false;
        continue;
      }
      line_start = false;
      if ((g.end - g.digits) % 2 == 0) {
        run.Add(g);
      } else {
        run.End();  // an odd group is no bytes, and no run goes through it
      }
      i = g.end;
      continue;
    }
    // Anything else ends a run; inside a word, skip to its end so that no group starts there.
    run.End();
    if (!IsLineSpace(c)) line_start = false;
    if (IsWordChar(c)) {
      while (i < n && IsWordChar(text[i])) ++i;
    } else {
      ++i;
    }
  }
  run.End();
  return runs;
}

LineIndex::LineIndex(std::string_view text) {
  starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts_.push_back(i + 1);
  }
}

size_t LineIndex::LineOf(size_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  return static_cast<size_t>(it - starts_.begin());
}

}  // namespace llmstack
