#include "cli/audit_command.h"

#include <cerrno>
#include <cstring>

#include "audit/document_audit.h"
#include "packet/packet_stream.h"

namespace llmstack {

namespace {

// Reads a whole file ("-": stdin). Returns false with `error` set when it cannot be read.
bool ReadWhole(const std::string& path, std::string* content, std::string* error) {
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    *error = std::strerror(errno);
    return false;
  }
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) content->append(buf, n);
  bool failed = std::ferror(f) != 0;
  int saved = errno;
  if (f != stdin) std::fclose(f);
  if (failed) {
    *error = std::strerror(saved);
    return false;
  }
  return true;
}

}  // namespace

int RunAuditCommand(const AuditOptions& options, FILE* out, FILE* err) {
  std::optional<EchoPacket> request;
  if (!options.request_hex.empty()) {
    Result<Bytes> bytes = HexDecodeLenient(options.request_hex);
    Result<EchoPacket> p =
        bytes.ok() ? EchoPacketFromDatagram(*bytes) : Result<EchoPacket>(bytes.status());
    if (!p.ok() || !p->is_request()) {
      std::fprintf(err, "llmstack-replay: audit: --request: %s\n",
                   p.ok() ? "not an ICMP or ICMPv6 echo request" : p.status().message().c_str());
      return 2;
    }
    request = std::move(*p);
  }
  AuditTally tally;
  size_t files = 0;
  bool unreadable = false;
  for (const std::string& path : options.files) {
    std::string content, error;
    if (!ReadWhole(path, &content, &error)) {
      std::fprintf(err, "llmstack-replay: audit: %s: %s\n", path.c_str(), error.c_str());
      unreadable = true;
      continue;
    }
    ++files;
    AuditDocument(path == "-" ? "<stdin>" : path, content, request ? &*request : nullptr,
                  options.quiet, out, &tally);
  }
  std::fputs(FormatAuditSummary(files, tally).c_str(), out);
  if (unreadable) return 2;
  return tally.any_wrong() ? 1 : 0;
}

}  // namespace llmstack
