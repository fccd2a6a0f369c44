#include "run/matrix_report.h"

#include <nlohmann/json.hpp>

#include "report/report_json.h"

namespace llmstack {

using nlohmann::json;

std::string RenderMatrixReport(const std::vector<MatrixCellResults>& cells) {
  json out = {{"schema", kMatrixReportSchema}};
  json list = json::array();
  json names = json::array();
  for (const MatrixCellResults& c : cells) {
    // The cell's report is exactly a single run's, so that the two never drift apart.
    json report = json::parse(RenderJsonReport(c.info, c.summary, c.packets));
    if (!out.contains("tool")) {
      out["tool"] = report["tool"];
      json run = report["run"];
      for (const char* per_cell : {"model", "model_note", "prompt"}) run.erase(per_cell);
      out["run"] = run;
    }
    out["run"]["interrupted"] =
        out["run"].value("interrupted", false) || report["run"].value("interrupted", false);
    report.erase("schema");
    report.erase("tool");
    report["cell"] = c.name;
    names.push_back(c.name);
    list.push_back(std::move(report));
  }
  if (!out.contains("run")) out["run"] = json::object();
  out["run"]["cells"] = names;
  out["cells"] = std::move(list);
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace llmstack
