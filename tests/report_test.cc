// The reports (DESIGN §6): escaping for each format; choosing a format and a file name; one run
// writing .json .html .md .xml .csv carries the same numbers in all five (each parsed: JSON with
// nlohmann, JUnit with Python's xml.etree, CSV by RFC 4180, Markdown and HTML by their text);
// hostile model text is shown, never run; the HTML renders in headless Chromium with nothing
// external, and a screenshot of a run with mistakes is left in reports/example-report.png.
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "base/text_escape.h"
#include "grade/responder.h"
#include "report/reports.h"
#include "report_checks.h"
#include "standin_fixture.h"
#include "test_support.h"

namespace llmstack {
namespace {

using nlohmann::json;
using testing::FileExists;
using testing::ReadFile;
using testing::RunShell;
using testing::StandinServer;
using testing::TempDir;

std::string Tool() { return testing::QuotedToolPath(); }

TEST_CASE("escaping: HTML, XML, CSV and Markdown cells", "[report]") {
  CHECK(EscapeHtml("<script>alert('x') & \"y\"</script>") ==
        "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  // Invalid UTF-8 (a lone continuation byte, an overlong '/', a surrogate) is replaced; control
  // characters become visible; text, tabs and line breaks stay.
  CHECK(ValidUtf8("a\x80"
                  "b\xc0\xaf"
                  "c\xed\xa0\x80"
                  "d\xc3\xa9") ==
        "a\xef\xbf\xbd"
        "b\xef\xbf\xbd\xef\xbf\xbd"
        "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
        "d\xc3\xa9");
  CHECK(EscapeHtml("x\x1b[0m\ty\n") == "x\xe2\x90\x9b[0m\ty\n");
  CHECK(EscapeHtml(std::string("nul\0!", 5)) == "nul\xe2\x90\x80!");
  // XML: no character XML 1.0 forbids; CR kept as a reference; attribute values keep line breaks.
  CHECK(EscapeXml("a\x01\r\n\xef\xbf\xbe]]>") == "a\xe2\x90\x81&#13;\n\xef\xbf\xbd]]&gt;");
  CHECK(EscapeXml("a\nb\tc", true) == "a&#10;b&#9;c");
  // CSV, RFC 4180 §2.
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("a,b") == "\"a,b\"");
  CHECK(CsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(CsvField("two\r\nlines") == "\"two\r\nlines\"");
  CHECK(CsvField(" padded") == "\" padded\"");
  // Markdown: a cell cannot be broken out of, nor turned into a link, an image or HTML.
  CHECK(EscapeMarkdownCell("a|b\n![x](http://e/) <b>") == "a\\|b !\\[x\\](http://e/) &lt;b&gt;");
}

TEST_CASE("report formats by extension; bare names go to reports/", "[report]") {
  struct Case {
    const char* arg;
    ReportFormat format;
  };
  for (const Case& c :
       {Case{"r.json", ReportFormat::kJson}, Case{"out/r.html", ReportFormat::kHtml},
        Case{"r.htm", ReportFormat::kHtml}, Case{"r.md", ReportFormat::kMarkdown},
        Case{"junit.xml", ReportFormat::kJunit}, Case{"r.csv", ReportFormat::kCsv},
        Case{"html", ReportFormat::kHtml}, Case{".csv", ReportFormat::kCsv}}) {
    INFO(c.arg);
    Result<ReportFormat> f = ReportFormatFor(c.arg);
    REQUIRE(f.ok());
    CHECK(*f == c.format);
  }
  Result<ReportFormat> bad = ReportFormatFor("r.txt");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "r.txt: unknown report format (use .json, .html, .md, .xml for JUnit or .csv)");

  RunInfo info;
  info.command = "replay";
  info.input = "captures/kernel-sizes.pcap";
  info.model = "anthropic:claude-haiku-4-5";
  CHECK(ReportPath("html", info) == "reports/kernel-sizes-anthropic-claude-haiku-4-5.html");
  CHECK(ReportPath(".json", info) == "reports/kernel-sizes-anthropic-claude-haiku-4-5.json");
  CHECK(ReportPath("elsewhere/run.html", info) == "elsewhere/run.html");
  CHECK(ReportPath("run.html", info) == "run.html");
  info.model = "exec:ollama run qwen2.5 </dev/null";
  info.input = "/tmp/x/crafted-nano.pcapng";
  CHECK(ReportPath("md", info) == "reports/crafted-nano-exec-ollama-run-qwen2.5-dev-null.md");
  info.command = "grade";
  info.model.reset();
  CHECK(ReportPath("xml", info) == "reports/crafted-nano-grade.xml");
}

// RFC 4180: rows of fields; every record ends with CRLF.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      REQUIRE(field.empty());
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\r') {
      REQUIRE(i + 1 < text.size());
      REQUIRE(text[i + 1] == '\n');
      ++i;
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
    } else {
      REQUIRE(c != '\n');  // a bare LF outside quotes
      field += c;
    }
  }
  REQUIRE_FALSE(quoted);
  REQUIRE(row.empty());
  REQUIRE(field.empty());
  return rows;
}

