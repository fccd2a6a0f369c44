// `llmstack-replay live --tun NAME`: answers real pings through a TUN device, as the original
// experiment did: every echo request read from the device goes to the backend, and the model's
// reply is written back to the device (as the model wrote it, only when correct with
// --only-correct, or replaced by the reference reply when wrong with --fallback reference).
#ifndef LLMSTACK_CLI_LIVE_COMMAND_H_
#define LLMSTACK_CLI_LIVE_COMMAND_H_

#include <cstdio>
#include <optional>
#include <string>

#include "grade/profile.h"
#include "model/model_session.h"

namespace llmstack {

struct LiveOptions {
  std::string tun;                    // device name; opened, or created if missing
  std::optional<std::string> addr;    // CIDR for the host side, e.g. 10.99.0.1/24
  std::optional<std::string> record;  // pcapng of requests and graded replies
  SessionOptions session;
  Profile profile = Profile::kRfc;
  bool only_correct = false;
  std::optional<std::string> fallback;  // "reference"
  bool quiet = false;
};

// Runs until SIGINT/SIGTERM. Returns 0, 1 when any reply was wrong, 2 on a usage or device
// error (no root or CAP_NET_ADMIN, no /dev/net/tun, device busy), 3 when the backend failed
// for good.
int RunLiveCommand(const LiveOptions& options, FILE* out, FILE* err);

}  // namespace llmstack

#endif  // LLMSTACK_CLI_LIVE_COMMAND_H_
