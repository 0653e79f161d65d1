// The man page (roff, man(7) macros), generated from the same CLI11 app that
// prints --help: every command with its description, flags, value names,
// defaults and environment variables, then the environment (cli/
// flag_environment.h) and the exit codes (execution/exit_codes.h).
// `csv2ddb help --man` prints it; the build installs it as csv2ddb.1.
//
// Threads: any; a pure function of `app`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace csv2ddb {

// `version` goes into the page's header (e.g. "csv2ddb 0.1.0").
std::string ManPage(const CLI::App& app, const std::string& version);

// Escapes text for roff: backslashes, hyphens (as \-), and a leading '.' or '\''.
std::string RoffEscape(const std::string& text);

}  // namespace csv2ddb
