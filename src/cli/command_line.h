// What the command line says when it is used wrong: the nearest command or option to a
// mistyped one ("did you mean --model?"), and CLI11's errors as one line.
#ifndef LLMSTACK_CLI_COMMAND_LINE_H_
#define LLMSTACK_CLI_COMMAND_LINE_H_

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace llmstack {

// The candidate closest to `word` (edit distance at most 2, and less than half its length),
// if any.
std::optional<std::string> Nearest(const std::string& word,
                                   const std::vector<std::string>& candidates);

// Every long and short option name of `cmd` ("--model", "-m").
std::vector<std::string> OptionNames(const CLI::App& cmd);

// One line for a parse error of `cmd` given `args`: CLI11's message, with "did you mean" for
// an option that does not exist, and where to find the options.
std::string DescribeParseError(const CLI::App& cmd, const CLI::ParseError& error,
                               const std::vector<std::string>& args);

}  // namespace llmstack

#endif  // LLMSTACK_CLI_COMMAND_LINE_H_
