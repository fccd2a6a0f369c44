#include "report/run_results.h"

#include <cmath>

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
