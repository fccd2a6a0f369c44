#include "cli/compare_command.h"

#include "base/output_file.h"
#include "run/compare.h"

namespace llmstack {

namespace {

int Fail(FILE* err, const std::string& message) {
  std::fprintf(err, "llmstack-replay: compare: %s\n", message.c_str());
  return 2;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int RunCompareCommand(const CompareOptions& o, FILE* out, FILE* err) {
  std::vector<NamedPath> inputs, outputs;
  for (const std::string& r : o.reports) {
    if (!EndsWith(r, ".json") && !EndsWith(r, ".html") && !EndsWith(r, ".md")) {
      return Fail(err, r + ": a comparison report is .json, .html or .md");
    }
    outputs.push_back({r, "the report"});
  }
  for (const std::string& run : o.runs) inputs.push_back({run.substr(0, run.rfind('#')), "a run"});
  Status paths = CheckOutputPaths(inputs, outputs);
  if (!paths.ok()) return Fail(err, paths.message());
  Result<std::vector<ComparedRun>> runs = LoadComparedRuns(o.runs);
  if (!runs.ok()) return Fail(err, runs.status().message());
  if (runs->size() < 2)
    return Fail(err, "give at least two runs (or a matrix report of two cells)");
  std::vector<Comparison> comparisons = CompareAll(*runs);
  std::fputs(FormatComparisonTerminal(*runs, comparisons).c_str(), out);
  for (const std::string& r : o.reports) {
    std::string text = EndsWith(r, ".json")   ? RenderComparisonJson(*runs, comparisons)
                       : EndsWith(r, ".html") ? RenderComparisonHtml(*runs, comparisons)
                                              : RenderComparisonMarkdown(*runs, comparisons);
    Status s = WriteOutputFile(r, text);
    if (!s.ok()) return Fail(err, s.message());
    std::fprintf(out, "report: %s\n", r.c_str());
  }
  // DESIGN section 6: a mismatch is named, not guessed; the comparison shown holds only the
  // requests both runs share, so the exit code says the runs were not the same requests.
  for (const Comparison& c : comparisons) {
    if (!c.mismatches.empty()) {
      return Fail(err, c.a + " and " + c.b + " do not hold the same requests (" +
                           c.mismatches.front() + (c.mismatches.size() > 1 ? ", ..." : "") +
                           "); only the " + std::to_string(c.paired) + " they share are compared");
    }
  }
  return 0;
}

}  // namespace llmstack
