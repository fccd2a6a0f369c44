#include "report/report_html_packet.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "base/text_escape.h"
#include "packet/checksum.h"
#include "packet/dissect.h"
#include "packet/icmp.h"
#include "packet/ip.h"
#include "report/report_json.h"
#include "report/report_text.h"
#include "report/terminal_report.h"

namespace llmstack {

namespace {

// How a byte is marked in a pane.
enum class Mark : uint8_t {
  kPlain,
  kChanged,  // request: a byte a correct stack changes in its reply
  kAllowed,  // differs from the expected reply, in a field where that is allowed
  kWarn,     // differs, in a field that warns
  kFail,     // differs, in a field that fails: what the reply got wrong
  kShould,   // expected reply: what the reply should have held there
};

const char* MarkClass(Mark m) {
  switch (m) {
    case Mark::kPlain:
      return "";
    case Mark::kChanged:
      return "chg";
    case Mark::kAllowed:
      return "alw";
    case Mark::kWarn:
      return "wrn";
    case Mark::kFail:
      return "bad";
    case Mark::kShould:
      return "shd";
  }
  return "";
}

Bytes Decode(const std::string& hex) {
  Result<Bytes> b = HexDecode(hex);
  return b.ok() ? *b : Bytes();
}

int GradeRank(FieldGrade g) {
  switch (g) {
    case FieldGrade::kFail:
      return 3;
    case FieldGrade::kWarn:
      return 2;
    case FieldGrade::kPass:
      return 1;
    case FieldGrade::kInfo:
      return 0;
  }
  return 0;
}

// For each offset of the reply's layout, the field with the worst grade that covers it
// (-1: none).
std::vector<int> FieldAt(const PacketResult& r, size_t size) {
  std::vector<int> at(size, -1);
  for (size_t k = 0; k < r.fields.size(); ++k) {
    const RenderedField& f = r.fields[k];
    size_t length = f.length == 0 ? 1 : f.length;
    for (size_t i = f.offset; i < f.offset + length && i < size; ++i) {
      if (at[i] < 0 || GradeRank(f.grade) > GradeRank(r.fields[at[i]].grade)) {
        at[i] = static_cast<int>(k);
      }
    }
  }
  return at;
}

struct Pane {
  std::string label;
  std::string detail;
  Bytes bytes;
  std::vector<Mark> marks;
  std::vector<int> tips;  // index into the tip texts, -1 for none
};

std::string RenderPane(const Pane& pane, const std::vector<std::string>& tip_texts) {
  const size_t n = pane.bytes.size();
  auto key = [&](size_t i) {
    return i < n ? std::make_pair(pane.marks[i], pane.tips[i]) : std::make_pair(Mark::kPlain, -1);
  };
  auto open_span = [&](size_t i) {
    std::string s = std::string("<span class=\"") + MarkClass(pane.marks[i]) + "\"";
    if (pane.tips[i] >= 0) s += " title=\"" + EscapeHtml(tip_texts[pane.tips[i]]) + "\"";
    return s + ">";
  };
  std::string out;
  char buf[24];
  for (size_t row = 0; row < n || (row == 0 && n == 0); row += 16) {
    if (n == 0) {
      out += "(no bytes)";
      break;
    }
    std::snprintf(buf, sizeof buf, "%04zx", row);
    out += std::string("<span class=\"off\">") + buf + "</span>  ";
    std::string hex, ascii;
    bool hex_open = false, ascii_open = false;
    for (size_t j = 0; j < 16; ++j) {
      const size_t i = row + j;
      const bool present = i < n;
      if (j > 0) {
        const char* sep = j == 8 ? "  " : " ";
        if (hex_open && !(present && key(i) == key(i - 1))) {
          hex += "</span>";
          hex_open = false;
        }
        if (ascii_open && !(present && key(i) == key(i - 1))) {
          ascii += "</span>";
          ascii_open = false;
        }
        hex += sep;
      }
      if (!present) {
        hex += "  ";
        continue;
      }
      if (!hex_open && pane.marks[i] != Mark::kPlain) {
        hex += open_span(i);
        ascii += open_span(i);
        hex_open = ascii_open = true;
      }
      std::snprintf(buf, sizeof buf, "%02x", pane.bytes[i]);
      hex += buf;
      uint8_t c = pane.bytes[i];
      if (c == '&') {
        ascii += "&amp;";
      } else if (c == '<') {
        ascii += "&lt;";
      } else if (c == '>') {
        ascii += "&gt;";
      } else {
        ascii += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
      }
    }
    if (hex_open) hex += "</span>";
    if (ascii_open) ascii += "</span>";
    out += hex + "   " + ascii + "\n";
  }
  return "<div class=\"pane\"><div class=\"pane-label\">" + EscapeHtml(pane.label) + "<small>" +
         EscapeHtml(pane.detail) + "</small></div><pre class=\"hex\">" + out + "</pre></div>";
}

std::string ByteCount(size_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

std::string Shorten(const std::string& value, size_t limit) {
  if (value.size() <= limit) return value;
  return value.substr(0, limit) + "…";
}

struct ChecksumWork {
  std::string title;
  std::string span;
  std::vector<std::string> lines;
  uint16_t stored = 0;
  uint16_t computed = 0;
};

// Every step of a datagram's IP header checksum (IPv4) and ICMP/ICMPv6 checksum, computed over
// its own bytes with the checksum field taken as zero.
std::vector<ChecksumWork> DatagramChecksums(ByteView reply) {
  std::vector<ChecksumWork> work;
  Dissection d = DissectDatagram(reply);
  if (!d.is_ipv6 && d.header_length >= 20 && reply.size() >= d.header_length) {
    Bytes header(reply.begin(), reply.begin() + static_cast<long>(d.header_length));
    ChecksumWork w;
    w.title = "IP header checksum";
    w.span = "over the " + std::to_string(d.header_length) + "-byte IP header";
    PeekBe16(header, 10, &w.stored);
    PutBe16(header, 10, 0);
    std::vector<ChecksumPart> parts = {{"IP header", ByteView(header), ChecksumSpan::kIpv4Header}};
    ChecksumTrace trace;
    w.computed = InternetChecksum(parts, &trace);
    w.lines = FormatChecksumTrace(trace);
    work.push_back(std::move(w));
  }
  if (d.is_echo && reply.size() >= d.header_length + 4) {
    const bool v6 = d.is_ipv6;
    ByteView message = reply.subspan(d.header_length);
    ChecksumWork w;
    w.title = v6 ? "ICMPv6 checksum" : "ICMP checksum";
    w.span = v6 ? "over the pseudo-header and the " + ByteCount(message.size()) + " ICMPv6 message"
                : "over the " + ByteCount(message.size()) + " ICMP message";
    PeekBe16(message, 2, &w.stored);
    ChecksumTrace trace;
    w.computed = ComputeIcmpChecksum(v6 ? IpFamily::kIpv6 : IpFamily::kIpv4,
                                     v6 ? reply.subspan(8, 16) : ByteView(),
                                     v6 ? reply.subspan(24, 16) : ByteView(), message, &trace);
    w.lines = FormatChecksumTrace(trace);
    work.push_back(std::move(w));
  }
  return work;
}

std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  // A long message keeps the start and the end of its word list and every line after it.
  size_t keep_head = lines.size(), skip = 0;
  if (lines.size() > kChecksumStepLines) {
    keep_head = kChecksumStepLines / 2;
    skip = lines.size() - kChecksumStepLines + 8;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i == keep_head && skip > 0) {
      out += "  … " + std::to_string(skip) +
             " more lines (every one: llmstack-replay explain HEX) …\n";
      i += skip - 1;
      continue;
    }
    out += EscapeHtml(lines[i]) + "\n";
  }
  return out;
}

std::string UsageLine(const PacketResult& r) {
  const Usage& u = r.usage;
  std::string s = "tokens: " + std::to_string(u.input_tokens) + " in, " +
                  std::to_string(u.output_tokens) + " out";
  if (u.reasoning_tokens > 0) s += " (" + std::to_string(u.reasoning_tokens) + " reasoning)";
  if (u.cache_read_tokens > 0) s += ", " + std::to_string(u.cache_read_tokens) + " cache read";
  if (u.cost_known) {
    char buf[48];
    std::snprintf(buf, sizeof buf, " · estimated cost $%.4f", u.cost_usd);
    s += buf;
  } else {
    s += " · cost unknown";
  }
  s += " · " + std::to_string(r.attempts) + (r.attempts == 1 ? " attempt" : " attempts");
  if (r.from_cache) s += " · answer from the cache";
  return s;
}

// Model text is shown in full up to this many bytes.
constexpr size_t kAnswerLimit = 100000;

std::string Verbatim(const std::string& text) {
  if (text.empty()) return "<pre class=\"answer empty\">(empty)</pre>";
  std::string shown = text.size() > kAnswerLimit ? text.substr(0, kAnswerLimit) : text;
  std::string out = "<pre class=\"answer\">" + EscapeHtml(shown) + "</pre>";
  if (shown.size() < text.size()) {
    out += "<p class=\"muted\">… " + std::to_string(text.size() - shown.size()) +
           " more bytes in the JSON report.</p>";
  }
  return out;
}

}  // namespace

