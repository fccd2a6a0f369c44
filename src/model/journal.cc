#include "model/journal.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/json_fields.h"

namespace llmstack {

namespace {

using nlohmann::json;

json Nullable(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

}  // namespace

std::string JournalLine(const JournalEntry& e) {
  const ModelAnswer& a = e.answer;
  json attempts = json::array();
  for (const Attempt& t : a.attempts) {
    attempts.push_back({{"status", t.status},
                        {"error", t.error.empty() ? json(nullptr) : json(t.error)},
                        {"duration_ms", t.duration_ms},
                        {"wait_s", t.wait_s}});
  }
  json j = {{"v", 1},
            {"time", NowRfc3339()},
            {"index", e.index},
            {"sample", e.sample},
            {"request_hex", e.request_hex},
            {"backend", e.backend},
            {"base_url", Nullable(e.base_url)},
            {"prompt_sha256", Nullable(e.prompt_sha256)},
            {"cache_key", e.cache_key},
            {"status", a.status.ok() ? "ok" : "error"},
            {"why_error", a.status.ok() ? json(nullptr) : json(a.why_error)},
            {"error", a.status.ok() ? json(nullptr) : json(a.status.message())},
            {"text", a.text},
            {"reasoning", a.reasoning},
            {"usage",
             {{"input_tokens", a.usage.input_tokens},
              {"output_tokens", a.usage.output_tokens},
              {"reasoning_tokens", a.usage.reasoning_tokens},
              {"cache_read_tokens", a.usage.cache_read_tokens},
              {"cache_creation_tokens", a.usage.cache_creation_tokens},
              {"cost_usd_estimate", a.usage.cost_known ? json(a.usage.cost_usd) : json(nullptr)}}},
            {"latency_ms", a.latency_ms},
            {"attempts", attempts},
            {"from_cache", a.from_cache}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<JournalEntry> ParseJournalLine(const std::string& line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || IntegerField(j, "v", 0) != 1 ||
      !j.contains("request_hex") || !j["request_hex"].is_string() || !j.contains("text") ||
      !j["text"].is_string()) {
    return Malformed("not a journal line");
  }
  try {
    JournalEntry e;
    e.index = IntegerField(j, "index", uint64_t{0});
    e.sample = IntegerField(j, "sample", 0);
    e.request_hex = j["request_hex"];
    e.backend = j.value("backend", "");
    if (j.contains("base_url") && j["base_url"].is_string()) e.base_url = j["base_url"];
    if (j.contains("prompt_sha256") && j["prompt_sha256"].is_string())
      e.prompt_sha256 = j["prompt_sha256"];
    e.cache_key = j.value("cache_key", "");
    ModelAnswer& a = e.answer;
    if (j.value("status", "") != "ok") {
      std::string error =
          j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>() : "error";
      a.status = Status(StatusCode::kBackend, error);
      a.why_error = j.contains("why_error") && j["why_error"].is_string()
                        ? j["why_error"].get<std::string>()
                        : "backend";
    }
    a.text = j["text"];
    a.reasoning = j.value("reasoning", "");
    a.latency_ms = NumberField(j, "latency_ms", 0.0);
    a.from_cache = j.value("from_cache", false);
    if (j.contains("usage") && j["usage"].is_object()) {
      const json& u = j["usage"];
      a.usage.input_tokens = IntegerField(u, "input_tokens", int64_t{0});
      a.usage.output_tokens = IntegerField(u, "output_tokens", int64_t{0});
      a.usage.reasoning_tokens = IntegerField(u, "reasoning_tokens", int64_t{0});
      a.usage.cache_read_tokens = IntegerField(u, "cache_read_tokens", int64_t{0});
      a.usage.cache_creation_tokens = IntegerField(u, "cache_creation_tokens", int64_t{0});
      if (u.contains("cost_usd_estimate") && u["cost_usd_estimate"].is_number()) {
        a.usage.cost_usd = u["cost_usd_estimate"].get<double>();
        a.usage.cost_known = true;
      }
    }
    if (j.contains("attempts") && j["attempts"].is_array()) {
      for (const json& t : j["attempts"]) {
        if (!t.is_object()) continue;
        Attempt at;
        at.status = IntegerField(t, "status", 0);
        at.error =
            t.contains("error") && t["error"].is_string() ? t["error"].get<std::string>() : "";
        at.duration_ms = NumberField(t, "duration_ms", 0.0);
        at.wait_s = NumberField(t, "wait_s", 0.0);
        a.attempts.push_back(at);
      }
    }
    return e;
  } catch (const nlohmann::json::exception& ex) {
    return Malformed(std::string("journal line: ") + ex.what());
  }
}

Result<JournalWriter> JournalWriter::Open(const std::string& path, bool resume) {
  struct stat st;
  bool exists = stat(path.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) return IoError(path + ": is a directory, not a journal");
  if (exists && st.st_size > 0 && !resume) {
    return InvalidArgument(
        path +
        ": a journal from an earlier run exists; add --resume to finish "
        "that run without asking anything twice, or remove the file to start over");
  }
  FILE* f = std::fopen(path.c_str(), "ab+");
  if (f == nullptr) return IoError(path + ": cannot open the journal: " + std::strerror(errno));
  // After a kill -9 the last line may be cut: start on a fresh line.
  if (exists && st.st_size > 0) {
    std::fseek(f, -1, SEEK_END);
    int last = std::fgetc(f);
    std::fseek(f, 0, SEEK_END);
    if (last != '\n') std::fputc('\n', f);
  }
  return JournalWriter(path, f);
}

JournalWriter::JournalWriter(JournalWriter&& o) noexcept
    : path_(std::move(o.path_)), file_(o.file_) {
  o.file_ = nullptr;
}

JournalWriter::~JournalWriter() {
  if (file_ != nullptr) {
    Sync();
    std::fclose(file_);
  }
}

Status JournalWriter::Append(const JournalEntry& entry) {
  std::string line = JournalLine(entry);
  line.push_back('\n');
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    return IoError(path_ + ": cannot write the journal: " + std::strerror(errno));
  }
  return Status::Ok();
}

void JournalWriter::Sync() {
  if (file_ != nullptr) {
    std::fflush(file_);
    fdatasync(fileno(file_));
  }
}

Result<JournalContents> ReadJournal(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return NotFound(path + ": no such journal");
  if (S_ISDIR(st.st_mode)) return IoError(path + ": is a directory, not a journal");
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot read the journal");
  JournalContents out;
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    Result<JournalEntry> e = ParseJournalLine(lines[i]);
    if (e.ok()) {
      out.entries.push_back(std::move(*e));
    } else if (i + 1 == lines.size()) {
      out.cut_last_line = true;
    } else {
      ++out.damaged_lines;
    }
  }
  return out;
}

}  // namespace llmstack
