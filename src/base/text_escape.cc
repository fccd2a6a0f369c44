#include "base/text_escape.h"

#include <cstdint>

namespace llmstack {

namespace {

// Length of the well-formed UTF-8 sequence at text[i] (RFC 3629 §4), or 0.
size_t SequenceLength(std::string_view text, size_t i) {
  auto at = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t c = at(i);
  if (c < 0x80) return 1;
  size_t n;
  uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;  // no overlong forms
    if (c == 0xed) hi = 0x9f;  // no surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if ((at(i + k) & 0xc0) != 0x80) return 0;
  }
  return n;
}

// U+2400 + c (U+2421 for DEL): the visible stand-in for a control character.
void AppendControlPicture(std::string& out, uint8_t c) {
  out += "\xe2\x90";
  out.push_back(static_cast<char>(c == 0x7f ? 0xa1 : 0x80 + c));
}

// Whether text[i] starts a C1 control (U+0080..U+009F, UTF-8 C2 80..C2 9F).
bool IsC1Control(std::string_view text, size_t i) {
  return static_cast<uint8_t>(text[i]) == 0xc2 && i + 1 < text.size() &&
         static_cast<uint8_t>(text[i + 1]) <= 0x9f;
}

// Valid UTF-8 `text` with its controls made visible; `keep` lists the C0 controls left as
// they are.
std::string ShowControls(std::string_view raw, std::string_view keep) {
  std::string text = ValidUtf8(raw);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    uint8_t c = static_cast<uint8_t>(text[i]);
    if ((c < 0x20 || c == 0x7f) && keep.find(static_cast<char>(c)) == std::string_view::npos) {
      AppendControlPicture(out, c);
    } else if (IsC1Control(text, i)) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

enum class Markup { kHtml, kXmlText, kXmlAttribute };

std::string Escape(std::string_view raw, Markup markup) {
  std::string text = ValidUtf8(raw);
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t i = 0; i < text.size(); ++i) {
    uint8_t c = static_cast<uint8_t>(text[i]);
    switch (c) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '"':
        out += "&quot;";
        continue;
      case '\'':
        out += "&#39;";
        continue;
      case '\n':
        out += markup == Markup::kXmlAttribute ? "&#10;" : "\n";
        continue;
      case '\t':
        out += markup == Markup::kXmlAttribute ? "&#9;" : "\t";
        continue;
      case '\r':
        // XML parsers turn a literal CR into LF; a reference keeps it.
        out += markup == Markup::kHtml ? "\r" : "&#13;";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
      AppendControlPicture(out, c);
    } else if (markup != Markup::kHtml && c == 0xef && i + 2 < text.size() &&
               static_cast<uint8_t>(text[i + 1]) == 0xbf &&
               static_cast<uint8_t>(text[i + 2]) >= 0xbe) {
      out += "\xef\xbf\xbd";  // U+FFFE and U+FFFF are not XML characters
      i += 2;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace

std::string ValidUtf8(std::string_view text, std::string_view replacement) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t n = SequenceLength(text, i);
    if (n == 0) {
      out += replacement;
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string EscapeHtml(std::string_view text) { return Escape(text, Markup::kHtml); }

std::string EscapeXml(std::string_view text, bool attribute) {
  return Escape(text, attribute ? Markup::kXmlAttribute : Markup::kXmlText);
}

std::string EscapeControls(std::string_view text) { return ShowControls(text, ""); }

std::string CsvField(std::string_view raw) {
  std::string text = ShowControls(raw, "\t\r\n");
  bool quote = !text.empty() && (text.front() == ' ' || text.back() == ' ');
  for (char c : text) quote = quote || c == ',' || c == '"' || c == '\r' || c == '\n';
  if (!quote) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string EscapeMarkdownCell(std::string_view raw) {
  std::string text = ValidUtf8(raw);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      case '|':
      case '\\':
      case '`':
      case '*':
      case '[':
      case ']':
      case '~':
        out += '\\';
        out += c;
        break;
      default:
        if (static_cast<uint8_t>(c) < 0x20 || c == 0x7f) {
          AppendControlPicture(out, static_cast<uint8_t>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace llmstack
