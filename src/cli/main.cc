// llmstack-replay: command-line wiring only. The work is done in the library.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/audit_command.h"
#include "cli/command_line.h"
#include "cli/compare_command.h"
#include "cli/explain_command.h"
#include "cli/grade_command.h"
#include "cli/live_command.h"
#include "cli/replay_command.h"
#include "grade/profile.h"

namespace {

using llmstack::Profile;

constexpr const char* kCommands[] = {"replay", "grade", "explain", "audit", "live", "compare"};

bool IsCommand(const char* arg) {
  for (const char* c : kCommands) {
    if (std::strcmp(arg, c) == 0) return true;
  }
  return false;
}

// CLI11 hands the profile over as text; this turns it into the enum or reports the error.
bool ResolveProfile(const std::string& name, Profile* profile) {
  llmstack::Result<Profile> p = llmstack::ParseProfile(name);
  if (!p.ok()) {
    std::fprintf(stderr, "llmstack-replay: %s\n", p.status().message().c_str());
    return false;
  }
  *profile = *p;
  return true;
}

// The options that choose and drive a model backend, shared by the main job and `live`. With
// `models` and `prompts` (the main job), -m and -p are repeatable: a matrix run.
void AddSessionOptions(CLI::App* cmd, llmstack::SessionOptions* o,
                       std::vector<std::string>* models = nullptr,
                       std::vector<std::string>* prompts = nullptr) {
  llmstack::BackendOptions& b = o->backend;
  const char* model_help =
      "anthropic:MODEL, openai:MODEL, exec:COMMAND, replay:JOURNAL, reference[:PROFILE]";
  const char* prompt_help = "Prompt template (default: the embedded prompts/ping-respond.md)";
  if (models) {
    cmd->add_option("-m,--model", *models,
                    std::string(model_help) + "; repeatable: a matrix run of every model x prompt")
        ->allow_extra_args(false);
    cmd->add_option("-p,--prompt", *prompts, std::string(prompt_help) + "; repeatable")
        ->allow_extra_args(false);
  } else {
    cmd->add_option("-m,--model", b.model, model_help);
    cmd->add_option("-p,--prompt", o->prompt_path, prompt_help);
  }
  cmd->add_option("--base-url", b.base_url,
                  "API base URL (Anthropic's without /v1, OpenAI's with it)");
  cmd->add_option("-j,--concurrency", b.concurrency, "Requests in flight")->capture_default_str();
  cmd->add_option("--cache", o->cache_dir,
                  "Response cache directory (default ~/.cache/llmstack-replay)");
  cmd->add_flag("--no-cache", o->no_cache, "Neither read nor write the cache");
  cmd->add_option("--journal", o->journal, "Append-only record of every exchange (JSON lines)");
  cmd->add_flag("--resume", o->resume,
                "Finish an interrupted run from its journal without asking twice");
  cmd->add_option("--max-cost", o->max_cost,
                  "Stop asking before the estimated spend passes this many USD");
  cmd->add_option("--prices", o->prices_path, "Price table (default: the embedded prices.json)");
  cmd->add_option("--timeout", b.timeout_s, "Per-attempt timeout in seconds")
      ->capture_default_str();
  cmd->add_option("--retries", b.retries, "Retries per request for transient failures")
      ->capture_default_str();
  cmd->add_option("--max-wait", b.max_wait_s, "Longest retry-after honoured, in seconds")
      ->capture_default_str();
  cmd->add_option("--temperature", b.temperature, "Sampling temperature");
  cmd->add_option("--max-tokens", b.max_tokens, "Output token limit")->capture_default_str();
  cmd->add_option("--thinking", b.thinking, "Extended thinking budget in tokens (Anthropic)");
}

}  // namespace

