// Environment variables for the common flags: one table (flag_environment.cc)
// that --help, the man page and the parser all read. A flag given on the
// command line beats its variable, which beats the flag's default.
// To add one, append a line to kFlagEnvironment; every command that has the
// flag then reads the variable.
#pragma once

#include <CLI/CLI.hpp>
#include <span>
#include <string>

namespace csv2ddb {

struct FlagEnvironment {
  const char* flag;      // a long name of the flag, e.g. "--state-dir"
  const char* variable;  // e.g. "CSV2DDB_STATE_DIR"
};

// The table, in the order --help and the man page list it.
std::span<const FlagEnvironment> FlagEnvironments();

// Sets each table flag's variable on the flags of `cmd` itself (CLI11's
// envname: shown in --help as "(Env:NAME)"), not on its subcommands.
void SetFlagEnvironment(CLI::App* cmd);

// Sets them on `app` now and on each subcommand when the command line selects
// it (a preparse callback). Not on every subcommand up front: CLI11 reads the
// variables of every subcommand, selected or not, and runs their options'
// callbacks, so an unselected command's variable would overwrite a value the
// selected one shares, or fail a command that does not have the flag.
// Call after every flag is defined.
void ApplyFlagEnvironment(CLI::App* app);

// "CSV2DDB_STATE_DIR  --state-dir (resume, status, list, run)" lines for the
// main --help's footer.
std::string FlagEnvironmentHelp(const CLI::App& app);

// The commands of `app` that have `flag`, comma-separated.
std::string CommandsWithFlag(const CLI::App& app, const std::string& flag);

}  // namespace csv2ddb
