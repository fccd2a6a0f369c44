#include "grade/results.h"

#include <cmath>
#include <ctime>

namespace llmstack {

void Usage::Add(const Usage& o) {
  input_tokens += o.input_tokens;
  output_tokens += o.output_tokens;
  reasoning_tokens += o.reasoning_tokens;
  cache_read_tokens += o.cache_read_tokens;
  cache_creation_tokens += o.cache_creation_tokens;
  cost_usd += o.cost_usd;
  cost_known = cost_known || o.cost_known;
}

std::vector<RenderedField> RenderFields(const ReplyGrade& grade, ByteView request, ByteView reply) {
  std::vector<RenderedField> out;
  out.reserve(grade.fields.size());
  for (const FieldVerdict& f : grade.fields) {
    RenderedField r;
    r.name = GetFieldInfo(f.id).name;
    r.offset = f.offset;
    r.length = f.length;
    r.expected = FormatFieldValue(f.expected, request, reply, grade.literals);
    r.actual = FormatFieldValue(f.actual, request, reply, grade.literals);
    r.grade = f.grade;
    r.note = FieldNote(f);
    out.push_back(std::move(r));
  }
  return out;
}

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
  r->why_silent = assessment.why_silent ? assessment.why_silent : "";
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

std::string NowRfc3339() {
  std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace llmstack
