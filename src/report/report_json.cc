#include "report/report_json.h"

#include <nlohmann/json.hpp>

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

}  // namespace

std::string RenderJsonReport(const RunInfo& info, const RunSummary& s,
                             const std::vector<PacketResult>& packets) {
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

  json verdicts = json::object();
  for (size_t v = 0; v < kVerdictCount; ++v) {
    verdicts[VerdictName(static_cast<Verdict>(v))] = s.verdicts[v];
  }
  json fields = json::object();
  for (size_t i = 0; i < kFieldCount; ++i) {
    if (!s.field_seen[i]) continue;
    fields[GetFieldInfo(static_cast<FieldId>(i)).name] = {
        {"pass", s.fields[i][0]}, {"warn", s.fields[i][1]}, {"fail", s.fields[i][2]}};
  }
  json rtt = nullptr;
  if (s.rtt.count > 0) {
    rtt = {{"min", s.rtt.min}, {"avg", s.rtt.avg()}, {"max", s.rtt.max}, {"mdev", s.rtt.mdev()}};
  }
  json summary = {{"frames", s.frames},
                  {"requests", s.requests},
                  {"skipped", s.skipped},
                  {"verdicts", verdicts},
                  {"fields", fields},
                  {"rtt_ms", rtt},
                  {"usage", UsageJson(s.usage, &s)}};
  summary["samples"] =
      s.samples > 1
          ? json({{"k", s.samples}, {"pass_at_k", s.pass_at_k}, {"pass_all_k", s.pass_all_k}})
          : json(nullptr);
  json packet_list = json::array();
  for (const PacketResult& p : packets) packet_list.push_back(PacketJson(p));
  json report = {{"schema", kReportSchema},
                 {"tool", {{"name", kToolName}, {"version", LLMSTACK_VERSION}}},
                 {"run", run},
                 {"summary", summary},
                 {"packets", packet_list}};
  // Model text is untrusted: invalid UTF-8 is replaced rather than failing the report.
  return report.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace llmstack
