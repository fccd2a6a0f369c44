#include "run/compare.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/json_fields.h"
#include "grade/profile.h"
#include "grade/responder.h"
#include "report/statistics.h"

namespace llmstack {

namespace {

using nlohmann::json;

std::string StringField(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// One run report (or matrix cell) as a ComparedRun. Untrusted: wrong types are skipped.
ComparedRun FromReport(const json& r, const std::string& name) {
  ComparedRun run;
  run.name = name;
  const json& info = r.is_object() && r.contains("run") ? r["run"] : json();
  run.model = StringField(info, "model");
  if (info.is_object() && info.contains("prompt") && info["prompt"].is_object()) {
    run.prompt = StringField(info["prompt"], "path");
  }
  run.profile = StringField(info, "profile");
  run.started_at = StringField(info, "started_at");
  Result<Profile> profile = ParseProfile(run.profile.empty() ? "rfc" : run.profile);
  std::vector<double> rtts;
  const json& packets = r.is_object() && r.contains("packets") ? r["packets"] : json();
  if (packets.is_array()) {
    for (const json& p : packets) {
      if (!p.is_object()) continue;
      ComparedRun::Packet pk;
      const json& req = p.contains("request") ? p["request"] : json();
      pk.frame = IntegerField<uint64_t>(req, "frame", 0);
      pk.sample = IntegerField<int>(p, "sample", 0);
      pk.request_hex = StringField(req, "hex");
      pk.expect_reply = !p.contains("expect_reply") || !p["expect_reply"].is_boolean() ||
                        p["expect_reply"].get<bool>();
      pk.verdict = StringField(p, "verdict");
      if (p.contains("fields") && p["fields"].is_array()) {
        for (const json& f : p["fields"]) {
          if (StringField(f, "grade") == "fail") pk.failed_fields.push_back(StringField(f, "name"));
        }
      }
      if (p.contains("reply") && p["reply"].is_object()) {
        pk.reply_hex = StringField(p["reply"], "hex");
        double rtt = NumberField(p["reply"], "rtt_ms", -1);
        if (rtt >= 0) rtts.push_back(rtt);
      }
      Result<Bytes> bytes = HexDecode(pk.request_hex);
      if (bytes.ok() && profile.ok()) {
        Result<EchoPacket> request = EchoPacketFromDatagram(*bytes);
        if (request.ok()) {
          Result<Bytes> expected = BuildReferenceReply(*request, *profile);
          if (expected.ok()) pk.expected_hex = HexEncode(*expected);
        }
      }
      if (pk.expect_reply && pk.verdict != "error" && pk.verdict != "truncated") {
        ++run.graded;
        run.correct += pk.verdict == "correct";
      }
      run.packets.push_back(std::move(pk));
    }
  }
  run.rtt_p50_ms = Percentile(rtts, 50);
  const json& summary = r.is_object() && r.contains("summary") ? r["summary"] : json();
  if (summary.is_object() && summary.contains("usage")) {
    run.cost_usd = NumberField(summary["usage"], "cost_usd_estimate", -1);
  }
  return run;
}

Result<json> ReadJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument(path + ": not a JSON report");
  return j;
}

// A matrix cell's name: its "cell" field (the file-safe name of model and prompt).
std::string CellName(const json& cell, size_t index) {
  std::string name = StringField(cell, "cell");
  return name.empty() ? std::to_string(index + 1) : name;
}

}  // namespace

Result<std::vector<ComparedRun>> LoadComparedRuns(const std::vector<std::string>& args) {
  std::vector<ComparedRun> runs;
  for (const std::string& arg : args) {
    size_t hash = arg.rfind('#');
    std::string path = hash == std::string::npos ? arg : arg.substr(0, hash);
    std::string cell = hash == std::string::npos ? "" : arg.substr(hash + 1);
    Result<json> report = ReadJson(path);
    if (!report.ok()) return report.status();
    std::string schema = StringField(*report, "schema");
    if (schema.rfind("llmstack-replay.matrix/", 0) == 0) {
      const json& cells = (*report)["cells"];
      if (!cells.is_array()) return InvalidArgument(path + ": a matrix report without cells");
      bool found = false;
      for (size_t i = 0; i < cells.size(); ++i) {
        std::string name = CellName(cells[i], i);
        if (!cell.empty() && name != cell) continue;
        runs.push_back(FromReport(cells[i], path + "#" + name));
        found = true;
      }
      if (!found) return InvalidArgument(path + ": no cell named " + cell);
    } else if (schema.rfind("llmstack-replay.report/", 0) == 0) {
      if (!cell.empty()) return InvalidArgument(arg + ": " + path + " is not a matrix report");
      runs.push_back(FromReport(*report, path));
    } else {
      return InvalidArgument(path + ": not an llmstack-replay report (schema " +
                             (schema.empty() ? "missing" : schema) + ")");
    }
  }
  return runs;
}

Result<std::vector<ComparedRun>> ComparedMatrixCells(const std::string& text,
                                                     const std::string& name) {
  json report = json::parse(text, nullptr, false);
  if (report.is_discarded() || !report.is_object() ||
      StringField(report, "schema").rfind("llmstack-replay.matrix/", 0) != 0 ||
      !report["cells"].is_array()) {
    return InvalidArgument(name + ": not a matrix report");
  }
  std::vector<ComparedRun> runs;
  const json& cells = report["cells"];
  for (size_t i = 0; i < cells.size(); ++i) {
    std::string cell = CellName(cells[i], i);
    runs.push_back(FromReport(cells[i], name.empty() ? cell : name + "#" + cell));
  }
  return runs;
}

std::vector<Comparison> CompareAll(const std::vector<ComparedRun>& runs) {
  std::vector<Comparison> out;
  for (size_t i = 0; i < runs.size(); ++i) {
    for (size_t j = i + 1; j < runs.size(); ++j) out.push_back(CompareRuns(runs[i], runs[j]));
  }
  return out;
}

}  // namespace llmstack