// Reads a JUnit file with Python's standard XML parser; what it saw, as JSON.
json ParseJunit(const std::string& path) {
  static const char* kScript = R"py(
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
out = {"root": root.tag, "attrib": dict(root.attrib), "suites": []}
for s in root.findall("testsuite"):
    suite = {"attrib": dict(s.attrib), "properties": {}, "cases": []}
    for p in s.findall("properties/property"):
        suite["properties"][p.get("name")] = p.get("value")
    for c in s.findall("testcase"):
        case = {"name": c.get("name"), "classname": c.get("classname"), "kind": "pass"}
        for kind in ("failure", "error", "skipped"):
            e = c.find(kind)
            if e is not None:
                case["kind"] = kind
                case["message"] = e.get("message")
                case["type"] = e.get("type")
                case["text"] = e.text or ""
        o = c.find("system-out")
        if o is not None:
            case["system_out"] = o.text or ""
        suite["cases"].append(case)
    out["suites"].append(suite)
print(json.dumps(out))
)py";
  TempDir dir;
  testing::WriteFile(dir.File("junit.py"), kScript);
  testing::CommandResult r = RunShell("python3 '" + dir.File("junit.py") + "' '" + path + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The number a tile, table or property shows for a JSON number.
std::string Json(const json& v) { return v.dump(); }

bool IsFailure(const std::string& verdict) {
  return verdict == "wrong" || verdict == "no_reply" || verdict == "unparseable" ||
         verdict == "unexpected_reply";
}

std::vector<std::string> FailNames(const json& packet) {
  std::vector<std::string> names;
  for (const json& f : packet["fields"]) {
    if (f["grade"] == "fail") names.push_back(f["name"]);
  }
  return names;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ";") + n;
  return out;
}

// A run against the stand-in server with a known mistake per sequence number (IPv4 and IPv6,
// reasoning on), writing every report format.
struct ReportsRun {
  TempDir dir;
  testing::CommandResult result;
  json report;
  std::string Path(const std::string& ext) const { return dir.File("run" + ext); }
};

void RunWithMistakes(ReportsRun* run) {
  StandinServer server("--latency-ms 30 --jitter-ms 400 --seed 5 --thinking");
  server.Control({{"mistakes",
                   {"icmp_checksum_unchanged", "carry_dropped", "none", "data_changed", "ttl_zero",
                    "none", "unparseable", "no_reply", "none", "type_unchanged",
                    "ip_checksum_unchanged", "none", "byte_swapped", "none", "none", "no_swap"}},
                  {"mistake_by_seq", true}});
  std::string input = run->dir.File("in.pcap");
  testing::WriteRequestCapture(input, 16, true);
  std::string reports;
  for (const char* ext : {".json", ".html", ".md", ".xml", ".csv"}) {
    reports += " -r '" + run->Path(ext) + "'";
  }
  run->result =
      RunShell("env ANTHROPIC_API_KEY=k " + Tool() + " '" + input + "' -o '" +
               run->dir.File("out.pcapng") + "' --model anthropic:claude-haiku-4-5 --base-url " +
               server.anthropic_url() + " --no-cache -q" + reports);
  run->report = json::parse(ReadFile(run->Path(".json")));
}