std::string HtmlBytePanes(const PacketResult& r) {
  Bytes request = Decode(r.request_hex);
  Bytes expected = Decode(r.expected_hex);
  Bytes reply = r.has_reply ? Decode(r.reply_hex) : Bytes();
  const bool have_expected = !expected.empty();
  std::vector<int> at = FieldAt(r, std::max(expected.size(), reply.size()));
  std::vector<std::string> tips;
  for (const RenderedField& f : r.fields) {
    tips.push_back(f.name + ": " +
                   (f.grade == FieldGrade::kFail   ? "wrong"
                    : f.grade == FieldGrade::kWarn ? "warning"
                                                   : "differs, allowed"));
  }
  const int changed_tip = static_cast<int>(tips.size());
  tips.push_back("a correct stack changes this byte");
  const int extra_tip = static_cast<int>(tips.size());
  tips.push_back("not in the expected reply");
  const int missing_tip = static_cast<int>(tips.size());
  tips.push_back("missing from the reply");

  std::vector<Pane> panes;
  Pane req{"request", "frame " + std::to_string(r.request_frame) + ", " + ByteCount(request.size()),
           request, std::vector<Mark>(request.size()), std::vector<int>(request.size(), -1)};
  for (size_t i = 0; i < request.size() && have_expected; ++i) {
    if (i >= expected.size() || request[i] != expected[i]) {
      req.marks[i] = Mark::kChanged;
      req.tips[i] = changed_tip;
    }
  }
  panes.push_back(std::move(req));

  auto diff_mark = [&](size_t i, Mark fail) {
    int k = i < at.size() ? at[i] : -1;
    FieldGrade g = k >= 0 ? r.fields[k].grade : FieldGrade::kFail;
    return g == FieldGrade::kFail ? fail : g == FieldGrade::kWarn ? Mark::kWarn : Mark::kAllowed;
  };
  if (have_expected) {
    Pane exp{"expected", std::string(kReferenceLabel) + ", " + ByteCount(expected.size()), expected,
             std::vector<Mark>(expected.size()), std::vector<int>(expected.size(), -1)};
    for (size_t i = 0; i < expected.size(); ++i) {
      if (!r.has_reply) {
        // No reply to compare with: show what a correct stack changes.
        if (i >= request.size() || request[i] != expected[i]) {
          exp.marks[i] = Mark::kChanged;
          exp.tips[i] = changed_tip;
        }
        continue;
      }
      if (i >= reply.size()) {
        exp.marks[i] = Mark::kShould;
        exp.tips[i] = missing_tip;
      } else if (reply[i] != expected[i]) {
        exp.marks[i] = diff_mark(i, Mark::kShould);
        exp.tips[i] = at[i];
      }
    }
    panes.push_back(std::move(exp));
  }
  if (r.has_reply) {
    std::string who = r.model_output ? "the model's reply" : "the reply";
    std::string detail = (r.reply_frame ? "frame " + std::to_string(*r.reply_frame) + ", " : "") +
                         ByteCount(reply.size());
    Pane act{who, detail, reply, std::vector<Mark>(reply.size()),
             std::vector<int>(reply.size(), -1)};
    for (size_t i = 0; i < reply.size(); ++i) {
      if (have_expected) {
        if (i >= expected.size()) {
          act.marks[i] = diff_mark(i, Mark::kFail);
          act.tips[i] = at[i] >= 0 ? at[i] : extra_tip;
        } else if (reply[i] != expected[i]) {
          act.marks[i] = diff_mark(i, Mark::kFail);
          act.tips[i] = at[i];
        }
      } else if (at[i] >= 0 && (r.fields[at[i]].grade == FieldGrade::kFail ||
                                r.fields[at[i]].grade == FieldGrade::kWarn)) {
        // Nothing to compare with (no reply is due): mark the fields that fail.
        act.marks[i] = r.fields[at[i]].grade == FieldGrade::kFail ? Mark::kFail : Mark::kWarn;
        act.tips[i] = at[i];
      }
    }
    panes.push_back(std::move(act));
  }
  std::string out = "<div class=\"bytes\">";
  for (const Pane& p : panes) out += RenderPane(p, tips);
  out += "</div>";
  return out;
}

