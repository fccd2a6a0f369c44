#include "report/report_html.h"

#include <cstdio>

#include "base/text_escape.h"
#include "report/report_charts.h"
#include "report/report_html_packet.h"
#include "report/report_json.h"
#include "report/report_text.h"
#include "report/statistics.h"
#include "report/terminal_report.h"

namespace llmstack {

namespace {

// Colours from a palette built for contrast (WCAG AA for text on its background).
constexpr const char* kStyle = R"css(
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;--accent:#0969da;
--pass:#116329;--pass-bg:#dafbe1;--warn:#7d4e00;--warn-bg:#fff8c5;--fail:#a40e26;--fail-bg:#ffebe9;
--info:#424a53;--info-bg:#eef1f4}
*{box-sizing:border-box}
html{font-size:17px;-webkit-text-size-adjust:100%}
body{margin:0;color:var(--ink);background:#fff;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",
"Noto Sans","DejaVu Sans",Helvetica,Arial,sans-serif}
main{max-width:76rem;margin:0 auto;padding:1.75rem 1.5rem 4rem}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,
"Liberation Mono",monospace}
code{font-size:.92em}
a{color:var(--accent)}
h1{font-size:2rem;line-height:1.2;margin:.15rem 0 .5rem;font-weight:700}
h2{font-size:1.35rem;margin:2.4rem 0 .8rem;padding-bottom:.3rem;border-bottom:2px solid var(--line)}
h3{font-size:1.05rem;margin:0 0 .5rem}
h4{font-size:.95rem;margin:1.1rem 0 .4rem}
.kicker{text-transform:uppercase;letter-spacing:.08em;font-size:.78rem;color:var(--muted);margin:0}
.meta{color:var(--muted);margin:.2rem 0;font-size:.93rem}
.meta b{color:var(--ink);font-weight:600}
.muted{color:var(--muted)}
.note{border-left:4px solid var(--accent);background:#ddf4ff;padding:.55rem 1rem;margin:.8rem 0;
border-radius:0 6px 6px 0}
.headline{font-size:1.3rem;margin:1.2rem 0 .6rem}
.headline b{font-size:1.6rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(8.2rem,1fr));gap:.5rem;margin:.6rem 0 1.4rem}
.tile{border-radius:10px;padding:.5rem .75rem;background:var(--info-bg);color:var(--info);
border:1px solid transparent}
.tile b{display:block;font-size:2rem;line-height:1.15;font-variant-numeric:tabular-nums}
.tile span{font-size:.85rem;font-weight:600}
.tile.zero{background:#fff;border-color:var(--line);color:var(--muted)}
.tile.good{background:var(--pass-bg);color:var(--pass)}
.tile.bad{background:var(--fail-bg);color:var(--fail)}
.tile.err{background:var(--warn-bg);color:var(--warn)}
.panels{display:grid;grid-template-columns:minmax(0,1.05fr) minmax(0,1fr);gap:2rem;align-items:start}
.panel{min-width:0}
svg.chart{width:100%;height:auto;display:block}
svg.chart .mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.32rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
thead th{background:var(--panel);font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
table.numbers th{font-weight:600;width:34%;color:var(--muted);white-space:nowrap}
table.numbers td{font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:.05rem .55rem;border-radius:999px;font-size:.8rem;
font-weight:700;text-transform:uppercase;letter-spacing:.03em;white-space:nowrap;
background:var(--info-bg);color:var(--info)}
.badge.good{background:var(--pass-bg);color:var(--pass)}
.badge.bad{background:var(--fail-bg);color:var(--fail)}
.badge.err{background:var(--warn-bg);color:var(--warn)}
.grade{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.78rem;font-weight:700;
text-transform:uppercase;background:var(--info-bg);color:var(--info)}
.grade.pass{background:var(--pass-bg);color:var(--pass)}
.grade.warn{background:var(--warn-bg);color:var(--warn)}
.grade.fail{background:var(--fail-bg);color:var(--fail)}
table.fields tr.g-fail td{background:var(--fail-bg)}
table.fields tr.g-warn td{background:var(--warn-bg)}
table.fields{font-size:.88rem}
table.fields td{padding:.18rem .6rem}
table.fields td:first-child{white-space:nowrap}
table.fields td small{color:var(--muted);font-size:.8rem}
table.fields tr.g-pass td,table.fields tr.g-info td{color:#3d444d}
table.attention td.what{color:var(--fail)}
table.attention td:nth-child(2){white-space:nowrap}
.packet{border:1px solid var(--line);border-left:6px solid var(--line);border-radius:8px;
margin:.7rem 0;background:#fff}
.packet.good{border-left-color:#2da44e}
.packet.bad{border-left-color:#cf222e}
.packet.err{border-left-color:#d4a72c}
.packet>summary,.packet.compact{padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem .8rem;
align-items:baseline}
.packet>summary{cursor:pointer;list-style:none}
.packet>summary::-webkit-details-marker{display:none}
.packet>summary::before{content:"\25B8";color:var(--muted);width:.8rem}
.packet[open]>summary::before{content:"\25BE"}
.packet>summary:hover{background:var(--panel)}
.packet .what{color:var(--fail);font-weight:600;flex-basis:100%;padding-left:1.6rem}
.packet.compact .what{padding-left:0}
.packet .body{padding:.2rem 1rem 1rem;border-top:1px solid var(--line)}
.where{font-weight:600}
.bytes{margin:.6rem 0}
.pane{display:grid;grid-template-columns:9.5rem minmax(0,1fr);gap:.8rem;margin:.35rem 0;align-items:start}
.pane-label{font-weight:600;padding-top:.35rem}
.pane-label small{display:block;font-weight:400;color:var(--muted);font-size:.78rem;line-height:1.3}
pre{margin:0}
pre.hex{font-size:.86rem;line-height:1.5;background:var(--panel);padding:.4rem .75rem;
border-radius:6px;overflow-x:auto}
.hex .off{color:var(--muted)}
.hex .bad,.sw.bad{background:#ffcecb;color:#82071e;font-weight:700;border-radius:2px}
.hex .shd,.sw.shd{background:#aceebb;color:#044f1e;font-weight:700;border-radius:2px}
.hex .wrn,.sw.wrn{background:#fae17d;color:#3b2300;border-radius:2px}
.hex .alw,.sw.alw{background:#e0e4e9;text-decoration:underline dotted;border-radius:2px}
.hex .chg,.sw.chg{background:#ddf4ff;color:#0a3069;border-radius:2px}
.legend{font-size:.82rem;color:var(--muted);margin:.2rem 0 .4rem}
.legend .sw{padding:0 .35rem;margin-right:.2rem;font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.legend>span.item{margin-right:1rem;white-space:nowrap}
details.work{margin:.25rem 0}
details.work>summary{cursor:pointer;padding:.15rem 0}
details.work p.span{margin:.2rem 0;font-size:.88rem;color:var(--muted)}
details.work pre{font-size:.8rem;line-height:1.4;background:var(--panel);padding:.45rem .75rem;
border-radius:6px;overflow-x:auto;margin:.2rem 0 .6rem}
.sum{font-weight:600}
.sum.ok{color:var(--pass)}.sum.warn{color:var(--warn)}.sum.bad{color:var(--fail)}
pre.answer{white-space:pre-wrap;overflow-wrap:anywhere;background:#fffdf3;border:1px solid #e9dfb5;
padding:.6rem .9rem;border-radius:6px;font-size:.84rem;line-height:1.45;max-height:26rem;overflow:auto}
pre.answer.empty{color:var(--muted)}
details.reasoning>summary{cursor:pointer;font-weight:600;margin:.8rem 0 .3rem;font-size:.95rem}
.usage{color:var(--muted);font-size:.88rem;margin:.6rem 0 0}
.error{color:var(--warn);font-weight:600}
ul.audit{margin:.2rem 0;padding-left:1.2rem}
footer{margin-top:3rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);padding-top:.8rem}
@media (max-width:60rem){.panels{grid-template-columns:1fr}.pane{grid-template-columns:1fr;gap:.1rem}}
@page{margin:14mm}
@media print{
html{font-size:10pt}
main{max-width:none;padding:0}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
a{color:inherit;text-decoration:none}
.panels{grid-template-columns:1fr 1fr}
.pane,details.work,tr,.tile{break-inside:avoid}
h2{break-after:avoid}
pre.answer{max-height:none;overflow:visible}
pre.hex,details.work pre{overflow:visible;white-space:pre-wrap}
.packet>summary::before,.packet[open]>summary::before{content:none}
.tiles{grid-template-columns:repeat(8,minmax(0,1fr))}
}
)css";

// How a verdict is coloured: good, bad (the model's fault), err (not the model's fault).
const char* Tone(Verdict v) {
  switch (v) {
    case Verdict::kCorrect:
    case Verdict::kSilentOk:
      return "good";
    case Verdict::kError:
      return "err";
    case Verdict::kTruncated:
      return "";
    default:
      return "bad";
  }
}

std::string VerdictWords(Verdict v) {
  std::string s = VerdictName(v);
  for (char& c : s) c = c == '_' ? ' ' : c;
  return s;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string AnchorId(const PacketResult& r) {
  return "r" + std::to_string(r.index) + "-" + std::to_string(r.sample + 1);
}

std::string Header(const RunInfo& info, uint64_t attention) {
  std::string out = "<header>";
  out += "<p class=\"kicker\">" +
         EscapeHtml(std::string(kToolName) + " " + LLMSTACK_VERSION + " · " + info.command +
                    " report") +
         "</p>";
  if (info.model_is_reference) {
    out += "<h1>Echo replies from the built-in reference stack</h1>";
  } else if (info.model) {
    out += "<h1>Echo replies from <span class=\"mono\">" + EscapeHtml(*info.model) + "</span></h1>";
  } else {
    out += "<h1>Echo replies graded</h1>";
  }
  out += "<p class=\"meta\"><b>input</b> <code>" + EscapeHtml(info.input) +
         "</code> · <b>profile</b> " + EscapeHtml(info.profile);
  if (info.prompt_path) {
    out += " · <b>prompt</b> <code>" + EscapeHtml(*info.prompt_path) + "</code>";
    if (info.prompt_sha256) {
      out += " <span title=\"sha256 " + EscapeHtml(*info.prompt_sha256) + "\">(sha256 " +
             EscapeHtml(info.prompt_sha256->substr(0, 12)) + "…)</span>";
    }
  }
  out += "</p><p class=\"meta\"><b>started</b> " + EscapeHtml(info.started_at) +
         " · <b>finished</b> " + EscapeHtml(info.finished_at);
  if (attention > 0) {
    out += " · <a href=\"#attention\">" + std::to_string(attention) + " result" +
           (attention == 1 ? "" : "s") + " to look at</a>";
  }
  out += "</p>";
  if (info.model_is_reference) {
    out += "<p class=\"note\"><b>Not a model.</b> These replies come from the " +
           std::string(kReferenceLabel) +
           ": the answer key. A run with it is a dry run of the whole pipeline.</p>";
  }
  out += "</header>";
  return out;
}

std::string Tiles(const RunSummary& s) {
  const uint64_t results = s.requests * static_cast<uint64_t>(s.samples);
  const uint64_t ok = s.count(Verdict::kCorrect) + s.count(Verdict::kSilentOk);
  std::string out = "<p class=\"headline\"><b>" + std::to_string(ok) + "</b> of <b>" +
                    std::to_string(results) + "</b> " + (s.samples > 1 ? "answers" : "requests") +
                    " handled correctly";
  if (results > 0) out += " (" + Fixed(100.0 * ok / results, 1) + "%)";
  out += "</p><div class=\"tiles\">";
  for (size_t v = 0; v < kVerdictCount; ++v) {
    Verdict verdict = static_cast<Verdict>(v);
    uint64_t n = s.verdicts[v];
    std::string tone = n == 0 ? "zero" : Tone(verdict);
    out += "<div class=\"tile " + tone + "\" data-verdict=\"" + VerdictName(verdict) + "\"><b>" +
           std::to_string(n) + "</b><span>" + VerdictWords(verdict) + "</span></div>";
  }
  out += "</div>";
  return out;
}

std::string NumbersTable(const RunInfo& info, const RunSummary& s) {
  auto row = [](const std::string& name, const std::string& value, const char* key) {
    return "<tr data-key=\"" + std::string(key) + "\"><th>" + EscapeHtml(name) + "</th><td>" +
           value + "</td></tr>";
  };
  std::string out = "<table class=\"numbers\"><tbody>";
  out += row("requests",
             std::to_string(s.requests) +
                 (s.samples > 1 ? " × " + std::to_string(s.samples) + " samples" : ""),
             "requests");
  out += row(
      "frames read",
      std::to_string(s.frames) + " (" + std::to_string(s.skipped) + " not echo requests, skipped)",
      "frames");
  if (s.rtt.count > 0) {
    out += row("rtt min/avg/max/mdev",
               Fixed(s.rtt.min, 3) + "/" + Fixed(s.rtt.avg(), 3) + "/" + Fixed(s.rtt.max, 3) + "/" +
                   Fixed(s.rtt.mdev(), 3) + " ms",
               "rtt");
  }
  if (s.rtt.count > 0) {
    out += row("rtt p50/p90/p99",
               Fixed(s.rtt.percentile(50), 3) + "/" + Fixed(s.rtt.percentile(90), 3) + "/" +
                   Fixed(s.rtt.percentile(99), 3) + " ms",
               "rtt_percentiles");
  }
  if (s.accuracy.graded > 0) {
    std::pair<double, double> ci = WilsonInterval(s.accuracy.correct, s.accuracy.graded);
    out +=
        row("accuracy",
            std::to_string(s.accuracy.correct) + "/" + std::to_string(s.accuracy.graded) + " = " +
                Fixed(100.0 * s.accuracy.correct / s.accuracy.graded, 1) + "% (95% interval " +
                Fixed(100 * ci.first, 1) + "–" + Fixed(100 * ci.second, 1) + "%, Wilson)",
            "accuracy");
  }
  if (s.samples > 1) {
    std::string ks;
    for (size_t k = 1; k <= s.pass_at.size(); ++k) {
      ks += (k > 1 ? ", " : "") + std::string("k=") + std::to_string(k) + " " +
            Fixed(s.pass_at[k - 1], 3) + " / " + Fixed(s.pass_hat[k - 1], 3);
    }
    if (!ks.empty()) out += row("pass@k / pass^k", ks, "pass_at");
  }
  if (s.samples > 1) {
    out += row(
        "pass@" + std::to_string(s.samples) + " / all " + std::to_string(s.samples) + " correct",
        Fixed(s.pass_at_k, 3) + " / " + Fixed(s.pass_all_k, 3), "samples");
  }
  if (info.model_is_reference) {
    out += row("tokens and cost", "none: the " + EscapeHtml(kReferenceLabel), "usage");
  } else if (info.model) {
    out +=
        row("tokens",
            std::to_string(s.usage.input_tokens) + " in, " + std::to_string(s.usage.output_tokens) +
                " out (" + std::to_string(s.usage.reasoning_tokens) + " reasoning), " +
                std::to_string(s.usage.cache_read_tokens) + " cache read",
            "tokens");
    out += row("requests sent",
               std::to_string(s.model_requests) + " (" + std::to_string(s.retries) + " retries); " +
                   std::to_string(s.cache_hits) + " answers from the cache",
               "sent");
    out += row("estimated cost",
               s.usage.cost_known
                   ? "$" + Fixed(s.usage.cost_usd, 4) +
                         (s.cost_per_correct()
                              ? " ($" + Fixed(*s.cost_per_correct(), 6) + " per correct reply)"
                              : std::string())
                   : std::string("unknown"),
               "cost");
  }
  out += "</tbody></table>";
  return out;
}

std::string Charts(const RunSummary& s, const std::vector<LatencyPoint>& points,
                   const RunInfo& info) {
  std::vector<FieldBar> bars;
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (!s.field_seen[i]) continue;
    const FieldInfo& f = GetFieldInfo(static_cast<FieldId>(i));
    bars.push_back({f.name, f.title, s.fields[i][0], s.fields[i][1], s.fields[i][2]});
  }
  std::string out = "<div class=\"panels\"><div class=\"panel\"><h3>Per-field grades</h3>";
  out += bars.empty() ? "<p class=\"muted\">No replies were graded.</p>" : FieldGradeChart(bars);
  out += "</div><div class=\"panel\"><h3>Latency</h3>";
  out +=
      points.empty() ? "<p class=\"muted\">No latencies.</p>" : LatencyChart(points, s.rtt.avg());
  out += NumbersTable(info, s);
  out += "</div></div>";
  return out;
}

std::string Summary(const PacketResult& r, int samples) {
  std::string out = "<span class=\"badge " + std::string(Tone(r.verdict)) + "\">" +
                    VerdictWords(r.verdict) + "</span>";
  out += "<span class=\"where\">icmp_seq=" + std::to_string(r.seq) + " · " + EscapeHtml(r.src) +
         " → " + EscapeHtml(r.dst) + "</span>";
  std::string detail = "request " + std::to_string(r.index + 1);
  if (samples > 1)
    detail += ", sample " + std::to_string(r.sample + 1) + "/" + std::to_string(samples);
  detail += " · frame " + std::to_string(r.request_frame) + " · ident " + Hex16(r.ident) + " · " +
            std::to_string(r.request_hex.size() / 2) + " bytes";
  if (r.rtt_ms) detail += " · " + FormatMilliseconds(*r.rtt_ms) + " ms";
  out += "<span class=\"muted\">" + EscapeHtml(detail) + "</span>";
  std::string why = ExplainVerdict(r);
  if (!why.empty()) out += "<span class=\"what\">" + EscapeHtml(why) + "</span>";
  return out;
}

std::string Legend(const PacketResult& r) {
  std::string out = "<p class=\"legend\">";
  auto item = [&](const char* cls, const char* sample, const char* words) {
    out += std::string("<span class=\"item\"><span class=\"sw ") + cls + "\">" + sample +
           "</span>" + words + "</span>";
  };
  if (!r.expected_hex.empty()) item("chg", "08", "changed by a correct stack");
  if (r.has_reply && !r.expected_hex.empty()) {
    item("bad", "54", "wrong in the reply");
    item("shd", "5c", "what it should be");
    item("wrn", "00", "differs: a warning");
    item("alw", "81", "differs, allowed");
  } else if (r.has_reply && !r.fields.empty()) {
    item("bad", "08", "in a field that fails");
  }
  out += "</p>";
  return out;
}

std::string PacketSection(const RunInfo& info, const RunSummary& s, const PacketResult& r,
                          bool detailed) {
  const std::string tone = Tone(r.verdict);
  if (!detailed) {
    return "<div class=\"packet compact " + tone + "\" id=\"" + AnchorId(r) + "\">" +
           Summary(r, s.samples) + "</div>\n";
  }
  std::string out = "<details class=\"packet " + tone + "\" id=\"" + AnchorId(r) + "\"" +
                    (NeedsAttention(r.verdict) ? " open" : "") + "><summary>" +
                    Summary(r, s.samples) + "</summary><div class=\"body\">";
  out += "<h4>Bytes</h4>" + Legend(r) + HtmlBytePanes(r);
  if (!r.why_silent.empty()) {
    out += "<p class=\"note\">No reply is due: " + EscapeHtml(r.why_silent) + ".</p>";
  }
  std::string fields = HtmlFieldTable(r);
  if (!fields.empty()) out += "<h4>Fields</h4>" + fields;
  if (r.expectation != ReplyExpectation::kRequired) {
    // Why no reply is due can be a checksum of the request's that does not verify.
    Result<Bytes> request = HexDecode(r.request_hex);
    std::string steps = request.ok() ? HtmlChecksumSteps(*request, "request") : "";
    if (!steps.empty()) out += "<h4>The request's checksums, step by step</h4>" + steps;
  }
  if (r.has_reply) {
    Result<Bytes> reply = HexDecode(r.reply_hex);
    std::string steps = reply.ok() ? HtmlChecksumSteps(*reply, "reply") : "";
    if (!steps.empty()) out += "<h4>The reply's checksums, step by step</h4>" + steps;
  }
  out += HtmlAnswer(info, r);
  out += "</div></details>\n";
  return out;
}

std::string AttentionRow(const PacketResult& p, int samples) {
  std::string request = "icmp_seq=" + std::to_string(p.seq) + " " + p.src + " → " + p.dst;
  if (samples > 1) request += " sample " + std::to_string(p.sample + 1);
  return "<tr><td><span class=\"badge " + std::string(Tone(p.verdict)) + "\">" +
         VerdictWords(p.verdict) + "</span></td><td><a href=\"#" + AnchorId(p) + "\">" +
         EscapeHtml(request) + "</a></td><td class=\"num\">" + std::to_string(p.request_frame) +
         "</td><td class=\"what\">" + EscapeHtml(ExplainVerdict(p)) + "</td></tr>";
}

// The page in one pass over the results: the rows of "To look at" and the result sections go
// to spools as they come; the latencies are kept (small) for the chart. Whether every result
// gets its details depends on how many there are, so the first kHtmlDetailedResults + 1 wait
// in memory until that is known.
class HtmlReportStream : public ReportStream {
 public:
  HtmlReportStream(const RunInfo& info, int samples) : info_(info) { summary_.samples = samples; }

  Status Add(const PacketResult& p) override {
    ++results_;
    if (p.rtt_ms) {
      latency_ms_.push_back(static_cast<float>(*p.rtt_ms));
      latency_correct_.push_back(p.verdict == Verdict::kCorrect);
    }
    if (NeedsAttention(p.verdict)) {
      ++attention_;
      Status s = attention_rows_.Append(AttentionRow(p, summary_.samples));
      if (!s.ok()) return s;
    }
    if (!overflowed_) {
      held_.push_back(p);
      if (held_.size() <= kHtmlDetailedResults) return Status::Ok();
      overflowed_ = true;
      for (const PacketResult& h : held_) {
        Status s = AddSection(h);
        if (!s.ok()) return s;
      }
      held_.clear();
      held_.shrink_to_fit();
      return Status::Ok();
    }
    return AddSection(p);
  }

  Status Finish(const RunInfo& info, const RunSummary& s, const ReportWrite& write) override {
    for (const PacketResult& h : held_) {
      Status st = sections_.Append(PacketSection(info_, summary_, h, true));
      if (!st.ok()) return st;
    }
    held_.clear();
    std::vector<LatencyPoint> points;
    points.reserve(latency_ms_.size());
    for (size_t i = 0; i < latency_ms_.size(); ++i) {
      points.push_back({latency_ms_[i], latency_correct_[i]});
    }
    std::string title = info.input + (info.model ? " · " + *info.model : std::string(" · grade"));
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"generator\" content=\"" +
        EscapeHtml(std::string(kToolName) + " " + LLMSTACK_VERSION) + "\"><title>" +
        EscapeHtml(title) + "</title><style>" + kStyle + "</style></head><body><main>\n";
    out += Header(info, attention_);
    out += "<section id=\"summary\">" + Tiles(s) + Charts(s, points, info) + "</section>\n";
    points.clear();
    points.shrink_to_fit();
    out += "<section id=\"attention\"><h2>To look at (" + std::to_string(attention_) + ")</h2>";
    if (attention_ == 0) {
      out += "<p>Nothing: every result is as it should be.</p>";
    } else {
      out +=
          "<table class=\"attention\"><thead><tr><th>verdict</th><th>request</th>"
          "<th class=\"num\">frame</th><th>what went wrong</th></tr></thead><tbody>";
    }
    Status st = write(out);
    if (st.ok()) st = attention_rows_.CopyTo(write);
    out = attention_ == 0 ? "" : "</tbody></table>";
    out += "</section>\n";
    out += "<section id=\"results\"><h2>Every result (" + std::to_string(results_) + ")</h2>";
    if (overflowed_) {
      out += "<p class=\"muted\">" + std::to_string(results_) + " results: the first " +
             std::to_string(kHtmlDetailedResults) +
             " to look at are shown in full, every other one in one line. The JSON report has "
             "everything.</p>";
    }
    if (st.ok()) st = write(out);
    if (st.ok()) st = sections_.CopyTo(write);
    out = "</section>\n";
    out += "<footer>" +
           EscapeHtml(std::string(kToolName) + " " + LLMSTACK_VERSION + " · report schema " +
                      kReportSchema +
                      " · every checksum step of any packet: llmstack-replay explain HEX") +
           "</footer>\n</main></body></html>\n";
    if (st.ok()) st = write(out);
    return st;
  }

 private:
  // Past kHtmlDetailedResults results, only the first kHtmlDetailedResults to look at keep
  // their details.
  Status AddSection(const PacketResult& p) {
    bool detailed = NeedsAttention(p.verdict) && detailed_attention_++ < kHtmlDetailedResults;
    return sections_.Append(PacketSection(info_, summary_, p, detailed));
  }

  RunInfo info_;
  RunSummary summary_;  // what a section needs to know of the run: the samples
  uint64_t results_ = 0;
  uint64_t attention_ = 0;
  uint64_t detailed_attention_ = 0;
  bool overflowed_ = false;
  std::vector<PacketResult> held_;
  std::vector<float> latency_ms_;  // float: the chart's precision, half the memory
  std::vector<bool> latency_correct_;
  ReportSpool attention_rows_;
  ReportSpool sections_;
};

}  // namespace

std::unique_ptr<ReportStream> NewHtmlReportStream(const RunInfo& info, int samples) {
  return std::make_unique<HtmlReportStream>(info, samples);
}

std::string RenderHtmlReport(const RunInfo& info, const RunSummary& s,
                             const std::vector<PacketResult>& packets) {
  HtmlReportStream stream(info, s.samples);
  return RenderThroughStream(stream, info, s, packets);
}

}  // namespace llmstack