TEST_CASE("one run, five reports, the same numbers", "[report][tool][model]") {
  // One run for all the sections (Catch enters the test case once per section).
  static std::unique_ptr<ReportsRun> shared;
  if (!shared) {
    shared = std::make_unique<ReportsRun>();
    RunWithMistakes(shared.get());
  }
  const ReportsRun& run = *shared;
  INFO(run.result.out << run.result.err);
  REQUIRE(run.result.exit_code == 1);
  const json& report = run.report;
  testing::CheckReportContract(run.Path(".json"));
  const json& summary = report["summary"];
  const json& packets = report["packets"];
  REQUIRE(packets.size() == 16);
  CHECK(summary["verdicts"]["wrong"].get<int>() >= 6);
  CHECK(summary["verdicts"]["unparseable"] == 1);
  CHECK(summary["verdicts"]["no_reply"] == 1);
  uint64_t failures = 0;
  for (const json& p : packets) failures += IsFailure(p["verdict"]);

  SECTION("CSV: a row per request and sample, as the JSON report has them") {
    std::string text = ReadFile(run.Path(".csv"));
    auto rows = ParseCsv(text);
    REQUIRE(rows.size() == packets.size() + 1);
    const std::vector<std::string>& head = rows[0];
    std::map<std::string, size_t> col;
    for (size_t i = 0; i < head.size(); ++i) col[head[i]] = i;
    for (const char* name : {"index", "sample", "frame", "family", "src", "dst", "ident", "seq",
                             "verdict", "failing_fields", "rtt_ms", "input_tokens", "output_tokens",
                             "cost_usd_estimate", "why_error"}) {
      INFO(name);
      CHECK(col.count(name) == 1);
    }
    for (size_t i = 0; i < packets.size(); ++i) {
      const json& p = packets[i];
      const std::vector<std::string>& row = rows[i + 1];
      INFO("row " << i + 1);
      REQUIRE(row.size() == head.size());
      CHECK(row[col["frame"]] == Json(p["request"]["frame"]));
      CHECK(row[col["family"]] == p["request"]["family"]);
      CHECK(row[col["src"]] == p["request"]["src"]);
      CHECK(row[col["dst"]] == p["request"]["dst"]);
      CHECK(row[col["ident"]] == Json(p["request"]["ident"]));
      CHECK(row[col["seq"]] == Json(p["request"]["seq"]));
      CHECK(row[col["sample"]] == Json(p["sample"]));
      CHECK(row[col["verdict"]] == p["verdict"]);
      CHECK(row[col["failing_fields"]] == JoinNames(FailNames(p)));
      std::string rtt = p["reply"].is_object() && p["reply"]["rtt_ms"].is_number()
                            ? Json(p["reply"]["rtt_ms"])
                            : "";
      CHECK(row[col["rtt_ms"]] == rtt);
      CHECK(row[col["input_tokens"]] == Json(p["usage"]["input_tokens"]));
      CHECK(row[col["output_tokens"]] == Json(p["usage"]["output_tokens"]));
      CHECK(row[col["cost_usd_estimate"]] == Json(p["usage"]["cost_usd_estimate"]));
    }
  }

  SECTION("JUnit: parses; counts, case names, failure messages and properties match") {
    json junit = ParseJunit(run.Path(".xml"));
    CHECK(junit["root"] == "testsuites");
    REQUIRE(junit["suites"].size() == 1);
    const json& suite = junit["suites"][0];
    CHECK(suite["attrib"]["tests"] == std::to_string(packets.size()));
    CHECK(suite["attrib"]["failures"] == std::to_string(failures));
    CHECK(suite["attrib"]["errors"] == Json(summary["verdicts"]["error"]));
    CHECK(suite["attrib"]["skipped"] == Json(summary["verdicts"]["truncated"]));
    CHECK(junit["attrib"]["tests"] == suite["attrib"]["tests"]);
    for (auto& [verdict, count] : summary["verdicts"].items()) {
      CHECK(suite["properties"]["verdicts." + verdict] == Json(count));
    }
    CHECK(suite["properties"]["model"] == "anthropic:claude-haiku-4-5");
    CHECK(suite["properties"]["rtt_ms.avg"] == Json(summary["rtt_ms"]["avg"]));
    CHECK(suite["properties"]["usage.cost_usd_estimate"] ==
          Json(summary["usage"]["cost_usd_estimate"]));
    CHECK(suite["properties"]["usage.output_tokens"] == Json(summary["usage"]["output_tokens"]));
    REQUIRE(suite["cases"].size() == packets.size());
    std::set<std::string> names;
    for (size_t i = 0; i < packets.size(); ++i) {
      const json& p = packets[i];
      const json& c = suite["cases"][i];
      INFO("case " << c.dump());
      std::string name = "icmp_seq=" + Json(p["request"]["seq"]) + " " +
                         p["request"]["src"].get<std::string>() + ">" +
                         p["request"]["dst"].get<std::string>() + " sample 1 (frame " +
                         Json(p["request"]["frame"]) + ")";
      CHECK(c["name"] == name);
      names.insert(c["name"]);
      std::string verdict = p["verdict"];
      CHECK(c["kind"] == (IsFailure(verdict) ? "failure" : verdict == "error" ? "error" : "pass"));
      if (verdict == "wrong") {
        CHECK(c["type"] == "wrong");
        std::string message = c["message"];
        for (const std::string& field : FailNames(p)) {
          CHECK(message.find(field + " ") != std::string::npos);
        }
        CHECK(c["system_out"] == p["reply"]["model_output"]);
      }
    }
    CHECK(names.size() == packets.size());
  }

  SECTION("Markdown: verdict table, failing fields, rtt, cost, the first wrong packets") {
    std::string md = ReadFile(run.Path(".md"));
    // The table is in verdict order (the JSON object's keys come back sorted).
    std::string ordered = "|";
    for (const char* v : {"correct", "wrong", "no_reply", "unparseable", "silent_ok",
                          "unexpected_reply", "error", "truncated"}) {
      ordered += " " + Json(summary["verdicts"][v]) + " |";
    }
    CHECK(md.find("| correct | wrong | no_reply | unparseable | silent_ok | unexpected_reply | "
                  "error | truncated |") != std::string::npos);
    CHECK(md.find("\n" + ordered + "\n") != std::string::npos);
    for (auto& [field, grades] : summary["fields"].items()) {
      if (grades["fail"] == 0 && grades["warn"] == 0) continue;
      INFO(field);
      CHECK(md.find("| `" + field + "` | " + Json(grades["pass"]) + " | " + Json(grades["warn"]) +
                    " | " + Json(grades["fail"]) + " |") != std::string::npos);
    }
    const json& rtt = summary["rtt_ms"];
    CHECK(md.find("rtt min/avg/max/mdev = " + Fixed(rtt["min"], 3) + "/" + Fixed(rtt["avg"], 3) +
                  "/" + Fixed(rtt["max"], 3) + "/" + Fixed(rtt["mdev"], 3) + " ms") !=
          std::string::npos);
    CHECK(md.find("Estimated cost $" + Fixed(summary["usage"]["cost_usd_estimate"], 4)) !=
          std::string::npos);
    CHECK(md.find(Json(summary["usage"]["input_tokens"]) + " in, " +
                  Json(summary["usage"]["output_tokens"]) + " out") != std::string::npos);
    CHECK(md.find("**FAIL**") != std::string::npos);
    // The first wrong packet, with its failing field and what it should be.
    for (const json& p : packets) {
      if (p["verdict"] != "wrong") continue;
      CHECK(md.find("| " + Json(p["request"]["frame"]) +
                    " | icmp_seq=" + Json(p["request"]["seq"])) != std::string::npos);
      CHECK(md.find(FailNames(p).at(0)) != std::string::npos);
      break;
    }
  }

  SECTION("HTML: the counts, rtt, cost; every result to look at linked; nothing external") {
    std::string html = ReadFile(run.Path(".html"));
    for (auto& [verdict, count] : summary["verdicts"].items()) {
      INFO(verdict);
      CHECK(html.find("data-verdict=\"" + verdict + "\"><b>" + Json(count) + "</b>") !=
            std::string::npos);
    }
    const json& rtt = summary["rtt_ms"];
    CHECK(html.find(Fixed(rtt["min"], 3) + "/" + Fixed(rtt["avg"], 3) + "/" + Fixed(rtt["max"], 3) +
                    "/" + Fixed(rtt["mdev"], 3) + " ms") != std::string::npos);
    CHECK(html.find("$" + Fixed(summary["usage"]["cost_usd_estimate"], 4)) != std::string::npos);
    CHECK(html.find(Json(summary["usage"]["input_tokens"]) + " in, " +
                    Json(summary["usage"]["output_tokens"]) + " out") != std::string::npos);
    CHECK(html.find("To look at (" + std::to_string(failures) + ")") != std::string::npos);
    // Each failing field of the summary is in the per-field chart with its count.
    for (auto& [field, grades] : summary["fields"].items()) {
      if (grades["fail"] == 0) continue;
      CHECK(html.find(">" + field + "</text>") != std::string::npos);
      CHECK(html.find(" · " + Json(grades["fail"]) + " fail") != std::string::npos);
    }
    // Links from the list to each result's section.
    std::regex link("<a href=\"#(r[0-9]+-[0-9]+)\">");
    int links = 0;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), link);
         it != std::sregex_iterator(); ++it) {
      ++links;
      CHECK(html.find("id=\"" + (*it)[1].str() + "\"") != std::string::npos);
    }
    CHECK(links == static_cast<int>(failures));
    // Self-contained: every src/href is a fragment; no scripts, styles or frames from anywhere.
    std::regex ref("(src|href)\\s*=\\s*[\"']?([^\"' >]*)", std::regex::icase);
    for (auto it = std::sregex_iterator(html.begin(), html.end(), ref);
         it != std::sregex_iterator(); ++it) {
      INFO((*it)[0].str());
      CHECK((*it)[2].str().rfind("#", 0) == 0);
    }
    std::string lower = html;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* tag :
         {"<script", "<link", "<iframe", "<img", "<object", "<embed", "url(", "@import"}) {
      INFO(tag);
      CHECK(lower.find(tag) == std::string::npos);
    }
    CHECK(html.find("default-src 'none'") != std::string::npos);
    // The model's own text, verbatim (escaped), and its reasoning.
    CHECK(html.find("The model's answer, verbatim") != std::string::npos);
    CHECK(html.find("The model's reasoning") != std::string::npos);
  }
}

