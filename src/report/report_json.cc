#include "report/report_json.h"

#include <nlohmann/json.hpp>

#include "report/report_stream.h"
#include "report/statistics.h"

namespace llmstack {

namespace {

using nlohmann::json;

json Optional(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

json UsageJson(const Usage& u, const RunSummary* summary) {
  json j;
  if (summary) {
    j["requests"] = summary->model_requests;
    j["retries"] = summary->retries;
    j["cache_hits"] = summary->cache_hits;
    // A resumed run counts the whole run (DESIGN §4): what was asked now and what came from
    // the journal, with the journal's share of the tokens and cost apart.
    j["asked_now"] = summary->asked_now;
    j["from_journal"] = summary->from_journal;
    if (summary->from_journal > 0) j["journal_usage"] = UsageJson(summary->journal_usage, nullptr);
  }
  j["input_tokens"] = u.input_tokens;
  j["output_tokens"] = u.output_tokens;
  j["reasoning_tokens"] = u.reasoning_tokens;
  j["cache_read_tokens"] = u.cache_read_tokens;
  j["cache_creation_tokens"] = u.cache_creation_tokens;
  j["cost_usd_estimate"] = u.cost_known ? json(u.cost_usd) : json(nullptr);
  return j;
}

// packets[].reply.audit (DESIGN section 6): the same findings `audit` prints.
json AuditJson(const ModelAnswerAudit& a) {
  json findings = json::array();
  for (const ModelAnswerAudit::Finding& f : a.findings) {
    findings.push_back({{"where", f.where},
                        {"line", f.finding.line},
                        {"what", f.finding.what},
                        {"subject", AuditSubjectName(f.finding.subject)},
                        {"verdict", f.finding.verdict == AuditVerdict::kWrong
                                        ? "wrong"
                                        : AuditVerdictName(f.finding.verdict)},
                        {"note", f.finding.message}});
  }
  return {{"claims_right", a.tally.claims_right}, {"claims_wrong", a.tally.claims_wrong},
          {"steps_right", a.tally.steps_right},   {"steps_wrong", a.tally.steps_wrong},
          {"unverified", a.tally.unverified},     {"findings", std::move(findings)}};
}

json PacketJson(const PacketResult& p) {
  json request = {{"frame", p.request_frame},
                  {"time", p.request_time},
                  {"family", FamilyName(p.family)},
                  {"src", p.src},
                  {"dst", p.dst},
                  {"ident", p.ident},
                  {"seq", p.seq},
                  {"hex", p.request_hex}};
  json reply = nullptr;
  if (p.has_reply || p.model_output) {
    reply = json::object();
    reply["frame"] = p.reply_frame ? json(*p.reply_frame) : json(nullptr);
    reply["hex"] = p.has_reply ? json(p.reply_hex) : json(nullptr);
    reply["rtt_ms"] = p.rtt_ms ? json(*p.rtt_ms) : json(nullptr);
    reply["model_output"] = Optional(p.model_output);
    if (p.model_reasoning) reply["model_reasoning"] = *p.model_reasoning;
    if (!p.extraction.empty()) reply["extraction"] = p.extraction;
    if (!p.audit.empty()) reply["audit"] = AuditJson(p.audit);
  }
  json fields = json::array();
  for (const RenderedField& f : p.fields) {
    fields.push_back({{"name", f.name},
                      {"offset", f.offset},
                      {"length", f.length},
                      {"expected", f.expected},
                      {"actual", f.actual},
                      {"grade", GradeName(f.grade)},
                      {"note", f.note.empty() ? json(nullptr) : json(f.note)}});
  }
  json j = {{"request", request},
            {"expect_reply", p.expectation == ReplyExpectation::kRequired},
            {"why_silent", p.why_silent.empty() ? json(nullptr) : json(p.why_silent)},
            {"sample", p.sample},
            {"reply", reply},
            {"verdict", VerdictName(p.verdict)},
            {"fields", fields}};
  if (p.expectation == ReplyExpectation::kOptional) j["reply_optional"] = true;
  if (!p.why_error.empty()) {
    j["why_error"] = p.why_error;
    j["error"] = p.error_message;
  }
  if (p.attempts > 0 || p.from_cache) {
    j["usage"] = UsageJson(p.usage, nullptr);
    j["attempts"] = p.attempts;
    j["from_cache"] = p.from_cache;
  }
  return j;
}

json RunJson(const RunInfo& info) {
  json run = {{"command", info.command},
              {"input", info.input},
              {"model", Optional(info.model)},
              {"prompt", info.prompt_path ? json({{"path", *info.prompt_path},
                                                  {"sha256", Optional(info.prompt_sha256)}})
                                          : json(nullptr)},
              {"profile", info.profile},
              {"started_at", info.started_at},
              {"interrupted", info.interrupted},
              {"finished_at", info.finished_at}};
  if (info.model_is_reference) run["model_note"] = kReferenceLabel;
  const RunSettings& t = info.settings;
  auto number = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  json variables = json::object();
  for (const auto& [name, value] : t.prompt_variables) variables[name] = value;
  run["settings"] = {{"temperature", number(t.temperature)},
                     {"max_tokens", number(t.max_tokens)},
                     {"thinking_budget", number(t.thinking_budget)},
                     {"samples", t.samples},
                     {"concurrency", number(t.concurrency)},
                     {"timeout_s", number(t.timeout_s)},
                     {"retries", number(t.retries)},
                     {"base_url", Optional(t.base_url)},
                     {"prompt_variables", variables}};
  run["capture_sha256"] = info.capture_sha256.empty() ? json(nullptr) : json(info.capture_sha256);
  run["replayed_from"] =
      info.replayed_from
          ? json({{"model", info.replayed_from->model},
                  {"prompt", {{"sha256", Optional(info.replayed_from->prompt_sha256)}}}})
          : json(nullptr);

  return run;
}

// {"correct", "graded", "rate", "ci95": [lo, hi], "method": "wilson"} (DESIGN section 6).
json ProportionJson(const char* name, uint64_t successes, uint64_t trials) {
  std::pair<double, double> ci = WilsonInterval(successes, trials);
  return {{name, successes},
          {"graded", trials},
          {"rate", trials ? json(static_cast<double>(successes) / trials) : json(nullptr)},
          {"ci95", {ci.first, ci.second}},
          {"method", "wilson"}};
}

template <size_t N>
json GroupsJson(const std::array<AccuracyTally, N>& tallies, const char* const (&names)[N]) {
  json out = json::object();
  for (size_t i = 0; i < N; ++i) {
    out[names[i]] = ProportionJson("correct", tallies[i].correct, tallies[i].graded);
  }
  return out;
}

json SummaryJson(const RunSummary& s) {
  json verdicts = json::object();
  for (size_t v = 0; v < kVerdictCount; ++v) {
    verdicts[VerdictName(static_cast<Verdict>(v))] = s.verdicts[v];
  }
  json fields = json::object();
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (!s.field_seen[i]) continue;
    const auto& c = s.fields[i];
    json f = ProportionJson("fail", c[2], c[0] + c[1] + c[2]);
    f.erase("graded");
    f["pass"] = c[0];
    f["warn"] = c[1];
    f["fail_rate"] = f["rate"];
    f.erase("rate");
    fields[GetFieldInfo(static_cast<FieldId>(i)).name] = f;
  }
  json rtt = nullptr;
  if (s.rtt.count > 0) {
    rtt = {
        {"min", s.rtt.min},           {"avg", s.rtt.avg()},          {"max", s.rtt.max},
        {"mdev", s.rtt.mdev()},       {"p50", s.rtt.percentile(50)}, {"p90", s.rtt.percentile(90)},
        {"p99", s.rtt.percentile(99)}};
  }
  json summary = {
      {"frames", s.frames},   {"requests", s.requests},         {"not_asked", s.not_asked},
      {"skipped", s.skipped}, {"verdicts", verdicts},           {"fields", fields},
      {"rtt_ms", rtt},        {"usage", UsageJson(s.usage, &s)}};
  summary["usage"]["cost_per_correct_usd"] =
      s.cost_per_correct() ? json(*s.cost_per_correct()) : json(nullptr);
  summary["accuracy"] = ProportionJson("correct", s.accuracy.correct, s.accuracy.graded);
  summary["breakdown"] = {{"family", GroupsJson(s.by_family, kFamilyGroups)},
                          {"options", GroupsJson(s.by_options, kOptionGroups)},
                          {"size", GroupsJson(s.by_size, kSizeGroups)}};
  json errors = json::array();
  for (const auto& [reason, count] : s.error_reasons) {
    errors.push_back({{"reason", reason}, {"count", count}});
  }
  summary["error_reasons"] = errors;
  if (s.samples > 1) {
    json at = json::object(), hat = json::object();
    for (size_t k = 1; k <= s.pass_at.size(); ++k) at[std::to_string(k)] = s.pass_at[k - 1];
    for (size_t k = 1; k <= s.pass_hat.size(); ++k) hat[std::to_string(k)] = s.pass_hat[k - 1];
    summary["samples"] = {{"k", s.samples},
                          {"pass_at_k", s.pass_at_k},
                          {"pass_all_k", s.pass_all_k},
                          {"pass_at", at},
                          {"pass_hat", hat}};
  } else {
    summary["samples"] = nullptr;
  }
  return summary;
}

// The report's keys are written in nlohmann's order (sorted): "packets" first, streamed from
// the spool, then the rest.
class JsonReportStream : public ReportStream {
 public:
  Status Add(const PacketResult& p) override {
    std::string text = PacketJson(p).dump(2, ' ', false, json::error_handler_t::replace);
    std::string indented = packets_ == 0 ? "\n    " : ",\n    ";
    indented.reserve(text.size() + text.size() / 8);
    for (char c : text) {
      indented += c;
      // JSON strings hold no raw newline, so every newline starts a line of the object.
      if (c == '\n') indented += "    ";
    }
    ++packets_;
    return spool_.Append(indented);
  }

  Status Finish(const RunInfo& info, const RunSummary& s, const ReportWrite& write) override {
    json report = {{"schema", kReportSchema},
                   {"tool", {{"name", kToolName}, {"version", LLMSTACK_VERSION}}},
                   {"run", RunJson(info)},
                   {"summary", SummaryJson(s)}};
    std::string rest = report.dump(2, ' ', false, json::error_handler_t::replace);
    Status st = write("{\n  \"packets\": [");
    if (st.ok()) st = spool_.CopyTo(write);
    if (st.ok()) st = write(packets_ == 0 ? "],\n" : "\n  ],\n");
    // `rest` starts "{\n"; the keys after it follow "packets".
    if (st.ok()) st = write(std::string_view(rest).substr(2));
    if (st.ok()) st = write("\n");
    return st;
  }

 private:
  ReportSpool spool_;
  uint64_t packets_ = 0;
};

}  // namespace

std::unique_ptr<ReportStream> NewJsonReportStream() { return std::make_unique<JsonReportStream>(); }

std::string RenderJsonReport(const RunInfo& info, const RunSummary& s,
                             const std::vector<PacketResult>& packets) {
  JsonReportStream stream;
  return RenderThroughStream(stream, info, s, packets);
}

}  // namespace llmstack
