// csv2ddb: migrate CSV data into Amazon DynamoDB (or the embedded table).
#include <CLI/CLI.hpp>

#include "cli/run_command.h"

int main(int argc, char** argv) {
  using csv2ddb::RunOptions;
  CLI::App app{"csv2ddb: migrate CSV data into Amazon DynamoDB, every row accounted for"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "csv2ddb 0.1.0");

  RunOptions run;
  RunOptions validate;
  validate.validate_only = true;
  std::string chunk_size = "4MiB";

  const auto add_common = [&chunk_size](CLI::App* cmd, RunOptions* o) {
    cmd->add_option("input,--input,-i", o->input, "CSV file (.gz/.zst too), or - for stdin")
        ->required();
    cmd->add_option("--mapping,-m", o->mapping, "mapping file (TOML), see docs/mapping.md")
        ->required();
    cmd->add_option("--workers,-w", o->workers, "worker threads (default: one per core)");
    cmd->add_option("--chunk-size", chunk_size, "target chunk size, e.g. 4MiB")
        ->capture_default_str();
    cmd->add_option("--name,-n", o->name, "execution name (default: generated)");
    cmd->add_flag("--quiet,-q", o->quiet, "no progress line");
    cmd->add_flag("--verbose,-v", o->verbose, "say what is being done on stderr");
  };

  CLI::App* run_cmd = app.add_subcommand("run", "migrate a CSV file into the target table");
  add_common(run_cmd, &run);
  run_cmd->add_option("--target,-t", run.target, "sqlite://PATH (embedded) or null://")
      ->capture_default_str();
  run_cmd
      ->add_option("--errors", run.errors,
                   "error location; records go to <errors>/execution_name=<name>/")
      ->capture_default_str();

  CLI::App* validate_cmd =
      app.add_subcommand("validate", "run the pipeline without writing; show the first rejects");
  add_common(validate_cmd, &validate);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : csv2ddb::kExitUsage;
  }
  RunOptions& o = run_cmd->parsed() ? run : validate;
  o.chunk_size = csv2ddb::ParseSize(chunk_size);
  return csv2ddb::RunCommand(o);
}
