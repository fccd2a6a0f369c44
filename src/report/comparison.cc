#include "report/comparison.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "base/text_escape.h"
#include "base/tool.h"
#include "report/statistics.h"

namespace llmstack {

namespace {

using nlohmann::json;

std::string Percent(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", v * 100);
  return buf;
}

std::string Interval(uint64_t correct, uint64_t graded) {
  auto [lo, hi] = WilsonInterval(correct, graded);
  return Percent(lo) + "-" + Percent(hi);
}

std::string P(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, p < 0.001 ? "%.2g" : "%.3f", p);
  return buf;
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The reply's bytes with those that differ from the expected reply marked.
std::string ByteDiffHtml(const std::string& reply, const std::string& expected) {
  if (reply.empty()) return "(no reply)";
  std::string out;
  for (size_t i = 0; i + 1 < reply.size(); i += 2) {
    std::string byte = reply.substr(i, 2);
    bool differs = expected.size() < i + 2 || expected.compare(i, 2, byte) != 0;
    out += differs ? "<mark>" + EscapeHtml(byte) + "</mark>" : EscapeHtml(byte);
    if ((i / 2) % 16 == 15) out += "<br>";
  }
  return out;
}

bool Graded(const std::string& verdict) { return verdict != "error" && verdict != "truncated"; }

// The runs in order of accuracy, best first (ties: as given).
std::vector<const ComparedRun*> Leaderboard(const std::vector<ComparedRun>& runs) {
  std::vector<const ComparedRun*> order;
  for (const ComparedRun& r : runs) order.push_back(&r);
  std::stable_sort(order.begin(), order.end(), [](const ComparedRun* a, const ComparedRun* b) {
    double ra = a->graded ? static_cast<double>(a->correct) / a->graded : 0;
    double rb = b->graded ? static_cast<double>(b->correct) / b->graded : 0;
    return ra > rb;
  });
  return order;
}

std::string CostPerCorrect(const ComparedRun& r) {
  if (r.cost_usd < 0) return "unknown";
  if (r.correct == 0) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.4f", r.cost_usd / static_cast<double>(r.correct));
  return buf;
}

}  // namespace

Comparison CompareRuns(const ComparedRun& a, const ComparedRun& b) {
  Comparison c;
  c.a = a.name;
  c.b = b.name;
  std::map<std::pair<uint64_t, int>, const ComparedRun::Packet*> in_b;
  for (const ComparedRun::Packet& p : b.packets) in_b[{p.frame, p.sample}] = &p;
  std::set<std::pair<uint64_t, int>> seen;
  for (const ComparedRun::Packet& pa : a.packets) {
    auto it = in_b.find({pa.frame, pa.sample});
    if (it == in_b.end()) {
      if (c.mismatches.size() < 20) {
        c.mismatches.push_back("frame " + std::to_string(pa.frame) + " sample " +
                               std::to_string(pa.sample) + " is only in " + a.name);
      }
      continue;
    }
    seen.insert(it->first);
    const ComparedRun::Packet& pb = *it->second;
    if (pa.request_hex != pb.request_hex) {
      if (c.mismatches.size() < 20) {
        c.mismatches.push_back("frame " + std::to_string(pa.frame) +
                               ": the requests differ between the runs");
      }
      continue;
    }
    if (!pa.expect_reply || !Graded(pa.verdict) || !Graded(pb.verdict)) continue;
    ++c.paired;
    bool ra = pa.verdict == "correct", rb = pb.verdict == "correct";
    c.both_right += ra && rb;
    c.a_only += ra && !rb;
    c.b_only += !ra && rb;
    c.both_wrong += !ra && !rb;
    for (const std::string& f : pa.failed_fields) ++c.fields[f].first;
    for (const std::string& f : pb.failed_fields) ++c.fields[f].second;
    if (ra != rb) {
      c.flips.push_back(
          {pa.frame, pa.sample, pa.verdict, pb.verdict, pa.failed_fields, pb.failed_fields});
    }
  }
  for (const ComparedRun::Packet& pb : b.packets) {
    if (!seen.count({pb.frame, pb.sample}) && c.mismatches.size() < 20) {
      c.mismatches.push_back("frame " + std::to_string(pb.frame) + " sample " +
                             std::to_string(pb.sample) + " is only in " + b.name);
    }
  }
  c.mcnemar_exact_p = McNemarExactP(c.a_only, c.b_only);
  return c;
}

std::string FormatComparisonTerminal(const std::vector<ComparedRun>& runs,
                                     const std::vector<Comparison>& comparisons) {
  std::string out;
  out += "runs, best first (correct of graded, 95% Wilson interval):\n";
  for (const ComparedRun* r : Leaderboard(runs)) {
    double rate = r->graded ? static_cast<double>(r->correct) / r->graded : 0;
    out += "  " + r->name + " (" + r->model + (r->prompt.empty() ? "" : ", " + r->prompt) +
           "): " + std::to_string(r->correct) + "/" + std::to_string(r->graded) + " " +
           Percent(rate) + " [" + Interval(r->correct, r->graded) + "]\n";
  }
  for (const Comparison& c : comparisons) {
    out += "\n" + c.a + " vs " + c.b + ": " + std::to_string(c.paired) + " paired requests\n";
    out += "  both right " + std::to_string(c.both_right) + ", " + c.a + " only " +
           std::to_string(c.a_only) + ", " + c.b + " only " + std::to_string(c.b_only) +
           ", both wrong " + std::to_string(c.both_wrong) +
           "; McNemar exact p = " + P(c.mcnemar_exact_p) + "\n";
    std::string fields;
    for (const auto& [name, counts] : c.fields) {
      if (counts.first == counts.second) continue;
      fields += (fields.empty() ? "" : ", ") + name + " " + std::to_string(counts.first) + "/" +
                std::to_string(counts.second);
    }
    if (!fields.empty()) out += "  fields failing (A/B): " + fields + "\n";
    for (const Flip& f : c.flips) {
      out += "  frame " + std::to_string(f.frame) +
             (f.sample ? " sample " + std::to_string(f.sample) : "") + ": " + f.a_verdict +
             (f.a_failed.empty() ? "" : " (" + Joined(f.a_failed) + ")") + " -> " + f.b_verdict +
             (f.b_failed.empty() ? "" : " (" + Joined(f.b_failed) + ")") + "\n";
    }
    for (const std::string& m : c.mismatches) out += "  not paired: " + m + "\n";
  }
  return out;
}

std::string RenderComparisonJson(const std::vector<ComparedRun>& runs,
                                 const std::vector<Comparison>& comparisons) {
  auto one = [](const Comparison& c) {
    json fields = json::object();
    for (const auto& [name, counts] : c.fields) {
      fields[name] = {{"a_fail", counts.first}, {"b_fail", counts.second}};
    }
    json flips = json::array();
    for (const Flip& f : c.flips) {
      flips.push_back({{"frame", f.frame},
                       {"sample", f.sample},
                       {"a", f.a_verdict},
                       {"b", f.b_verdict},
                       {"a_failed", f.a_failed},
                       {"b_failed", f.b_failed}});
    }
    return json{{"a", c.a},
                {"b", c.b},
                {"paired", c.paired},
                {"both_right", c.both_right},
                {"a_only", c.a_only},
                {"b_only", c.b_only},
                {"both_wrong", c.both_wrong},
                {"mcnemar_exact_p", c.mcnemar_exact_p},
                {"fields", fields},
                {"flips", flips},
                {"mismatches", c.mismatches}};
  };
  json out = comparisons.empty() ? json::object() : one(comparisons.front());
  out["schema"] = "llmstack-replay.compare/1";
  out["tool"] = {{"name", kToolName}, {"version", kToolVersion}};
  json list = json::array();
  for (const ComparedRun& r : runs) {
    auto [lo, hi] = WilsonInterval(r.correct, r.graded);
    list.push_back({{"name", r.name},
                    {"model", r.model},
                    {"prompt", r.prompt},
                    {"correct", r.correct},
                    {"graded", r.graded},
                    {"rate", r.graded ? static_cast<double>(r.correct) / r.graded : 0.0},
                    {"ci95", {lo, hi}},
                    {"method", "wilson"}});
  }
  out["runs"] = list;
  if (comparisons.size() > 1) {
    json all = json::array();
    for (const Comparison& c : comparisons) all.push_back(one(c));
    out["comparisons"] = all;
  }
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string RenderComparisonMarkdown(const std::vector<ComparedRun>& runs,
                                     const std::vector<Comparison>& comparisons) {
  std::string out =
      "| run | model | prompt | correct | rate | 95% CI (Wilson) | rtt p50 | cost per "
      "correct |\n|---|---|---|---|---|---|---|---|\n";
  for (const ComparedRun* r : Leaderboard(runs)) {
    double rate = r->graded ? static_cast<double>(r->correct) / r->graded : 0;
    char rtt[32];
    std::snprintf(rtt, sizeof rtt, "%.0f ms", r->rtt_p50_ms);
    out += "| " + EscapeMarkdownCell(r->name) + " | " + EscapeMarkdownCell(r->model) + " | " +
           EscapeMarkdownCell(r->prompt) + " | " + std::to_string(r->correct) + "/" +
           std::to_string(r->graded) + " | " + Percent(rate) + " | " +
           Interval(r->correct, r->graded) + " | " + rtt + " | " + CostPerCorrect(*r) + " |\n";
  }
  for (const Comparison& c : comparisons) {
    out += "\n**" + EscapeMarkdownCell(c.a) + " vs " + EscapeMarkdownCell(c.b) +
           "**: " + std::to_string(c.paired) + " paired; both right " +
           std::to_string(c.both_right) + ", A only " + std::to_string(c.a_only) + ", B only " +
           std::to_string(c.b_only) + ", both wrong " + std::to_string(c.both_wrong) +
           "; McNemar exact p = " + P(c.mcnemar_exact_p) + "\n";
  }
  return out;
}

std::string RenderComparisonHtml(const std::vector<ComparedRun>& runs,
                                 const std::vector<Comparison>& comparisons) {
  std::string out =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>llmstack-replay comparison"
      "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
      "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
      ".correct,.silent_ok{background:#cfc}.wrong,.unexpected_reply,.unparseable,.no_reply{"
      "background:#fcc}.error,.truncated{background:#eee}.bar{background:#69c;height:10px}"
      "details summary{cursor:pointer}code{font-size:90%}mark{background:#f66}</style></head><body>"
      "<h1>Comparison</h1><h2>Leaderboard</h2><table><tr><th>run</th><th>model</th>"
      "<th>prompt</th><th>correct</th><th>rate</th><th>95% CI (Wilson)</th><th></th></tr>";
  for (const ComparedRun* r : Leaderboard(runs)) {
    double rate = r->graded ? static_cast<double>(r->correct) / r->graded : 0;
    auto [lo, hi] = WilsonInterval(r->correct, r->graded);
    char bar[160];
    std::snprintf(bar, sizeof bar,
                  "<div style=\"position:relative;width:200px;background:#eee;height:10px\">"
                  "<div class=\"bar\" style=\"position:absolute;left:%.0fpx;width:%.0fpx\">"
                  "</div></div>",
                  lo * 200, (hi - lo) * 200);
    out += "<tr><td>" + EscapeHtml(r->name) + "</td><td>" + EscapeHtml(r->model) + "</td><td>" +
           EscapeHtml(r->prompt) + "</td><td>" + std::to_string(r->correct) + "/" +
           std::to_string(r->graded) + "</td><td>" + Percent(rate) + "</td><td>" +
           Interval(r->correct, r->graded) + "</td><td>" + bar + "</td></tr>";
  }
  out += "</table>";
  for (const Comparison& c : comparisons) {
    out += "<h2>" + EscapeHtml(c.a) + " vs " + EscapeHtml(c.b) + "</h2><p>" +
           std::to_string(c.paired) + " paired requests: both right " +
           std::to_string(c.both_right) + ", A only " + std::to_string(c.a_only) + ", B only " +
           std::to_string(c.b_only) + ", both wrong " + std::to_string(c.both_wrong) +
           "; McNemar exact p = " + P(c.mcnemar_exact_p) + "</p>";
  }
  // The requests x runs grid: a cell per request and run, coloured by verdict, opening the
  // reply's bytes.
  std::vector<std::pair<uint64_t, int>> keys;
  std::set<std::pair<uint64_t, int>> known;
  for (const ComparedRun& r : runs) {
    for (const ComparedRun::Packet& p : r.packets) {
      if (known.insert({p.frame, p.sample}).second) keys.push_back({p.frame, p.sample});
    }
  }
  std::sort(keys.begin(), keys.end());
  out += "<h2>Requests x runs</h2><table><tr><th>frame</th>";
  for (const ComparedRun& r : runs) out += "<th>" + EscapeHtml(r.name) + "</th>";
  out += "</tr>";
  std::vector<std::map<std::pair<uint64_t, int>, const ComparedRun::Packet*>> index(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    for (const ComparedRun::Packet& p : runs[i].packets) index[i][{p.frame, p.sample}] = &p;
  }
  for (const auto& key : keys) {
    out += "<tr><td>" + std::to_string(key.first) +
           (key.second ? " #" + std::to_string(key.second) : "") + "</td>";
    for (size_t i = 0; i < runs.size(); ++i) {
      auto it = index[i].find(key);
      if (it == index[i].end()) {
        out += "<td></td>";
        continue;
      }
      const ComparedRun::Packet& p = *it->second;
      out += "<td class=\"" + EscapeHtml(p.verdict) + "\"><details><summary>" +
             EscapeHtml(p.verdict) + "</summary>" +
             (p.failed_fields.empty() ? "" : "<p>" + EscapeHtml(Joined(p.failed_fields)) + "</p>") +
             "<code>" + ByteDiffHtml(p.reply_hex, p.expected_hex) + "</code></details></td>";
    }
    out += "</tr>";
  }
  out += "</table></body></html>\n";
  return out;
}

}  // namespace llmstack
