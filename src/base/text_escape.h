// Making untrusted text (a model's answer, a server's error message, a capture's file name) safe
// for each output format: valid UTF-8 first, then the escaping the format needs.
#ifndef LLMSTACK_BASE_TEXT_ESCAPE_H_
#define LLMSTACK_BASE_TEXT_ESCAPE_H_

#include <string>
#include <string_view>

namespace llmstack {

// The text with every byte that is not part of a well-formed UTF-8 sequence (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF) replaced by `replacement`.
std::string ValidUtf8(std::string_view text, std::string_view replacement = "\xef\xbf\xbd");

// For HTML text and attribute values: & < > " ' escaped; invalid UTF-8 replaced; C0 control
// characters other than tab, line feed and carriage return shown as their Unicode control
// pictures (U+2400 + c, "␛" for ESC), so nothing the text holds is ever markup or invisible.
std::string EscapeHtml(std::string_view text);

// For XML 1.0 text and attribute values: as EscapeHtml, but characters XML 1.0 cannot carry at
// all (C0 controls other than tab, LF, CR; U+FFFE, U+FFFF) become control pictures or U+FFFD, and
// tab, LF and CR are written as character references when `attribute` is set, so an attribute
// value keeps them through attribute-value normalisation.
std::string EscapeXml(std::string_view text, bool attribute = false);

// For a terminal line or a one-line message built from untrusted text (a server's or a
// command's error text): invalid UTF-8 replaced; C0 controls (line breaks, tab and ESC
// included) and DEL shown as control pictures, the C1 controls U+0080..U+009F as U+FFFD. A
// hostile server cannot clear the screen, move the cursor or start a line that looks like the
// tool's own.
std::string EscapeControls(std::string_view text);

// One CSV field (RFC 4180 §2): quoted when it holds a comma, a double quote, CR or LF, or
// starts or ends with a space; inner quotes doubled. Invalid UTF-8 replaced; C0 controls other
// than tab, CR and LF, DEL and the C1 controls escaped as EscapeControls does, so a cell shown
// with `cat` cannot drive the terminal.
std::string CsvField(std::string_view text);

// For a Markdown table cell: | and ` and < > & escaped, line breaks as spaces.
std::string EscapeMarkdownCell(std::string_view text);

}  // namespace llmstack

#endif  // LLMSTACK_BASE_TEXT_ESCAPE_H_
