#include "run/run_journal.h"

#include "base/sha256.h"

namespace llmstack {

Result<JournalIdentity> ReplayRunIdentity(const std::string& capture_path,
                                          const std::vector<ModelSession*>& sessions,
                                          const std::vector<std::string>& cell_names,
                                          const BackendOptions& settings, Profile profile,
                                          int samples) {
  JournalIdentity id;
  Result<std::string> sha = Sha256FileHex(capture_path);
  if (!sha.ok()) return sha.status();
  id.capture_sha256 = std::move(*sha);
  for (size_t i = 0; i < sessions.size(); ++i) {
    JournalIdentity::Cell cell = sessions[i]->IdentityCell();
    if (i < cell_names.size()) cell.name = cell_names[i];
    id.cells.push_back(std::move(cell));
  }
  id.profile = ProfileName(profile);
  id.temperature = settings.temperature;
  id.max_tokens = settings.max_tokens;
  id.thinking = settings.thinking;
  id.samples = samples;
  return id;
}

Status AttachRunJournal(const std::string& path, bool resume, const JournalIdentity& identity,
                        const std::vector<ModelSession*>& sessions,
                        std::vector<std::string>* warnings) {
  Result<std::shared_ptr<RunJournal>> journal = RunJournal::Open(path, resume, identity, warnings);
  if (!journal.ok()) return journal.status();
  for (size_t i = 0; i < sessions.size(); ++i) {
    sessions[i]->AttachJournal(*journal, identity.cells[i].name);
  }
  return Status::Ok();
}

}  // namespace llmstack
