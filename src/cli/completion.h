// Shell completion scripts generated from the command-line definition (the
// CLI11 app that also parses the arguments and prints --help), so a command
// or flag added there completes with no second list to keep in step.
//
// What a flag's value completes to comes from its value name (flags.h): a
// CLI::IsMember check's "{a,b}" completes its values, PATH and FILE file
// names, DIR folders, EXECUTION the executions in the journal (read with
// `csv2ddb list --output text`, honouring --state-dir on the line), COMMAND
// the commands; any other value completes nothing.
//
// Threads: any; pure functions of `app`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace csv2ddb {

// What a value (of a flag or a positional argument) completes to.
struct ValueCompletion {
  enum class Kind { kNone, kWords, kFiles, kFolders, kExecutions, kCommands };
  Kind kind = Kind::kNone;
  std::vector<std::string> words;  // kWords
};

// From the option's value name (CLI::Option::get_type_name()).
ValueCompletion CompletionOf(const CLI::Option& option);

// A bash script defining _csv2ddb and registering it with `complete`
// (`source <(csv2ddb completion bash)`, or installed in
// /usr/share/bash-completion/completions/csv2ddb). Needs only bash's builtins.
std::string BashCompletion(const CLI::App& app);

// A zsh completion function (#compdef csv2ddb) using _arguments; installed as
// _csv2ddb in a folder of $fpath.
std::string ZshCompletion(const CLI::App& app);

}  // namespace csv2ddb
