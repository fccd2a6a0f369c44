#include "audit/text_scan.h"

#include <algorithm>
#include <cctype>

#include "packet/text_datagrams.h"

namespace llmstack {

namespace {

bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsDecimalDigit(char c) { return c >= '0' && c <= '9'; }

// "0x" or "0X" followed by a hex digit at `i`.
bool HexPrefixAt(std::string_view text, size_t i) {
  return i + 2 < text.size() && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
         IsHexDigit(text[i + 2]);
}

std::vector<TextPacket> FindPackets(std::string_view text) {
  std::vector<TextPacket> packets;
  for (TextDatagram& d : FindTextDatagrams(text)) {
    if (d.echo) packets.push_back({d.begin, d.end, std::move(*d.echo)});
  }
  return packets;
}

// Characters that may sit inside a word when letters or digits follow: "ip.checksum",
// "end-around", "reply's", "172.16.0.1".
bool IsInnerWordChar(char c) { return c == '.' || c == '-' || c == '\'' || c == '_'; }

void AddNumber(std::string_view digits, bool prefixed, size_t begin, size_t end,
               std::vector<TextToken>* out) {
  TextToken t;
  t.kind = TextTokenKind::kNumber;
  t.begin = begin;
  t.end = end;
  t.text = std::string(digits);
  t.prefixed = prefixed;
  t.digits = digits.size();
  t.decimal = !prefixed && std::all_of(digits.begin(), digits.end(), IsDecimalDigit);
  t.letters_only = !prefixed && std::none_of(digits.begin(), digits.end(), IsDecimalDigit);
  for (char c : digits) {
    int v = IsDecimalDigit(c) ? c - '0' : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    t.value = t.value * 16 + v;
    if (t.decimal) t.decimal_value = t.decimal_value * 10 + v;
  }
  out->push_back(std::move(t));
}

void AddSimple(TextTokenKind kind, std::string text, size_t begin, size_t end,
               std::vector<TextToken>* out) {
  TextToken t;
  t.kind = kind;
  t.begin = begin;
  t.end = end;
  t.text = std::move(text);
  out->push_back(std::move(t));
}

bool IsPlaceholderChar(char c) { return c == 'x' || c == 'X' || c == '?'; }

}  // namespace

size_t TextScan::LineOf(size_t offset) const {
  auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  return static_cast<size_t>(it - line_starts.begin());
}

TextScan ScanText(std::string_view text) {
  if (text.size() > kMaxScannedText) text = text.substr(0, kMaxScannedText);
  TextScan scan;
  scan.line_starts.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') scan.line_starts.push_back(i + 1);
  }
  scan.packets = FindPackets(text);