// A model (a command) whose answer is hostile markup with a reply that is almost right.
struct HostileRun {
  TempDir dir;
  testing::CommandResult result;
};

void RunHostile(HostileRun* run) {
  EchoPacket request = testing::Packet(testing::kExperimentRequest);
  Result<Bytes> reply = BuildReferenceReply(request, Profile::kRfc);
  REQUIRE(reply.ok());
  (*reply)[22] ^= 0x08;  // the ICMP checksum left as in the request
  testing::WriteFile(
      run->dir.File("model.sh"),
      "#!/bin/sh\ncat >/dev/null\n"
      "printf '%s\\n' '<script>alert(1)</script><img src=x onerror=alert(2)> ]]> & \"q\"'\n"
      "printf 'esc \\033[31m red, bad utf8 \\377\\376, a form feed \\014.\\n'\n"
      "printf '```hex\\n%s\\n```\\n' " +
          HexEncode(*reply) + "\n");
  RunShell("chmod +x '" + run->dir.File("model.sh") + "'");
  std::string reports;
  for (const char* ext : {".json", ".html", ".md", ".xml", ".csv"}) {
    reports += " -r '" + run->dir.File(std::string("hostile") + ext) + "'";
  }
  run->result =
      RunShell(Tool() + " '" + testing::SourcePath("captures/experiment.pcap") + "' -o '" +
               run->dir.File("out.pcapng") + "' --model 'exec:" + run->dir.File("model.sh") +
               "' --no-cache -q" + reports);
}

