// The journal of a main-job run (DESIGN §4, "Journal identity"): its identity (the capture's
// SHA-256, each cell's model and prompt hash, the profile, the sampling settings, the samples)
// and the journal opened for it, shared by every cell of a matrix run.
#ifndef LLMSTACK_RUN_RUN_JOURNAL_H_
#define LLMSTACK_RUN_RUN_JOURNAL_H_

#include <memory>
#include <string>
#include <vector>

#include "grade/profile.h"
#include "model/journal.h"
#include "model/model_session.h"

namespace llmstack {

// The identity of a run over the capture at `capture_path` (read to hash it) with these
// sessions, one per cell (`cell_names` empty for a run of one cell).
// Errors: kIoError when the capture cannot be read.
Result<JournalIdentity> ReplayRunIdentity(const std::string& capture_path,
                                          const std::vector<ModelSession*>& sessions,
                                          const std::vector<std::string>& cell_names,
                                          const BackendOptions& settings, Profile profile,
                                          int samples);

// Opens `path` for the run `identity` and attaches it to every session (the lines naming the
// cell when there are several). Errors: those of RunJournal::Open (another run's journal: exit
// 2 naming what differs). Notes for the user go to `warnings`.
Status AttachRunJournal(const std::string& path, bool resume, const JournalIdentity& identity,
                        const std::vector<ModelSession*>& sessions,
                        std::vector<std::string>* warnings);

}  // namespace llmstack

#endif  // LLMSTACK_RUN_RUN_JOURNAL_H_