  std::vector<TextToken>& tokens = scan.tokens;
  size_t next_packet = 0;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    if (next_packet < scan.packets.size() && i >= scan.packets[next_packet].begin) {
      TextToken t;
      t.kind = TextTokenKind::kPacket;
      t.begin = scan.packets[next_packet].begin;
      t.end = scan.packets[next_packet].end;
      t.packet = next_packet;
      tokens.push_back(t);
      i = t.end;
      ++next_packet;
      continue;
    }
    char c = text[i];
    if (c == '\n') {
      size_t j = i;
      int breaks = 0;
      while (j < n && (text[j] == '\n' || text[j] == '\r' || text[j] == ' ' || text[j] == '\t')) {
        breaks += text[j] == '\n';
        ++j;
      }
      if (next_packet < scan.packets.size()) j = std::min(j, scan.packets[next_packet].begin);
      AddSimple(TextTokenKind::kBreak, "\n", i, j, &tokens);
      tokens.back().line_breaks = breaks;
      i = j;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '0' && i + 1 < n && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
      size_t j = i + 2;
      if (HexPrefixAt(text, i)) {
        while (j < n && IsHexDigit(text[j])) ++j;
        if (j >= n || !IsAlnum(text[j])) {
          AddNumber(text.substr(i + 2, j - i - 2), true, i, j, &tokens);
          i = j;
          continue;
        }
      } else {
        while (j < n && IsPlaceholderChar(text[j])) ++j;
        if (j - i >= 4 && (j >= n || !IsAlnum(text[j]))) {
          AddSimple(TextTokenKind::kPlaceholder, std::string(text.substr(i, j - i)), i, j, &tokens);
          i = j;
          continue;
        }
      }
    }
    if (IsAlnum(c)) {
      size_t j = i;
      while (j < n && (IsAlnum(text[j]) ||
                       (IsInnerWordChar(text[j]) && j + 1 < n && IsAlnum(text[j + 1])))) {
        ++j;
      }
      std::string_view w = text.substr(i, j - i);
      // "40-byte header", "16-bit words": a count and a unit.
      size_t dash = w.find('-');
      if (dash != std::string_view::npos && dash > 0 &&
          std::all_of(w.begin(), w.begin() + dash, IsDecimalDigit) && dash + 1 < w.size() &&
          std::all_of(w.begin() + dash + 1, w.end(),
                      [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)) != 0; })) {
        AddNumber(w.substr(0, dash), false, i, i + dash, &tokens);
        std::string unit(w.substr(dash + 1));
        for (char& ch : unit) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        AddSimple(TextTokenKind::kWord, std::move(unit), i + dash + 1, j, &tokens);
        i = j;
        continue;
      }
      if (w.size() <= 16 && std::all_of(w.begin(), w.end(), IsHexDigit)) {
        AddNumber(w, false, i, j, &tokens);
      } else if (w.size() == 4 && std::all_of(w.begin(), w.end(), IsPlaceholderChar)) {
        AddSimple(TextTokenKind::kPlaceholder, std::string(w), i, j, &tokens);
      } else {
        std::string lower(w);
        for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        AddSimple(TextTokenKind::kWord, std::move(lower), i, j, &tokens);
      }
      i = j;
      continue;
    }
    // Symbols; the arrows and the minus sign may be written in UTF-8.
    std::string_view rest = text.substr(i);
    auto starts = [&](std::string_view s) { return rest.substr(0, s.size()) == s; };
    if (starts("-->")) {
      AddSimple(TextTokenKind::kSymbol, "->", i, i + 3, &tokens);
      i += 3;
    } else if (starts("->") || starts("=>")) {
      AddSimple(TextTokenKind::kSymbol, "->", i, i + 2, &tokens);
      i += 2;
    } else if (starts("\xe2\x86\x92") || starts("\xe2\x87\x92")) {  // → ⇒
      AddSimple(TextTokenKind::kSymbol, "->", i, i + 3, &tokens);
      i += 3;
    } else if (starts("\xe2\x88\x92")) {  // − (minus sign)
      AddSimple(TextTokenKind::kSymbol, "-", i, i + 3, &tokens);
      i += 3;
    } else if (starts("\xe2\x80\xa6") || starts("...")) {  // … or ...: a series left out
      const size_t n = 3;
      AddSimple(TextTokenKind::kSymbol, "...", i, i + n, &tokens);
      i += n;
      while (i < text.size() && text[i] == '.') ++i;
    } else if (starts("\xc3\x97") || starts("\xc2\xb7")) {  // × and · (multiplication)
      AddSimple(TextTokenKind::kSymbol, "*", i, i + 2, &tokens);
      i += 2;
    } else if (starts("\xc2\xb2")) {  // ² (squared)
      AddSimple(TextTokenKind::kSymbol, "^2", i, i + 2, &tokens);
      i += 2;
    } else if (starts("\xe2\x8b\x85")) {  // ⋅ (dot operator)
      AddSimple(TextTokenKind::kSymbol, "*", i, i + 3, &tokens);
      i += 3;
    } else if (starts("\xe2\x89\xa1")) {  // ≡
      AddSimple(TextTokenKind::kSymbol, "=", i, i + 3, &tokens);
      i += 3;
    } else if (starts("==")) {
      AddSimple(TextTokenKind::kSymbol, "=", i, i + 2, &tokens);
      i += 2;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      ++i;  // other non-ASCII characters carry nothing the audit reads
    } else {
      AddSimple(TextTokenKind::kSymbol, std::string(1, c), i, i + 1, &tokens);
      ++i;
    }
  }
  return scan;
}

}  // namespace llmstack