TEST_CASE("hostile model text is escaped in every report and parses as text", "[report][tool]") {
  HostileRun run;
  RunHostile(&run);
  INFO(run.result.out << run.result.err);
  REQUIRE(run.result.exit_code == 1);
  testing::CheckReportContract(run.dir.File("hostile.json"));
  json report = json::parse(ReadFile(run.dir.File("hostile.json")));
  REQUIRE(report["packets"].size() == 1);
  CHECK(report["packets"][0]["verdict"] == "wrong");

  std::string html = ReadFile(run.dir.File("hostile.html"));
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;") !=
        std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("esc \xe2\x90\x9b[31m red") != std::string::npos);           // ESC shown as ␛
  CHECK(html.find("bad utf8 \xef\xbf\xbd\xef\xbf\xbd") != std::string::npos);  // U+FFFD
  CHECK(html.find("a form feed \xe2\x90\x8c.") != std::string::npos);

  json junit = ParseJunit(run.dir.File("hostile.xml"));
  const json& c = junit["suites"][0]["cases"][0];
  CHECK(c["kind"] == "failure");
  std::string out = c["system_out"];
  CHECK(out.find("<script>alert(1)</script><img src=x onerror=alert(2)> ]]> & \"q\"") !=
        std::string::npos);
  CHECK(out.find("\xe2\x90\x9b[31m") != std::string::npos);

  std::string md = ReadFile(run.dir.File("hostile.md"));
  CHECK(md.find("<script") == std::string::npos);
  std::string csv = ReadFile(run.dir.File("hostile.csv"));
  CHECK(ParseCsv(csv).size() == 2);
}

