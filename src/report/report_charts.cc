#include "report/report_charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/text_escape.h"
#include "report/terminal_report.h"

namespace llmstack {

namespace {

constexpr const char* kPassColor = "#2da44e";
constexpr const char* kWarnColor = "#d4a72c";
constexpr const char* kFailColor = "#cf222e";
constexpr const char* kInkColor = "#1f2328";
constexpr const char* kMutedColor = "#59636e";
constexpr const char* kGridColor = "#d1d9e0";

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string Rect(double x, double y, double w, double h, const char* fill, const std::string& tip) {
  if (w <= 0 || h <= 0) return "";
  return "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(w) + "\" height=\"" +
         Num(h) + "\" fill=\"" + fill + "\"><title>" + EscapeHtml(tip) + "</title></rect>";
}

std::string Text(double x, double y, const std::string& text, const char* anchor = "start",
                 const char* fill = kInkColor, const char* extra = "") {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" text-anchor=\"" + anchor + "\" fill=\"" +
         fill + "\"" + extra + ">" + EscapeHtml(text) + "</text>";
}

std::string Percent(uint64_t part, uint64_t total) {
  if (total == 0) return "";
  double p = 100.0 * static_cast<double>(part) / static_cast<double>(total);
  char buf[16];
  // 99.95 would round to 100: never claim 100% when something failed.
  if (part < total && p > 99.9) p = 99.9;
  std::snprintf(buf, sizeof buf, p == 100 || p == 0 ? "%.0f%%" : "%.1f%%", p);
  return buf;
}

}  // namespace

std::string FieldGradeChart(const std::vector<FieldBar>& all) {
  if (all.empty()) return "";
  std::vector<FieldBar> bars;
  std::string informational;
  for (const FieldBar& b : all) {
    if (b.pass + b.warn + b.fail > 0) {
      bars.push_back(b);
    } else {
      informational += (informational.empty() ? "" : ", ") + b.name;
    }
  }
  const double label_w = 228, bar_w = 200, note_w = 150, top = 4;
  const double row_h = bars.size() > 20 ? 20 : 24, bar_h = bars.size() > 20 ? 13 : 15;
  const double width = label_w + bar_w + note_w;
  const double info_h = informational.empty() ? 0 : 26;
  const double height = top + row_h * static_cast<double>(bars.size()) + 4 + info_h;
  std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + Num(width) + " " + Num(height) +
                    "\" role=\"img\" aria-labelledby=\"field-chart-title\" "
                    "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"13\">"
                    "<title id=\"field-chart-title\">Per-field grades: share of graded replies "
                    "in which each field passed, warned or failed</title>";
  double y = top;
  for (const FieldBar& b : bars) {
    uint64_t total = b.pass + b.warn + b.fail;
    const bool bad = b.fail > 0;
    svg += "<g>";
    svg += Text(label_w - 10, y + bar_h - 2, b.name, "end", bad ? kFailColor : kInkColor,
                bad ? " font-weight=\"700\" class=\"mono\"" : " class=\"mono\"");
    double x = label_w;
    const struct {
      uint64_t n;
      const char* color;
      const char* word;
    } parts[] = {
        {b.pass, kPassColor, "pass"}, {b.warn, kWarnColor, "warn"}, {b.fail, kFailColor, "fail"}};
    for (const auto& part : parts) {
      double w = bar_w * static_cast<double>(part.n) / static_cast<double>(total);
      svg += Rect(x, y, w, bar_h, part.color,
                  b.name + " (" + b.title + "): " + std::to_string(part.n) + " " + part.word +
                      " of " + std::to_string(total));
      x += w;
    }
    std::string note = Percent(b.pass, total) + " pass";
    if (b.fail > 0) note += " · " + std::to_string(b.fail) + " fail";
    if (b.warn > 0) note += " · " + std::to_string(b.warn) + " warn";
    svg += Text(label_w + bar_w + 10, y + bar_h - 2, note, "start", bad ? kFailColor : kMutedColor);
    svg += "</g>";
    y += row_h;
  }
  if (!informational.empty()) {
    svg += Text(0, y + 18, "Any value is fine (informational): " + informational, "start",
                kMutedColor);
  }
  svg += "</svg>";
  return svg;
}

std::string LatencyChart(const std::vector<LatencyPoint>& points, double avg_ms) {
  if (points.empty()) return "";
  double lo = points[0].ms, hi = points[0].ms;
  for (const LatencyPoint& p : points) {
    lo = std::min(lo, p.ms);
    hi = std::max(hi, p.ms);
  }
  const size_t n = points.size();
  size_t bins = static_cast<size_t>(std::ceil(2 * std::cbrt(static_cast<double>(n))));
  bins = std::clamp<size_t>(bins, 5, 30);
  double span = hi - lo;
  if (span <= 0) {  // all equal: one bar in the middle
    span = std::max(1.0, std::fabs(lo) * 0.1);
    lo -= span / 2;
    hi = lo + span;
  }
  std::vector<uint64_t> good(bins), bad(bins);
  for (const LatencyPoint& p : points) {
    size_t i = static_cast<size_t>((p.ms - lo) / span * static_cast<double>(bins));
    if (i >= bins) i = bins - 1;
    (p.correct ? good : bad)[i]++;
  }
  uint64_t peak = 1;
  for (size_t i = 0; i < bins; ++i) peak = std::max(peak, good[i] + bad[i]);

  const double left = 40, right = 14, top = 24, plot_h = 150, axis_h = 40, plot_w = 516;
  const double width = left + plot_w + right, height = top + plot_h + axis_h;
  const double bin_w = plot_w / static_cast<double>(bins);
  std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + Num(width) + " " + Num(height) +
                    "\" role=\"img\" aria-labelledby=\"latency-chart-title\" "
                    "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"13\">"
                    "<title id=\"latency-chart-title\">Latency distribution: number of answers "
                    "per latency range, correct replies and the rest</title>";
  // Horizontal grid lines with counts.
  for (int k = 0; k <= 2; ++k) {
    uint64_t value = peak * static_cast<uint64_t>(k) / 2;
    if (k == 1 && peak < 2) continue;
    double y = top + plot_h - plot_h * static_cast<double>(value) / static_cast<double>(peak);
    svg += "<line x1=\"" + Num(left) + "\" x2=\"" + Num(left + plot_w) + "\" y1=\"" + Num(y) +
           "\" y2=\"" + Num(y) + "\" stroke=\"" + kGridColor + "\"/>";
    svg += Text(left - 6, y + 4, std::to_string(value), "end", kMutedColor);
  }
  for (size_t i = 0; i < bins; ++i) {
    double x = left + bin_w * static_cast<double>(i) + 1;
    double w = bin_w - 2;
    double from = lo + span * static_cast<double>(i) / static_cast<double>(bins);
    double to = lo + span * static_cast<double>(i + 1) / static_cast<double>(bins);
    std::string range = FormatMilliseconds(from) + "–" + FormatMilliseconds(to) + " ms: ";
    double hg = plot_h * static_cast<double>(good[i]) / static_cast<double>(peak);
    double hb = plot_h * static_cast<double>(bad[i]) / static_cast<double>(peak);
    svg +=
        Rect(x, top + plot_h - hg, w, hg, kPassColor, range + std::to_string(good[i]) + " correct");
    svg += Rect(x, top + plot_h - hg - hb, w, hb, kFailColor,
                range + std::to_string(bad[i]) + " not correct");
  }
  // The average.
  if (avg_ms >= lo && avg_ms <= hi) {
    double x = left + plot_w * (avg_ms - lo) / span;
    svg += "<line x1=\"" + Num(x) + "\" x2=\"" + Num(x) + "\" y1=\"" + Num(top - 6) + "\" y2=\"" +
           Num(top + plot_h) + "\" stroke=\"" + kInkColor + "\" stroke-dasharray=\"4 3\"/>";
    const char* anchor = x > left + plot_w * 0.8   ? "end"
                         : x < left + plot_w * 0.2 ? "start"
                                                   : "middle";
    svg += Text(x, top - 10, "avg " + FormatMilliseconds(avg_ms) + " ms", anchor);
  }
  // Axis: lowest, middle and highest latency.
  double axis_y = top + plot_h;
  svg += "<line x1=\"" + Num(left) + "\" x2=\"" + Num(left + plot_w) + "\" y1=\"" + Num(axis_y) +
         "\" y2=\"" + Num(axis_y) + "\" stroke=\"" + kInkColor + "\"/>";
  svg += Text(left, axis_y + 16, FormatMilliseconds(lo) + " ms", "start", kMutedColor);
  svg += Text(left + plot_w / 2, axis_y + 16, FormatMilliseconds(lo + span / 2) + " ms", "middle",
              kMutedColor);
  svg += Text(left + plot_w, axis_y + 16, FormatMilliseconds(hi) + " ms", "end", kMutedColor);
  // Legend.
  double ly = axis_y + 34;
  svg += Rect(left, ly - 10, 12, 12, kPassColor, "correct");
  svg += Text(left + 18, ly, "correct");
  svg += Rect(left + 90, ly - 10, 12, 12, kFailColor, "not correct");
  svg += Text(left + 108, ly, "not correct (wrong, unparseable, no reply)");
  svg += "</svg>";
  return svg;
}

}  // namespace llmstack
