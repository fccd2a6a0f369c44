#include "report/run_results.h"

#include <cmath>
#include <cstring>
#include <fstream>

#include "base/sha256.h"
#include "model/journal.h"
#include "report/statistics.h"

namespace llmstack {

void DescribeRequest(const EchoPacket& request, const RequestAssessment& assessment, uint64_t index,
                     PacketResult* r) {
  r->index = index;
  r->request_frame = request.frame;
  r->request_time = request.time.Seconds();
  r->family = request.family;
  r->src = FormatAddress(request.src());
  r->dst = FormatAddress(request.dst());
  r->ident = request.ident;
  r->seq = request.seq;
  r->request_hex = HexEncode(request.datagram);
  r->expectation = assessment.expectation;
  r->why_silent = assessment.why_silent;
}

void RttStats::Add(double ms) {
  if (count == 0 || ms < min) min = ms;
  if (count == 0 || ms > max) max = ms;
  ++count;
  sum += ms;
  sum_squares += ms * ms;
  uint64_t bits;
  std::memcpy(&bits, &ms, sizeof bits);
  bool added;
  ++counts.ValueAt(counts.FindOrAdd(bits, &added));
}

double RttStats::percentile(double p) const {
  std::vector<std::pair<double, uint64_t>> counted;
  counted.reserve(counts.size());
  counts.ForEach([&](uint64_t bits, uint64_t n) {
    double ms;
    std::memcpy(&ms, &bits, sizeof ms);
    counted.push_back({ms, n});
  });
  return PercentileOfCounts(counted, p);
}

size_t SizeGroup(size_t data_bytes) {
  return data_bytes < 64 ? 0 : data_bytes < 512 ? 1 : data_bytes < 1472 ? 2 : 3;
}

void RunSummary::AddGraded(bool correct, IpFamily family, bool has_options, size_t data_bytes) {
  for (AccuracyTally* t : {&accuracy, &by_family[family == IpFamily::kIpv6],
                           &by_options[has_options], &by_size[SizeGroup(data_bytes)]}) {
    t->correct += correct;
    ++t->graded;
  }
}

void RunSummary::AddErrorReason(const std::string& reason) {
  for (auto& [text, count] : error_reasons) {
    if (text == reason) {
      ++count;
      return;
    }
  }
  if (error_reasons.size() < kErrorReasons) error_reasons.push_back({reason, 1});
}

std::optional<double> RunSummary::cost_per_correct() const {
  uint64_t correct = count(Verdict::kCorrect);
  // `usage` already holds what came from the journal on --resume (run/answer.cc).
  if (!usage.cost_known || correct == 0) return std::nullopt;
  return usage.cost_usd / static_cast<double>(correct);
}

std::string UrlWithoutCredentials(const std::string& url) {
  std::string out = url;
  size_t query = out.find_first_of("?#");
  if (query != std::string::npos) out.resize(query);
  size_t scheme = out.find("://");
  size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  size_t path = out.find('/', host);
  size_t at = out.rfind('@', path == std::string::npos ? out.size() : path);
  if (at != std::string::npos && at >= host) out.erase(host, at + 1 - host);
  return out;
}

RunSettings SettingsOf(const BackendOptions& o, const BackendPlan& plan, int samples) {
  RunSettings s;
  s.samples = samples;
  s.concurrency = o.concurrency;
  s.temperature = o.temperature;
  s.max_tokens = o.max_tokens;
  s.thinking_budget = o.thinking;
  s.timeout_s = o.timeout_s;
  s.retries = o.retries;
  if ((plan.kind == "anthropic" || plan.kind == "openai") && !plan.base_url.empty()) {
    s.base_url = UrlWithoutCredentials(plan.base_url);
  }
  return s;
}

std::optional<ReplayedRun> ReplayedRunOf(const std::string& journal_path) {
  Result<JournalContents> journal = ReadJournal(journal_path);
  if (!journal.ok()) return std::nullopt;
  std::optional<ReplayedRun> run;
  for (const JournalEntry& e : journal->entries) {
    if (e.answer.status.ok()) run = ReplayedRun{e.backend, e.prompt_sha256};
  }
  return run;
}

double RttStats::mdev() const {
  if (count == 0) return 0;
  double mean = sum / count;
  double var = sum_squares / count - mean * mean;
  return var > 0 ? std::sqrt(var) : 0;
}

void RunSummary::Add(Verdict verdict, const ReplyGrade* grade, std::optional<double> rtt_ms) {
  ++verdicts[static_cast<size_t>(verdict)];
  if (grade != nullptr) {
    for (const FieldVerdict& f : grade->fields) {
      size_t i = static_cast<size_t>(f.id);
      field_seen[i] = true;
      // fields[i] counts pass, warn and fail, the first three grades in order.
      if (f.grade != FieldGrade::kInfo) ++fields[i][static_cast<size_t>(f.grade)];
    }
  }
  if (rtt_ms) rtt.Add(*rtt_ms);
}

uint64_t RunSummary::replied() const {
  return count(Verdict::kCorrect) + count(Verdict::kWrong) + count(Verdict::kUnexpectedReply);
}

int RunSummary::ExitCode() const {
  for (size_t v = 0; v < kVerdictCount; ++v) {
    if (verdicts[v] > 0 && IsFailingVerdict(static_cast<Verdict>(v))) return 1;
  }
  return 0;
}

}  // namespace llmstack
