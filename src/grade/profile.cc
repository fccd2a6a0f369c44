#include "grade/profile.h"

#include <string>

namespace llmstack {

Result<Profile> ParseProfile(std::string_view name) {
  if (name == "rfc") return Profile::kRfc;
  if (name == "linux") return Profile::kLinux;
  if (name == "dunkels") return Profile::kDunkels;
  return InvalidArgument("unknown profile '" + std::string(name) +
                         "' (choose rfc, linux or dunkels)");
}

const char* ProfileName(Profile profile) {
  switch (profile) {
    case Profile::kRfc:
      return "rfc";
    case Profile::kLinux:
      return "linux";
    case Profile::kDunkels:
      return "dunkels";
  }
  return "rfc";
}

}  // namespace llmstack
