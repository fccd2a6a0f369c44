// The built-in reference stack as a backend: the answer key, and a dry run of the whole
// pipeline. Its answers are labelled as such everywhere; they are never a model's.
#ifndef LLMSTACK_MODEL_REFERENCE_BACKEND_H_
#define LLMSTACK_MODEL_REFERENCE_BACKEND_H_

#include <deque>

#include "grade/profile.h"
#include "model/backend.h"

namespace llmstack {

class ReferenceBackend : public Backend {
 public:
  explicit ReferenceBackend(Profile profile) : profile_(profile) {}
  std::string Spec() const override;
  bool IsReference() const override { return true; }
  void Submit(ModelQuery query) override;
  std::vector<ModelAnswer> Collect(double timeout_s) override;
  size_t InFlight() const override { return done_.size(); }

 private:
  Profile profile_;
  std::deque<ModelAnswer> done_;
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_REFERENCE_BACKEND_H_
