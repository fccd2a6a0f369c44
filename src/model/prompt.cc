#include "model/prompt.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "base/embedded_files.h"
#include "base/sha256.h"

namespace llmstack {

namespace {

constexpr const char* kVariables[] = {"request_hex", "request_hex_spaced", "family", "length"};

bool KnownVariable(const std::string& name) {
  for (const char* v : kVariables) {
    if (name == v) return true;
  }
  return false;
}

std::string Value(const std::string& name, const EchoPacket& p) {
  if (name == "request_hex") return HexEncode(p.datagram);
  if (name == "request_hex_spaced") {
    std::string hex = HexEncode(p.datagram), out;
    for (size_t i = 0; i < hex.size(); i += 2) {
      if (i) out += ' ';
      out += hex.substr(i, 2);
    }
    return out;
  }
  if (name == "family") return p.family == IpFamily::kIpv4 ? "IPv4" : "IPv6";
  if (name == "length") return std::to_string(p.datagram.size());
  return "";
}

}  // namespace

Result<PromptTemplate> PromptTemplate::FromText(std::string name, std::string text) {
  bool names_packet = false;
  for (size_t at = text.find("{{"); at != std::string::npos; at = text.find("{{", at + 2)) {
    size_t end = text.find("}}", at);
    if (end == std::string::npos) break;
    std::string var = text.substr(at + 2, end - at - 2);
    if (!KnownVariable(var)) {
      return InvalidArgument(name + ": unknown template variable {{" + var +
                             "}} (known: request_hex, request_hex_spaced, family, length)");
    }
    names_packet = names_packet || var == "request_hex" || var == "request_hex_spaced";
  }
  if (!names_packet) {
    return InvalidArgument(name + ": the template never shows the packet ({{request_hex}})");
  }
  PromptTemplate t;
  t.name_ = std::move(name);
  t.sha256_ = Sha256Hex(text);
  t.text_ = std::move(text);
  return t;
}

Result<PromptTemplate> PromptTemplate::Load(const std::string& path_or_name) {
  struct stat st;
  if (stat(path_or_name.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return IoError(path_or_name + ": is a directory, not a prompt");
    std::ifstream in(path_or_name, std::ios::binary);
    if (!in) return IoError(path_or_name + ": cannot read");
    std::stringstream ss;
    ss << in.rdbuf();
    return FromText(path_or_name, ss.str());
  }
  const EmbeddedFile* embedded = FindEmbeddedFile(path_or_name);
  if (embedded == nullptr) embedded = FindEmbeddedFile("prompts/" + path_or_name);
  if (embedded != nullptr) return FromText(embedded->name, embedded->text);
  return NotFound(path_or_name + ": no such prompt file");
}

PromptTemplate PromptTemplate::Default() {
  const EmbeddedFile* embedded = FindEmbeddedFile(std::string("prompts/") + kDefaultPrompt);
  if (embedded != nullptr) {
    Result<PromptTemplate> t = FromText(embedded->name, embedded->text);
    if (t.ok()) return std::move(*t);
  }
  return PromptTemplate();
}

RenderedPrompt PromptTemplate::Render(const EchoPacket& request) const {
  RenderedPrompt out;
  std::string* target = &out.instructions;
  size_t pos = 0;
  for (size_t at = text_.find("{{"); at != std::string::npos; at = text_.find("{{", pos)) {
    size_t end = text_.find("}}", at);
    if (end == std::string::npos) break;
    target->append(text_, pos, at - pos);
    target = &out.message;
    target->append(Value(text_.substr(at + 2, end - at - 2), request));
    pos = end + 2;
  }
  target->append(text_, pos, std::string::npos);
  return out;
}

}  // namespace llmstack
