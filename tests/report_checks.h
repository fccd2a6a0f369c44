// Checks a JSON report against the report contract (the report schema of README.md, "Reports")
// with tests/check_report.py. Every JSON report a test leaves in a TempDir is checked when the
// directory goes away (test_support.cc); tests call this for reports written elsewhere.
#ifndef LLMSTACK_TESTS_REPORT_CHECKS_H_
#define LLMSTACK_TESTS_REPORT_CHECKS_H_

#include <catch2/catch.hpp>
#include <string>

#include "test_support.h"

namespace llmstack::testing {

// Runs tests/check_report.py on `report`; the report must pass it.
inline void CheckReportContract(const std::string& report) {
  CommandResult r =
      RunShell("python3 '" + SourcePath("tests/check_report.py") + "' '" + report + "'");
  INFO("check_report.py " << report << ":\n" << r.out << r.err);
  CHECK(r.exit_code == 0);
}

}  // namespace llmstack::testing

#endif  // LLMSTACK_TESTS_REPORT_CHECKS_H_