std::string HtmlFieldTable(const PacketResult& r) {
  if (r.fields.empty()) return "";
  std::string out =
      "<table class=\"fields\"><thead><tr><th>field</th><th class=\"num\">offset</th>"
      "<th>expected</th><th>actual</th><th>grade</th><th>note</th></tr></thead><tbody>";
  for (const RenderedField& f : r.fields) {
    FieldId id;
    std::string title = FindField(f.name, &id) ? GetFieldInfo(id).title : "";
    const char* grade = GradeName(f.grade);
    out += std::string("<tr class=\"g-") + grade + "\"><td><code>" + EscapeHtml(f.name) +
           "</code> <small>" + EscapeHtml(title) + "</small></td><td class=\"num\">" +
           std::to_string(f.offset) + "</td><td><code title=\"" + EscapeHtml(f.expected) + "\">" +
           EscapeHtml(Shorten(f.expected, 24)) + "</code></td><td><code title=\"" +
           EscapeHtml(f.actual) + "\">" + EscapeHtml(Shorten(f.actual, 24)) +
           "</code></td><td><span class=\"grade " + grade + "\">" + grade + "</span></td><td>" +
           EscapeHtml(f.note) + "</td></tr>";
  }
  out += "</tbody></table>";
  return out;
}

std::string HtmlChecksumSteps(ByteView datagram, const char* whose) {
  std::vector<ChecksumWork> work = DatagramChecksums(datagram);
  if (work.empty()) return "";
  std::string out = "<div class=\"checksums\">";
  for (const ChecksumWork& w : work) {
    std::string holds = std::string("the ") + whose + " holds " + Hex16(w.stored);
    std::string verdict, cls;
    if (w.stored == w.computed) {
      verdict = holds + ": matches";
      cls = "ok";
    } else if (w.computed == 0x0000 && w.stored == 0xffff) {
      verdict = holds + ": verifies too (0xffff and 0x0000 are the two zeros of one's complement)";
      cls = "warn";
    } else {
      verdict = holds + ": does NOT match " + Hex16(w.computed);
      cls = "bad";
    }
    // The computation that went wrong is open; the others are a click away.
    out += std::string("<details class=\"work\"") + (cls == "ok" ? "" : " open") + "><summary><b>" +
           EscapeHtml(w.title) + "</b> <span class=\"sum " + cls + "\">" + EscapeHtml(verdict) +
           "</span></summary><p class=\"span\">" + EscapeHtml(w.span) +
           ", the checksum field taken as 0000:</p><pre>" + Lines(w.lines) + "</pre></details>";
  }
  out += "</div>";
  return out;
}