std::string Chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    if (testing::HaveCommand(name)) return name;
  }
  return "";
}

// Headless Chromium, sandboxed from the network: no background traffic, and a proxy that
// refuses every connection, so a page that needed anything from outside would show it.
std::string ChromiumCommand(const std::string& chromium, const TempDir& profile) {
  return "timeout 120 " + chromium +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync "
         "--hide-scrollbars --proxy-server=127.0.0.1:9 --user-data-dir='" +
         profile.path() + "'";
}

TEST_CASE("the HTML report renders in headless Chromium; hostile text stays text",
          "[report][tool][chromium]") {
  const std::string chromium = Chromium();
  if (chromium.empty()) {
    testing::Skip("chromium not installed (apt-get install chromium): HTML rendering not checked");
    return;
  }
  HostileRun run;
  RunHostile(&run);
  REQUIRE(run.result.exit_code == 1);
  TempDir profile;
  testing::CommandResult dom =
      RunShell(ChromiumCommand(chromium, profile) + " --dump-dom 'file://" +
               run.dir.File("hostile.html") + "' 2>/dev/null");
  REQUIRE(dom.exit_code == 0);
  // The page as Chromium built it: the summary is there, the payload is text, no element came
  // out of the model's answer.
  CHECK(dom.out.find("Echo replies from") != std::string::npos);
  CHECK(dom.out.find("data-verdict=\"wrong\"><b>1</b>") != std::string::npos);
  CHECK(dom.out.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(dom.out.find("<script") == std::string::npos);
  CHECK(dom.out.find("<img") == std::string::npos);
}

bool IsPng(const std::string& bytes, uint32_t* width, uint32_t* height) {
  if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return false;
  auto be32 = [&](size_t at) {
    return static_cast<uint32_t>(static_cast<uint8_t>(bytes[at])) << 24 |
           static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 1])) << 16 |
           static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 2])) << 8 |
           static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 3]));
  };
  *width = be32(16);
  *height = be32(20);
  return true;
}

TEST_CASE("a screenshot of the HTML report of a run with mistakes",
          "[report][tool][model][chromium]") {
  const std::string chromium = Chromium();
  if (chromium.empty()) {
    testing::Skip("chromium not installed (apt-get install chromium): no screenshot taken");
    return;
  }
  ReportsRun run;
  RunWithMistakes(&run);
  REQUIRE(run.result.exit_code == 1);
  // Left in reports/ (ignored by git) for people to look at.
  std::string html = testing::SourcePath("reports/example-report.html");
  std::string png = testing::SourcePath("reports/example-report.png");
  testing::WriteFile(html, ReadFile(run.Path(".html")));
  RunShell("rm -f '" + png + "'");
  TempDir profile;
  testing::CommandResult shot =
      RunShell(ChromiumCommand(chromium, profile) + " --screenshot='" + png +
               "' --window-size=1280,2400 'file://" + html + "' 2>&1");
  INFO(shot.out);
  REQUIRE(shot.exit_code == 0);
  uint32_t width = 0, height = 0;
  std::string bytes = ReadFile(png);
  REQUIRE(IsPng(bytes, &width, &height));
  CHECK(width == 1280);
  CHECK(height == 2400);
  CHECK(bytes.size() > 50000);  // a page with text and charts, not a blank one
}

