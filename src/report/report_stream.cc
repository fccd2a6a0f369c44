#include "report/report_stream.h"

#include <cerrno>
#include <cstring>

namespace llmstack {

ReportSpool::ReportSpool() : file_(std::tmpfile()) {}

ReportSpool::~ReportSpool() {
  if (file_) std::fclose(file_);
}

Status ReportSpool::Append(std::string_view text) {
  if (!file_) return IoError(std::string("cannot make a temporary file: ") + std::strerror(errno));
  if (text.empty()) return Status::Ok();
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) {
    return IoError(std::string("cannot write a temporary file: ") + std::strerror(errno));
  }
  size_ += text.size();
  return Status::Ok();
}

Status ReportSpool::CopyTo(const ReportWrite& write) {
  if (!file_ || size_ == 0) return Status::Ok();
  if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0) {
    return IoError(std::string("cannot read a temporary file back: ") + std::strerror(errno));
  }
  std::string buffer(1 << 16, '\0');
  uint64_t left = size_;
  while (left > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, buffer.size()));
    size_t got = std::fread(buffer.data(), 1, want, file_);
    if (got == 0) return IoError("a temporary file ended early");
    Status s = write(std::string_view(buffer.data(), got));
    if (!s.ok()) return s;
    left -= got;
  }
  // Empty again, for a spool that is reused.
  if (std::fseek(file_, 0, SEEK_SET) != 0) return IoError("cannot rewind a temporary file");
  size_ = 0;
  return Status::Ok();
}

std::string RenderThroughStream(ReportStream& stream, const RunInfo& info,
                                const RunSummary& summary,
                                const std::vector<PacketResult>& results) {
  std::string out;
  for (const PacketResult& r : results) {
    if (!stream.Add(r).ok()) return out;
  }
  Status s = stream.Finish(info, summary, [&out](std::string_view piece) {
    out.append(piece);
    return Status::Ok();
  });
  (void)s;
  return out;
}

}  // namespace llmstack
