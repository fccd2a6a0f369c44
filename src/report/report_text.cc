#include "report/report_text.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "report/statistics.h"

namespace llmstack {

std::string FormatJsonNumber(double value) { return nlohmann::json(value).dump(); }

std::string ResultLabel(const PacketResult& r) {
  return "icmp_seq=" + std::to_string(r.seq) + " " + r.src + ">" + r.dst + " sample " +
         std::to_string(r.sample + 1) + " (frame " + std::to_string(r.request_frame) + ")";
}

std::string DescribeField(const RenderedField& f) {
  std::string out = f.name;
  bool long_value = f.name == "data" || f.name == "trailing" || f.name == "ip.options";
  if (!long_value) {
    out += " got " + f.actual;
    if (!f.expected.empty()) out += ", should be " + f.expected;
  }
  if (!f.note.empty()) out += " (" + f.note + ")";
  return out;
}

std::vector<std::string> FieldNames(const PacketResult& r, FieldGrade grade) {
  std::vector<std::string> names;
  for (const RenderedField& f : r.fields) {
    if (f.grade == grade) names.push_back(f.name);
  }
  return names;
}

namespace {
std::string Join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

std::string Described(const PacketResult& r, FieldGrade grade) {
  std::vector<std::string> parts;
  for (const RenderedField& f : r.fields) {
    if (f.grade == grade) parts.push_back(DescribeField(f));
  }
  return Join(parts, "; ");
}
}  // namespace

std::string ExplainVerdict(const PacketResult& r) {
  std::string failing = Described(r, FieldGrade::kFail);
  std::string warnings = Described(r, FieldGrade::kWarn);
  std::string out;
  switch (r.verdict) {
    case Verdict::kCorrect:
    case Verdict::kSilentOk:
      break;
    case Verdict::kWrong:
      out = failing;
      break;
    case Verdict::kNoReply:
      out = "no reply, but one is due";
      break;
    case Verdict::kUnparseable:
      out = "no packet in the model's text";
      if (!r.error_message.empty()) out += ": " + r.error_message;
      break;
    case Verdict::kUnexpectedReply:
      out = "answered a request that must not be answered";
      if (!r.why_silent.empty()) out += " (" + r.why_silent + ")";
      if (!failing.empty()) out += "; " + failing;
      break;
    case Verdict::kError:
      out = r.why_error.empty() ? "backend" : r.why_error;
      if (!r.error_message.empty()) out += ": " + r.error_message;
      break;
    case Verdict::kTruncated:
      out = "the capture cut the request short; not graded";
      break;
  }
  if (!warnings.empty()) out += (out.empty() ? "" : "; ") + std::string("warn: ") + warnings;
  return out;
}

bool NeedsAttention(Verdict verdict) {
  return IsFailingVerdict(verdict) || verdict == Verdict::kError;
}

double FieldAccuracy(const std::array<uint64_t, 3>& c) {
  uint64_t total = c[0] + c[1] + c[2];
  return total == 0 ? 0 : static_cast<double>(c[0]) / static_cast<double>(total);
}

std::string DescribeProportion(uint64_t successes, uint64_t trials) {
  std::pair<double, double> ci = WilsonInterval(successes, trials);
  char buf[160];
  std::snprintf(buf, sizeof buf, "%llu/%llu = %.1f%% (95%% interval %.1f-%.1f%%)",
                static_cast<unsigned long long>(successes), static_cast<unsigned long long>(trials),
                trials ? 100.0 * static_cast<double>(successes) / static_cast<double>(trials) : 0.0,
                100 * ci.first, 100 * ci.second);
  return buf;
}

std::string DescribeBreakdown(const RunSummary& s) {
  std::string out;
  auto add = [&](const std::string& name, const AccuracyTally& t) {
    if (t.graded == 0) return;
    if (!out.empty()) out += "; ";
    out += name + " " + DescribeProportion(t.correct, t.graded);
  };
  for (size_t i = 0; i < 2; ++i) add(kFamilyGroups[i], s.by_family[i]);
  for (size_t i = 0; i < 2; ++i) add(std::string(kOptionGroups[i]) + " options", s.by_options[i]);
  for (size_t i = 0; i < 4; ++i)
    add(std::string("data ") + kSizeGroups[i] + " bytes", s.by_size[i]);
  return out;
}

std::string DescribeAuditTally(const AuditTally& t) {
  return std::to_string(t.claims_right) + " claims right, " + std::to_string(t.claims_wrong) +
         " wrong; " + std::to_string(t.steps_right) + " steps right, " +
         std::to_string(t.steps_wrong) + " wrong; " + std::to_string(t.unverified) + " unverified";
}

std::string DescribeAuditFinding(const ModelAnswerAudit::Finding& f) {
  return f.where + " line " + std::to_string(f.finding.line) + ": " +
         AuditVerdictName(f.finding.verdict) + " " + f.finding.message;
}

}  // namespace llmstack
