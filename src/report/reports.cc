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

Status MakeReportDirectory(const std::string& path) {
  if (mkdir(kReportDirectory, 0777) != 0 && errno != EEXIST) {
    return IoError(path + ": cannot create " + kReportDirectory + "/: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status AddReportOutputs(const std::vector<std::string>& reports, const RunInfo& info,
                        std::vector<NamedPath>* outputs) {
  for (const std::string& r : reports) {
    std::string path = ReportPath(r, info);
    if (path != r) {
      Status dir = MakeReportDirectory(path);
      if (!dir.ok()) return dir;
    }
    outputs->push_back({path, "the report"});
  }
  return Status::Ok();
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

std::unique_ptr<ReportStream> NewReportStream(ReportFormat format, const RunInfo& info,
                                              int samples) {
  switch (format) {
    case ReportFormat::kJson:
      return NewJsonReportStream();
    case ReportFormat::kHtml:
      return NewHtmlReportStream(info, samples);
    case ReportFormat::kMarkdown:
      return NewMarkdownReportStream(samples);
    case ReportFormat::kJunit:
      return NewJunitReportStream(info);
    case ReportFormat::kCsv:
      return NewCsvReportStream();
  }
  return nullptr;
}

std::string RenderReport(ReportFormat format, const RunInfo& info, const RunSummary& summary,
                         const std::vector<PacketResult>& results) {
  std::unique_ptr<ReportStream> stream = NewReportStream(format, info, summary.samples);
  return RenderThroughStream(*stream, info, summary, results);
}

Result<std::unique_ptr<RunReports>> RunReports::Open(const std::vector<std::string>& args,
                                                     const RunInfo& info, int samples) {
  auto reports = std::make_unique<RunReports>();
  for (const std::string& arg : args) {
    Result<ReportFormat> format = ReportFormatFor(arg);
    if (!format.ok()) return format.status();
    reports->reports_.push_back({arg, NewReportStream(*format, info, samples)});
  }
  return reports;
}

Status RunReports::Add(const PacketResult& result) {
  if (!status_.ok()) return status_;
  for (Report& r : reports_) {
    Status s = r.stream->Add(result);
    if (!s.ok()) {
      status_ = s.WithContext(r.arg);
      return status_;
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> RunReports::Finish(const RunInfo& info,
                                                    const RunSummary& summary) {
  std::vector<std::string> written;
  for (Report& r : reports_) {
    std::string path = ReportPath(r.arg, info);
    if (!status_.ok()) return status_;
    if (path != r.arg) {
      Status dir = MakeReportDirectory(path);
      if (!dir.ok()) return dir;
    }
    Result<OutputFile> file = OutputFile::Open(path);
    if (!file.ok()) return file.status();
    Status s = r.stream->Finish(info, summary,
                                [&file](std::string_view piece) { return file->Write(piece); });
    if (s.ok()) s = file->Commit();
    if (!s.ok()) return s.message().rfind(path, 0) == 0 ? s : s.WithContext(path);
    written.push_back(path);
  }
  return written;
}

std::string DescribeWrittenReports(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& path : paths) {
    if (path == "-") continue;
    const char* kind = "CSV";
    Result<ReportFormat> format = ReportFormatFor(path);
    switch (format.ok() ? *format : ReportFormat::kCsv) {
      case ReportFormat::kJson:
        kind = "JSON";
        break;
      case ReportFormat::kHtml:
        kind = "HTML";
        break;
      case ReportFormat::kMarkdown:
        kind = "Markdown";
        break;
      case ReportFormat::kJunit:
        kind = "JUnit";
        break;
      case ReportFormat::kCsv:
        break;
    }
    out += std::string(kind) + " report: " + path + "\n";
  }
  return out;
}

Status WriteReports(const std::vector<std::string>& args, const RunInfo& info,
                    const RunSummary& summary, const std::vector<PacketResult>& results) {
  Result<std::unique_ptr<RunReports>> reports = RunReports::Open(args, info, summary.samples);
  if (!reports.ok()) return reports.status();
  for (const PacketResult& r : results) {
    Status s = (*reports)->Add(r);
    if (!s.ok()) return s;
  }
  Result<std::vector<std::string>> written = (*reports)->Finish(info, summary);
  return written.ok() ? Status::Ok() : written.status();
}

}  // namespace llmstack
