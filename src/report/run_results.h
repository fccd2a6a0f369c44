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
#include "base/flat_hash_map.h"
#include "base/status.h"
#include "grade/rendered_fields.h"
#include "model/backend_factory.h"
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
  // How often each latency occurred, for exact percentiles. In `grade` latencies are
  // differences of capture timestamps, so their number of distinct values is bounded by their
  // range over the capture's resolution, not by the number of results: a long capture adds
  // counts, not entries. Measured latencies of model answers (replay, live) are mostly
  // distinct, one entry per answer.
  struct BitsHash {
    size_t operator()(uint64_t bits) const {
      uint64_t h = bits * 0x9e3779b97f4a7c15u;
      return static_cast<size_t>(h ^ h >> 32);
    }
  };
  FlatHashMap<uint64_t, uint64_t, BitsHash> counts;  // a latency's bits -> occurrences
  void Add(double ms);
  double percentile(double p) const;  // 0..100, as Percentile() (statistics.h)
  double avg() const { return count ? sum / count : 0; }
  double mdev() const;  // as ping computes it: sqrt(E[x²] - E[x]²)
};

// Correct of graded: the results of requests that expect a reply, samples counted one by one,
// leaving out those not graded (truncated requests and backend errors).
struct AccuracyTally {
  uint64_t correct = 0, graded = 0;
};

// The groups accuracy is broken down by (DESIGN section 6).
inline constexpr const char* kFamilyGroups[] = {"ipv4", "ipv6"};
inline constexpr const char* kOptionGroups[] = {"without", "with"};  // IPv4 options or IPv6
                                                                     // extension headers
// By the echo data's length in bytes.
inline constexpr const char* kSizeGroups[] = {"0-63", "64-511", "512-1471", "1472+"};
size_t SizeGroup(size_t data_bytes);

struct RunSummary {
  uint64_t frames = 0;
  uint64_t requests = 0;
  // Echo requests of the capture the run did not reach because it was interrupted.
  uint64_t not_asked = 0;
  uint64_t skipped = 0;
  uint64_t duplicates = 0;  // replies to requests already answered (ping's DUP!), not graded
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
  // With samples > 1: [k - 1] is the unbiased pass@k and pass^k estimate, k = 1..samples.
  std::vector<double> pass_at, pass_hat;
  AccuracyTally accuracy;
  std::array<AccuracyTally, 2> by_family{};
  std::array<AccuracyTally, 2> by_options{};
  std::array<AccuracyTally, 4> by_size{};
  // Why results were errors, each reason once with its count (the first kErrorReasons).
  static constexpr size_t kErrorReasons = 5;
  std::vector<std::pair<std::string, uint64_t>> error_reasons;

  // Counts one graded result (reply fields, verdict, latency).
  void Add(Verdict verdict, const ReplyGrade* grade, std::optional<double> rtt_ms);
  // Counts one result of a request that expects a reply in the accuracy and its groups.
  void AddGraded(bool correct, IpFamily family, bool has_options, size_t data_bytes);
  void AddErrorReason(const std::string& reason);
  // Estimated cost per correct reply; none when the cost is unknown or nothing was correct.
  std::optional<double> cost_per_correct() const;
  uint64_t count(Verdict v) const { return verdicts[static_cast<size_t>(v)]; }
  uint64_t replied() const;  // results that had a reply
  // The exit code the verdicts call for (DESIGN §3): 1 when any reply was wrong, missing,
  // unparseable or unexpected, else 0.
  int ExitCode() const;
};

// Every setting that can change an answer or a grade (DESIGN section 6, run.settings); unset
// ones are not given to the backend or do not apply (grade).
struct RunSettings {
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  std::optional<int> thinking_budget;
  int samples = 1;
  std::optional<int> concurrency;
  std::optional<double> timeout_s;
  std::optional<int> retries;
  std::optional<std::string> base_url;  // without credentials
  std::vector<std::pair<std::string, std::string>> prompt_variables;
};

// The run a replay: run replays (from its journal).
struct ReplayedRun {
  std::string model;
  std::optional<std::string> prompt_sha256;
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
  RunSettings settings;
  std::string capture_sha256;  // of the input capture
  std::optional<ReplayedRun> replayed_from;
};

// A URL without what could be a credential: user information and the query are left out.
std::string UrlWithoutCredentials(const std::string& url);

// The settings of a run from its backend options (`plan` says which backend they went to: an
// API's base URL is recorded, an exec command's is not).
RunSettings SettingsOf(const BackendOptions& options, const BackendPlan& plan, int samples);

// The model and prompt of the run a journal recorded (its last answer's); none when it holds no
// answer or cannot be read.
std::optional<ReplayedRun> ReplayedRunOf(const std::string& journal_path);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_RUN_RESULTS_H_
