// Checks a JSON report against the report contract (DESIGN §6) with the project's shared
// checker, check_report.py, when it is there.
#ifndef LLMSTACK_TESTS_REPORT_CHECKS_H_
#define LLMSTACK_TESTS_REPORT_CHECKS_H_

#include <catch2/catch.hpp>
#include <string>

#include "test_support.h"

namespace llmstack::testing {

inline std::string ReportChecker() {
  for (const std::string& path : {SourcePath("../shared/contract/check_report.py"),
                                  std::string("/work/shared/contract/check_report.py")}) {
    if (FileExists(path)) return path;
  }
  return "";
}

// Runs check_report.py on `report`; the report must pass it.
inline void CheckReportContract(const std::string& report) {
  static const std::string checker = ReportChecker();
  if (checker.empty() || !HaveCommand("python3")) {
    WARN("check_report.py or python3 not found: report contract not checked");
    return;
  }
  CommandResult r = RunShell("python3 '" + checker + "' '" + report + "'");
  INFO("check_report.py " << report << ":\n" << r.out << r.err);
  CHECK(r.exit_code == 0);
}

}  // namespace llmstack::testing

#endif  // LLMSTACK_TESTS_REPORT_CHECKS_H_
