#include "report/reports.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "base/output_file.h"
#include "report/report_csv.h"
#include "report/report_html.h"
#include "report/report_json.h"
#include "report/report_junit.h"
#include "report/report_markdown.h"

namespace llmstack {

namespace {

struct FormatName {
  const char* extension;
  ReportFormat format;
};
constexpr FormatName kFormats[] = {
    {".json", ReportFormat::kJson},   {".html", ReportFormat::kHtml}, {".htm", ReportFormat::kHtml},
    {".md", ReportFormat::kMarkdown}, {".xml", ReportFormat::kJunit}, {".csv", ReportFormat::kCsv},
};

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "html" or ".html": a bare format name rather than a path.
bool IsBareFormat(const std::string& arg, const FormatName& f) {
  return arg == f.extension || arg == f.extension + 1;
}

// A file-name-safe form of a model spec: "anthropic:claude-haiku-4-5" ->
// "anthropic-claude-haiku-4-5", "exec:ollama run qwen2.5" -> "exec-ollama-run-qwen2.5".
std::string Slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_';
    if (keep) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  if (out.size() > 64) out.resize(64);
  return out;
}

std::string InputStem(const std::string& input) {
  std::string name = input;
  size_t slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  for (const char* ext : {".pcapng", ".pcap", ".cap"}) {
    if (EndsWith(name, ext) && name.size() > std::strlen(ext)) {
      name.resize(name.size() - std::strlen(ext));
      break;
    }
  }
  std::string slug = Slug(name);
  return slug.empty() ? "run" : slug;
}

}  // namespace

Result<ReportFormat> ReportFormatFor(const std::string& arg) {
  for (const FormatName& f : kFormats) {
    if (IsBareFormat(arg, f) || EndsWith(arg, f.extension)) return f.format;
  }
  return InvalidArgument(arg +
                         ": unknown report format (use .json, .html, .md, .xml for JUnit or "
                         ".csv)");
}

std::string ReportPath(const std::string& arg, const RunInfo& info) {
  for (const FormatName& f : kFormats) {
    if (!IsBareFormat(arg, f)) continue;
    std::string who = info.model ? Slug(*info.model) : info.command;
    return std::string(kReportDirectory) + "/" + InputStem(info.input) + "-" +
           (who.empty() ? "model" : who) + f.extension;
  }
  return arg;
}

std::string RenderReport(ReportFormat format, const RunInfo& info, const RunSummary& summary,
                         const std::vector<PacketResult>& results) {
  switch (format) {
    case ReportFormat::kJson:
      return RenderJsonReport(info, summary, results);
    case ReportFormat::kHtml:
      return RenderHtmlReport(info, summary, results);
    case ReportFormat::kMarkdown:
      return RenderMarkdownReport(info, summary, results);
    case ReportFormat::kJunit:
      return RenderJunitReport(info, summary, results);
    case ReportFormat::kCsv:
      return RenderCsvReport(info, summary, results);
  }
  return "";
}

Status WriteReports(const std::vector<std::string>& args, const RunInfo& info,
                    const RunSummary& summary, const std::vector<PacketResult>& results) {
  for (const std::string& arg : args) {
    Result<ReportFormat> format = ReportFormatFor(arg);
    if (!format.ok()) return format.status();
    std::string path = ReportPath(arg, info);
    if (path != arg && mkdir(kReportDirectory, 0777) != 0 && errno != EEXIST) {
      return IoError(path + ": cannot create " + kReportDirectory + "/: " + std::strerror(errno));
    }
    Status s = WriteOutputFile(path, RenderReport(*format, info, summary, results));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace llmstack