int main(int argc, char** argv) {
  // `llmstack-replay IN -o OUT` is the main job: the same as `llmstack-replay replay IN -o OUT`.
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && !IsCommand(args[0].c_str()) && args[0] != "-h" && args[0] != "--help" &&
      args[0] != "--version") {
    // A mistyped command is not a capture that does not exist.
    struct stat st;
    std::optional<std::string> near = llmstack::Nearest(
        args[0], std::vector<std::string>(std::begin(kCommands), std::end(kCommands)));
    if (near && args[0][0] != '-' && stat(args[0].c_str(), &st) != 0) {
      std::fprintf(stderr,
                   "llmstack-replay: %s: no such command or capture file (did you mean '%s'?)\n",
                   args[0].c_str(), near->c_str());
      return 2;
    }
    args.insert(args.begin(), "replay");
  }

  CLI::App app{
      "llmstack-replay: replays ICMP echo requests from captures to a model that acts as an IP "
      "stack, and grades every reply field by field.\n\n"
      "  llmstack-replay IN -o OUT [options]         the main job (replay --help: its options)\n"
      "  llmstack-replay grade CAPTURE [REPLIES]     grade replies offline; no model involved\n"
      "  llmstack-replay explain HEX [--reply HEX]   dissect a packet, every checksum step\n"
      "  llmstack-replay explain CAPTURE --frame N   the same for frame N of a capture\n"
      "  llmstack-replay audit TEXTFILE...           check checksum arithmetic written down\n"
      "  llmstack-replay live --tun NAME [options]   answer live pings through a TUN device\n"
      "  llmstack-replay compare RUN.json RUN.json   compare runs request by request\n\n"
      "  e.g. llmstack-replay captures/experiment.pcap -o out.pcapng --model reference",
      "llmstack-replay"};
  app.set_version_flag("--version", std::string("llmstack-replay ") + LLMSTACK_VERSION);
  app.require_subcommand(1);

  std::string profile_name = "rfc";

  llmstack::ReplayOptions replay;
  CLI::App* replay_cmd =
      app.add_subcommand("replay", "Ask a model to answer each echo request (the default command)");
  replay_cmd->add_option("input", replay.input, "Capture with echo requests (pcap or pcapng)")
      ->required();
  replay_cmd
      ->add_option("-o,--output", replay.output,
                   "Output capture: .pcapng gets per-packet verdict comments")
      ->required();
  AddSessionOptions(replay_cmd, &replay.session, &replay.models, &replay.prompts);
  replay_cmd->add_option("--profile", profile_name, "Grading profile: rfc, linux, dunkels")
      ->capture_default_str();
  replay_cmd->add_option("--samples", replay.samples, "Ask K times per packet; reports pass@k")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  replay_cmd->add_option("-r,--report", replay.reports,
                         "Report by extension: .json, .html, .md, .xml (JUnit), .csv; a bare name "
                         "(html) picks a file in reports/; repeatable");
  replay_cmd->add_flag("--replies-only", replay.replies_only, "Write only replies to the output");
  replay_cmd->add_flag("--include-negatives", replay.include_negatives,
                       "Also send requests that must not be answered");
  replay_cmd->add_flag("-q,--quiet", replay.quiet, "No per-packet lines");
  replay_cmd->add_flag("--no-progress", replay.no_progress, "No progress bar");

  llmstack::GradeOptions grade;
  CLI::App* grade_cmd = app.add_subcommand("grade",
                                           "Grade replies already given: in the capture, in a "
                                           "second capture, or a text file of hex lines");
  grade_cmd->add_option("capture", grade.capture, "Capture with the echo requests")->required();
  grade_cmd->add_option("replies", grade.replies,
                        "Capture with the replies, or a text file of hex replies in request order");
  grade_cmd->add_option("--profile", profile_name, "Grading profile: rfc, linux, dunkels")
      ->capture_default_str();
  grade_cmd->add_option("-r,--report", grade.reports,
                        "Report by extension: .json, .html, .md, .xml (JUnit), .csv; a bare name "
                        "(html) picks a file in reports/; repeatable");
  grade_cmd->add_flag("-q,--quiet", grade.quiet, "No per-request lines");

  llmstack::ExplainOptions explain;
  CLI::App* explain_cmd =
      app.add_subcommand("explain", "Dissect one packet and show every checksum step");
  explain_cmd
      ->add_option("packet", explain.packet,
                   "The packet as hex (an IP datagram; a frame with --link), or with --frame a "
                   "capture")
      ->required();
  explain_cmd->add_option("--reply", explain.reply_hex, "A reply to grade, as hex");
  explain_cmd->add_option("--link", explain.link,
                          "The hex is a frame of this link type: ether, sll, sll2, raw, null, ...");
  explain_cmd->add_option("--frame", explain.frame, "Explain frame N of the capture PACKET names");
  explain_cmd->add_option("--profile", profile_name, "Grading profile: rfc, linux, dunkels")
      ->capture_default_str();

  llmstack::AuditOptions audit;
  CLI::App* audit_cmd = app.add_subcommand(
      "audit", "Check the checksum claims written in a transcript, journal or write-up");
  audit_cmd->add_option("files", audit.files, "Text files ('-' for stdin)")->required();
  audit_cmd->add_flag("-q,--quiet", audit.quiet, "Only wrong claims and the summary");
  audit_cmd->add_option("--request", audit.request_hex,
                        "The echo request (hex) the texts answer: audit them as a model's answers");

  llmstack::LiveOptions live;
  CLI::App* live_cmd = app.add_subcommand("live", "Answer real pings through a TUN device");
  live_cmd->add_option("--tun", live.tun, "TUN device name (opened, or created if missing)")
      ->required();
  live_cmd->add_option("--addr", live.addr,
                       "Give the host side this address (CIDR) and bring the link up");
  live_cmd->add_option("--record", live.record, "Record requests and graded replies (pcapng)");
  AddSessionOptions(live_cmd, &live.session);
  live_cmd->add_option("--profile", profile_name, "Grading profile: rfc, linux, dunkels")
      ->capture_default_str();
  live_cmd->add_flag("--only-correct", live.only_correct,
                     "Write a reply to the device only when it is correct");
  live_cmd->add_option("--fallback", live.fallback, "Replace a wrong reply: 'reference'");
  live_cmd->add_flag("-q,--quiet", live.quiet, "No per-packet lines");

  llmstack::CompareOptions compare;
  CLI::App* compare_cmd =
      app.add_subcommand("compare", "Compare runs request by request (JSON reports, FILE#CELL)");
  compare_cmd->add_option("runs", compare.runs, "JSON reports, or matrix cells as FILE#CELL")
      ->required();
  compare_cmd->add_option("-r,--report", compare.reports,
                          "Report: .json, .html or .md; repeatable");

  std::vector<const char*> cargs;
  cargs.push_back(argv[0]);
  for (const std::string& a : args) cargs.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(cargs.size()), const_cast<char**>(cargs.data()));
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const CLI::App* failed = &app;
    for (const CLI::App* sub : app.get_subcommands()) failed = sub;
    std::fprintf(stderr, "llmstack-replay: %s\n",
                 llmstack::DescribeParseError(*failed, e, args).c_str());
    return 2;
  }

  Profile profile = Profile::kRfc;
  if (!ResolveProfile(profile_name, &profile)) return 2;
  if (replay_cmd->parsed()) {
    replay.profile = profile;
    if (replay.models.size() == 1) replay.session.backend.model = replay.models[0];
    if (replay.prompts.size() == 1) replay.session.prompt_path = replay.prompts[0];
    for (const std::string& model : replay.models) {
      if (replay.session.journal && model.rfind("reference", 0) == 0) {
        std::fprintf(stderr,
                     "llmstack-replay: --journal records a model's answers; the built-in "
                     "reference stack's are not journaled (leave --journal out)\n");
        return 2;
      }
    }
    // With the capture on standard output (-o -), the run's own lines go to standard error.
    return llmstack::RunReplayCommand(replay, replay.output == "-" ? stderr : stdout, stderr);
  }
  if (grade_cmd->parsed()) {
    grade.profile = profile;
    return llmstack::RunGradeCommand(grade, stdout, stderr);
  }
  if (audit_cmd->parsed()) return llmstack::RunAuditCommand(audit, stdout, stderr);
  if (live_cmd->parsed()) {
    live.profile = profile;
    return llmstack::RunLiveCommand(live, stdout, stderr);
  }
  if (compare_cmd->parsed()) return llmstack::RunCompareCommand(compare, stdout, stderr);
  if (explain_cmd->parsed()) {
    explain.profile = profile;
    return llmstack::RunExplainCommand(explain, stdout, stderr);
  }
  return 2;
}
