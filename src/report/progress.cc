#include "report/progress.h"

#include <unistd.h>

#include <string>

namespace llmstack {

ProgressBar::ProgressBar(FILE* err, bool enabled, uint64_t total)
    : err_(err), enabled_(enabled && isatty(fileno(err)) != 0), total_(total) {}

void ProgressBar::Update(uint64_t done, uint64_t in_flight, uint64_t retries, double cost_usd,
                         bool cost_known) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100) && done < total_) return;
  last_ = now;
  const int width = 30;
  int filled = total_ ? static_cast<int>(width * done / total_) : width;
  std::string bar(static_cast<size_t>(filled), '=');
  bar.resize(width, ' ');
  std::fprintf(err_, "\r\033[K[%s] %llu/%llu answered, %llu in flight, %llu retries", bar.c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
               static_cast<unsigned long long>(in_flight),
               static_cast<unsigned long long>(retries));
  if (cost_known) std::fprintf(err_, ", ~$%.4f", cost_usd);
  std::fflush(err_);
  drawn_ = true;
}

void ProgressBar::Clear() {
  if (!enabled_ || !drawn_) return;
  std::fprintf(err_, "\r\033[K");
  std::fflush(err_);
  drawn_ = false;
}

}  // namespace llmstack
