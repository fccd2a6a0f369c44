#include "model/journal.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/json_fields.h"
#include "model/usage_record.h"

namespace llmstack {

namespace {

using nlohmann::json;

json Nullable(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

std::optional<std::string> OptionalString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string Shown(const std::optional<std::string>& s) { return s ? *s : "none"; }

template <typename T>
std::string Shown(const std::optional<T>& v) {
  return v ? json(*v).dump() : "none";
}

std::string ShownCells(const std::vector<JournalIdentity::Cell>& cells) {
  std::string out;
  for (const JournalIdentity::Cell& c : cells) {
    if (!out.empty()) out += ", ";
    out += c.model + " with prompt sha256 " + Shown(c.prompt_sha256).substr(0, 12);
  }
  return out.empty() ? "none" : out;
}

}  // namespace

std::string JournalIdentityLine(const JournalIdentity& id) {
  json cells = json::array();
  for (const JournalIdentity::Cell& c : id.cells) {
    cells.push_back({{"cell", Nullable(c.name)},
                     {"model", c.model},
                     {"prompt_sha256", Nullable(c.prompt_sha256)}});
  }
  json run = {{"capture_sha256", Nullable(id.capture_sha256)},
              {"cells", cells},
              {"profile", id.profile},
              {"settings",
               {{"temperature", id.temperature ? json(*id.temperature) : json(nullptr)},
                {"max_tokens", id.max_tokens},
                {"thinking", id.thinking ? json(*id.thinking) : json(nullptr)}}},
              {"samples", id.samples}};
  json j = {{"v", 1}, {"time", NowRfc3339()}, {"run", run}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<JournalIdentity> ParseJournalIdentityLine(const std::string& line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || IntegerField(j, "v", 0) != 1 || !j.contains("run") ||
      !j["run"].is_object()) {
    return Malformed("not a journal identity line");
  }
  const json& run = j["run"];
  JournalIdentity id;
  id.capture_sha256 = OptionalString(run, "capture_sha256");
  if (run.contains("cells") && run["cells"].is_array()) {
    for (const json& c : run["cells"]) {
      if (!c.is_object()) continue;
      JournalIdentity::Cell cell;
      cell.name = OptionalString(c, "cell");
      cell.model = OptionalString(c, "model").value_or("");
      cell.prompt_sha256 = OptionalString(c, "prompt_sha256");
      id.cells.push_back(std::move(cell));
    }
  }
  id.profile = OptionalString(run, "profile").value_or("");
  id.samples = IntegerField(run, "samples", 1);
  if (run.contains("settings") && run["settings"].is_object()) {
    const json& s = run["settings"];
    if (s.contains("temperature") && s["temperature"].is_number())
      id.temperature = s["temperature"].get<double>();
    id.max_tokens = IntegerField(s, "max_tokens", 0);
    if (s.contains("thinking") && s["thinking"].is_number_integer())
      id.thinking = IntegerField(s, "thinking", 0);
  }
  return id;
}

std::vector<std::string> IdentityDifferences(const JournalIdentity& was,
                                             const JournalIdentity& now) {
  std::vector<std::string> out;
  auto differ = [&out](const std::string& what, const std::string& a, const std::string& b) {
    out.push_back(what + " " + a + " (this run: " + b + ")");
  };
  if (was.capture_sha256 != now.capture_sha256) {
    differ("capture sha256", Shown(was.capture_sha256).substr(0, 12),
           Shown(now.capture_sha256).substr(0, 12));
  }
  if (was.cells != now.cells) differ("models", ShownCells(was.cells), ShownCells(now.cells));
  if (was.profile != now.profile) differ("profile", was.profile, now.profile);
  if (was.temperature != now.temperature) {
    differ("--temperature", Shown(was.temperature), Shown(now.temperature));
  }
  if (was.max_tokens != now.max_tokens) {
    differ("--max-tokens", std::to_string(was.max_tokens), std::to_string(now.max_tokens));
  }
  if (was.thinking != now.thinking) differ("--thinking", Shown(was.thinking), Shown(now.thinking));
  if (was.samples != now.samples) {
    differ("--samples", std::to_string(was.samples), std::to_string(now.samples));
  }
  return out;
}

std::string JournalLine(const JournalEntry& e) {
  const ModelAnswer& a = e.answer;
  json attempts = json::array();
  for (const Attempt& t : a.attempts) {
    attempts.push_back({{"status", t.status},
                        {"error", t.error.empty() ? json(nullptr) : json(t.error)},
                        {"duration_ms", t.duration_ms},
                        {"wait_s", t.wait_s}});
  }
  json j = {{"v", 1}, {"time", NowRfc3339()}};
  if (e.cell) j["cell"] = *e.cell;
  j.update(json{{"index", e.index},
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
                {"usage", UsageRecord(a.usage, true)},
                {"latency_ms", a.latency_ms},
                {"attempts", attempts},
                {"from_cache", a.from_cache}});
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
    e.cell = OptionalString(j, "cell");
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
    if (j.contains("usage")) a.usage = UsageFromRecord(j["usage"]);
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

Status JournalWriter::Append(const JournalEntry& entry) { return AppendLine(JournalLine(entry)); }

Status JournalWriter::AppendIdentity(const JournalIdentity& identity) {
  return AppendLine(JournalIdentityLine(identity));
}

Status JournalWriter::AppendLine(std::string line) {
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
    if (!e.ok() && out.entries.empty() && !out.identity) {
      Result<JournalIdentity> id = ParseJournalIdentityLine(lines[i]);
      if (id.ok()) {
        out.identity = std::move(*id);
        continue;
      }
    }
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

Result<std::shared_ptr<RunJournal>> RunJournal::Open(const std::string& path, bool resume,
                                                     const JournalIdentity& identity,
                                                     std::vector<std::string>* warnings) {
  std::map<std::string, ModelAnswer> journaled;
  bool has_identity = false, has_lines = false;
  if (resume) {
    Result<JournalContents> old = ReadJournal(path);
    if (!old.ok() && old.status().code() != StatusCode::kNotFound) return old.status();
    if (old.ok()) {
      has_identity = old->identity.has_value();
      has_lines = has_identity || !old->entries.empty();
      if (old->identity) {
        std::vector<std::string> differ = IdentityDifferences(*old->identity, identity);
        if (!differ.empty()) {
          std::string what;
          for (const std::string& d : differ) what += (what.empty() ? "" : "; ") + d;
          return InvalidArgument(path + ": the journal is of another run: " + what +
                                 "; give this run its own --journal");
        }
      } else if (has_lines) {
        warnings->push_back(path +
                            ": the journal does not say which run it records (an earlier "
                            "version wrote it); only its answers to this run's questions are used");
      }
      for (JournalEntry& e : old->entries) {
        if (e.answer.status.ok() && !e.cache_key.empty())
          journaled[e.cache_key] = std::move(e.answer);
      }
      if (old->damaged_lines > 0) {
        warnings->push_back(path + ": " + std::to_string(old->damaged_lines) +
                            " unreadable lines ignored");
      }
    }
  }
  Result<JournalWriter> w = JournalWriter::Open(path, resume);
  if (!w.ok()) return w.status();
  std::shared_ptr<RunJournal> journal(new RunJournal(std::move(*w)));
  journal->journaled_ = std::move(journaled);
  if (!has_lines) {
    Status s = journal->writer_.AppendIdentity(identity);
    if (!s.ok()) return s;
  }
  return journal;
}

const ModelAnswer* RunJournal::Find(const std::string& cache_key) const {
  auto it = journaled_.find(cache_key);
  return it == journaled_.end() ? nullptr : &it->second;
}

}  // namespace llmstack
