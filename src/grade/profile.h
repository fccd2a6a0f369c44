// Grading profiles (DESIGN §5): what counts as the correct reply.
#ifndef LLMSTACK_GRADE_PROFILE_H_
#define LLMSTACK_GRADE_PROFILE_H_

#include <string_view>

#include "base/status.h"

namespace llmstack {

enum class Profile {
  kRfc,      // RFC 791/792/1071/1122, RFC 4443: MUSTs fail, SHOULDs warn, the rest is info
  kLinux,    // what a Linux 6.x kernel sends (its choices, not its bugs)
  kDunkels,  // the original experiment's prompt: the request's header, TTL 64, addresses
             // swapped, type 0, checksums recomputed, all else copied
};

// Errors: kInvalidArgument naming the accepted values.
Result<Profile> ParseProfile(std::string_view name);
const char* ProfileName(Profile profile);

}  // namespace llmstack

#endif  // LLMSTACK_GRADE_PROFILE_H_