TEST_CASE("grade: bare format names write reports/<input>-grade.<ext> in the current directory",
          "[report][tool]") {
  TempDir dir;
  std::string capture = testing::SourcePath("captures/kernel-sizes.pcap");
  testing::CommandResult r = RunShell("cd '" + dir.path() + "' && " + Tool() + " grade '" +
                                      capture + "' -q -r html -r .md -r xml -r csv -r json");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* ext : {"html", "md", "xml", "csv", "json"}) {
    INFO(ext);
    CHECK(FileExists(dir.File(std::string("reports/kernel-sizes-grade.") + ext)));
  }
  testing::CheckReportContract(dir.File("reports/kernel-sizes-grade.json"));
  json report = json::parse(ReadFile(dir.File("reports/kernel-sizes-grade.json")));
  std::string html = ReadFile(dir.File("reports/kernel-sizes-grade.html"));
  CHECK(html.find("Echo replies graded") != std::string::npos);
  CHECK(html.find("data-verdict=\"correct\"><b>" + Json(report["summary"]["verdicts"]["correct"]) +
                  "</b>") != std::string::npos);
  CHECK(html.find("Reply taken from frame") != std::string::npos);
  json junit = ParseJunit(dir.File("reports/kernel-sizes-grade.xml"));
  CHECK(junit["suites"][0]["properties"]["model"] == "none");
  CHECK(junit["suites"][0]["attrib"]["failures"] == "0");

  testing::CommandResult bad =
      RunShell("cd '" + dir.path() + "' && " + Tool() + " grade '" + capture + "' -q -r out.txt");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("out.txt: unknown report format") != std::string::npos);
}

TEST_CASE("the reference stack is labelled as not a model in every report", "[report][tool]") {
  TempDir dir;
  std::string reports;
  for (const char* ext : {".json", ".html", ".md", ".xml"})
    reports += " -r '" + dir.File(std::string("ref") + ext) + "'";
  testing::CommandResult r =
      RunShell(Tool() + " '" + testing::SourcePath("captures/experiment.pcap") + "' -o '" +
               dir.File("out.pcap") + "' --model reference -q" + reports);
  REQUIRE(r.exit_code == 0);
  const std::string label = "built-in reference stack, not a model";
  CHECK(ReadFile(dir.File("ref.json")).find(label) != std::string::npos);
  std::string html = ReadFile(dir.File("ref.html"));
  CHECK(html.find("Not a model.") != std::string::npos);
  CHECK(html.find(label) != std::string::npos);
  CHECK(ReadFile(dir.File("ref.md")).find(label) != std::string::npos);
  CHECK(ParseJunit(dir.File("ref.xml"))["suites"][0]["properties"]["model_note"] == label);
}

TEST_CASE("samples: a row, a test case and a section per request and sample",
          "[report][tool][model]") {
  TempDir dir;
  StandinServer server;
  server.Control({{"mistakes", {"carry_dropped", "none"}}});
  std::string input = dir.File("in.pcap");
  testing::WriteRequestCapture(input, 3, false);
  testing::CommandResult r =
      RunShell("env ANTHROPIC_API_KEY=k " + Tool() + " '" + input + "' -o '" +
               dir.File("out.pcapng") + "' --model anthropic:claude-haiku-4-5 --base-url " +
               server.anthropic_url() + " --samples 2 -j 1 --no-cache -q -r '" + dir.File("s.csv") +
               "' -r '" + dir.File("s.xml") + "' -r '" + dir.File("s.html") + "'");
  INFO(r.out << r.err);
  auto rows = ParseCsv(ReadFile(dir.File("s.csv")));
  CHECK(rows.size() == 1 + 6);
  json junit = ParseJunit(dir.File("s.xml"));
  std::set<std::string> names;
  for (const json& c : junit["suites"][0]["cases"]) names.insert(c["name"]);
  CHECK(names.size() == 6);
  CHECK(names.count("icmp_seq=2 192.0.2.1>192.0.2.2 sample 2 (frame 2)") == 1);
  CHECK(junit["suites"][0]["properties"]["samples.k"] == "2");
  std::string html = ReadFile(dir.File("s.html"));
  for (int request = 0; request < 3; ++request) {
    for (int sample = 1; sample <= 2; ++sample) {
      CHECK(html.find("id=\"r" + std::to_string(request) + "-" + std::to_string(sample) + "\"") !=
            std::string::npos);
    }
  }
}

TEST_CASE("the HTML report of thousands of results stays small", "[report][tool]") {
  TempDir dir;
  std::string input = dir.File("many.pcap");
  testing::WriteRequestCapture(input, 2000, true);
  testing::CommandResult r = RunShell(Tool() + " '" + input + "' -o '" + dir.File("out.pcap") +
                                      "' --model reference -q -r '" + dir.File("many.html") + "'");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::string html = ReadFile(dir.File("many.html"));
  CHECK(html.size() < 2000 * 700);
  CHECK(html.find("id=\"r1999-1\"") != std::string::npos);
  CHECK(html.find("data-verdict=\"correct\"><b>2000</b>") != std::string::npos);
}

}  // namespace
}  // namespace llmstack
