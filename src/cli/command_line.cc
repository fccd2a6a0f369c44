#include "cli/command_line.h"

#include <algorithm>

namespace llmstack {

namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string> Nearest(const std::string& word,
                                   const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = 3;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance && d * 2 < std::max(word.size(), c.size())) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::vector<std::string> OptionNames(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::Option* o : cmd.get_options()) {
    for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : o->get_snames()) names.push_back("-" + s);
  }
  return names;
}

std::string DescribeParseError(const CLI::App& cmd, const CLI::ParseError& error,
                               const std::vector<std::string>& args) {
  std::string message = error.what();
  std::vector<std::string> known = OptionNames(cmd);
  for (const std::string& a : args) {
    if (a.size() < 2 || a[0] != '-' || a == "-") continue;
    std::string name = a.substr(0, a.find('='));
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    if (std::optional<std::string> near = Nearest(name, known)) {
      return "unknown option " + name + " (did you mean " + *near + "?); " +
             (cmd.get_name().empty() ? "" : cmd.get_name() + " ") + "--help lists the options";
    }
    return "unknown option " + name + "; " + (cmd.get_name().empty() ? "" : cmd.get_name() + " ") +
           "--help lists the options";
  }
  std::replace(message.begin(), message.end(), '\n', ' ');
  return message + "; " + (cmd.get_name().empty() ? "" : cmd.get_name() + " ") +
         "--help lists the options";
}

}  // namespace llmstack
