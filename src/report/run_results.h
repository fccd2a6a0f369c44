// What a run produces, independent of how it is shown: per request (and sample) results with
// rendered field verdicts and the audit of the model's working, and the run's summary. The
// terminal, JSON, HTML, Markdown, JUnit and CSV reports all read these.
#ifndef LLMSTACK_REPORT_RUN_RESULTS_H_
#define LLMSTACK_REPORT_RUN_RESULTS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/checksum_audit.h"
#include "base/clock.h"
#include "grade/rendered_fields.h"
#include "model/usage.h"
#include "packet/packet_stream.h"

namespace llmstack {

// One request (and sample) after grading.
struct PacketResult {
  uint64_t index = 0;  // request number in capture order, from 0
  // The request.
  uint64_t request_frame = 0;
  double request_time = 0;
  IpFamily family = IpFamily::kIpv4;
  std::string src, dst;
  uint16_t ident = 0, seq = 0;
  std::string request_hex;
  std::string expected_hex;  // the reference reply under the run's profile (empty: none)
  ReplyExpectation expectation = ReplyExpectation::kRequired;
  std::string why_silent;  // empty when a reply is required
  int sample = 0;
  // The reply.
  bool has_reply = false;
  std::optional<uint64_t> reply_frame;  // in the graded or written capture
  std::string reply_hex;
  std::optional<double> rtt_ms;
  std::optional<std::string> model_output;
  std::optional<std::string> model_reasoning;
  // How the reply was read from the model's text ("took the fenced block at line 40").
  std::string extraction;
  // The audit of the model's own working: its checksum claims and steps.
  ModelAnswerAudit audit;
  // The grade.
  Verdict verdict = Verdict::kCorrect;
  std::string why_error;  // "backend", "budget", "auth", "replay-missing"
  std::string error_message;
  std::vector<RenderedField> fields;
  Usage usage;
  int attempts = 0;
  bool from_cache = false;
};

// Fills the request part of a result.
void DescribeRequest(const EchoPacket& request, const RequestAssessment& assessment, uint64_t index,
                     PacketResult* result);

struct RttStats {
  uint64_t count = 0;
  double min = 0, max = 0, sum = 0, sum_squares = 0;
  void Add(double ms);
  double avg() const { return count ? sum / count : 0; }
  double mdev() const;  // as ping computes it: sqrt(E[x²] - E[x]²)
};

struct RunSummary {
  uint64_t frames = 0;
  uint64_t requests = 0;
  uint64_t skipped = 0;
  std::array<uint64_t, kVerdictCount> verdicts{};
  std::array<std::array<uint64_t, 3>, kFieldCount> fields{};  // pass, warn, fail
  std::array<bool, kFieldCount> field_seen{};
  RttStats rtt;
  Usage usage;
  uint64_t model_requests = 0;  // HTTP requests or commands run (not cache hits)
  uint64_t retries = 0;
  uint64_t cache_hits = 0;  // answers from the cache or, on resume, the journal
  // A resumed run counts the whole run: what was asked now and what came from the journal.
  uint64_t asked_now = 0;     // answers the backend gave now (not from the cache or journal)
  uint64_t from_journal = 0;  // answers taken from the journal on --resume
  Usage journal_usage;        // their share of `usage`, spent when the journal was written
  int samples = 1;
  double pass_at_k = 0, pass_all_k = 0;  // with samples > 1

  // Counts one graded result (reply fields, verdict, latency).
  void Add(Verdict verdict, const ReplyGrade* grade, std::optional<double> rtt_ms);
  uint64_t count(Verdict v) const { return verdicts[static_cast<size_t>(v)]; }
  uint64_t replied() const;  // results that had a reply
  // The exit code the verdicts call for (DESIGN §3): 1 when any reply was wrong, missing,
  // unparseable or unexpected, else 0.
  int ExitCode() const;
};

struct RunInfo {
  std::string command;  // "replay", "grade", "live"
  std::string input;
  std::optional<std::string> model;
  bool model_is_reference = false;
  std::optional<std::string> prompt_path;
  std::optional<std::string> prompt_sha256;
  std::string profile = "rfc";
  std::string started_at;  // RFC 3339 UTC
  std::string finished_at;
  bool interrupted = false;  // ended by Ctrl-C before every request was answered
};

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_RUN_RESULTS_H_