std::string HtmlAnswer(const RunInfo& info, const PacketResult& r) {
  std::string out;
  if (info.model_is_reference) {
    out += "<p class=\"note\">Answered by the " + std::string(kReferenceLabel) +
           ": no text, no tokens, no cost.</p>";
  } else if (!info.model) {
    if (r.reply_frame) {
      out += "<p class=\"muted\">Reply taken from frame " + std::to_string(*r.reply_frame) +
             " of the graded capture.</p>";
    }
  }
  if (r.model_output) {
    out += "<h4>The model's answer, verbatim</h4>" + Verbatim(*r.model_output);
  }
  if (r.model_reasoning) {
    out += "<details class=\"reasoning\"><summary>The model's reasoning (" +
           std::to_string(r.model_reasoning->size()) + " bytes)</summary>" +
           Verbatim(*r.model_reasoning) + "</details>";
  }
  if (!r.audit.empty()) {
    out += "<h4>The audit of its working: " + EscapeHtml(DescribeAuditTally(r.audit.tally)) +
           "</h4><ul class=\"audit\">";
    for (const ModelAnswerAudit::Finding& f : r.audit.findings) {
      out += std::string("<li class=\"") +
             (f.finding.verdict == AuditVerdict::kWrong ? "wrong" : "ok") + "\">" +
             EscapeHtml(DescribeAuditFinding(f)) + "</li>";
    }
    out += "</ul>";
  }
  if (r.verdict == Verdict::kError && !r.error_message.empty()) {
    out +=
        "<p class=\"error\">" +
        EscapeHtml((r.why_error.empty() ? std::string() : r.why_error + ": ") + r.error_message) +
        "</p>";
  }
  if (r.attempts > 0 || r.from_cache) {
    out += "<p class=\"usage\">" + EscapeHtml(UsageLine(r)) + "</p>";
  }
  return out;
}

}  // namespace llmstack
