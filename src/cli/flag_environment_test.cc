#include "cli/flag_environment.h"

#include <gtest/gtest.h>

#include <string>

namespace csv2ddb {
namespace {

TEST(FlagEnvironmentTest, EveryCommandWithATableFlagReadsItsVariable) {
  CLI::App app{"test", "tool"};
  std::string a, b, other;
  app.add_subcommand("status")->add_option("--state-dir", a);
  app.add_subcommand("list")->add_option("--state-dir", b);
  app.add_subcommand("plan")->add_option("--out", other);
  for (CLI::App* sub : app.get_subcommands({})) SetFlagEnvironment(sub);
  EXPECT_EQ(app.get_subcommand("status")->get_option("--state-dir")->get_envname(),
            "CSV2DDB_STATE_DIR");
  EXPECT_EQ(app.get_subcommand("list")->get_option("--state-dir")->get_envname(),
            "CSV2DDB_STATE_DIR");
  EXPECT_EQ(app.get_subcommand("plan")->get_option("--out")->get_envname(), "");
  EXPECT_EQ(CommandsWithFlag(app, "--state-dir"), "status, list");
  EXPECT_NE(FlagEnvironmentHelp(app).find("CSV2DDB_STATE_DIR"), std::string::npos);
}

TEST(FlagEnvironmentTest, TheFlagBeatsTheVariable) {
  ASSERT_EQ(setenv("CSV2DDB_STATE_DIR", "from-env", 1), 0);
  for (const bool given : {false, true}) {
    CLI::App app{"test", "tool"};
    std::string dir = "default";
    app.add_subcommand("list")->add_option("--state-dir", dir);
    ApplyFlagEnvironment(&app);
    if (given) {
      app.parse(std::string("list --state-dir from-flag"), false);
      EXPECT_EQ(dir, "from-flag");
    } else {
      app.parse(std::string("list"), false);
      EXPECT_EQ(dir, "from-env");
    }
  }
  unsetenv("CSV2DDB_STATE_DIR");
}

// CLI11 reads the variables of every subcommand and runs their callbacks:
// a variable must not reach a command that was not selected.
TEST(FlagEnvironmentTest, OnlyTheSelectedCommandReadsTheVariables) {
  ASSERT_EQ(setenv("CSV2DDB_STATE_DIR", "from-env", 1), 0);
  ASSERT_EQ(setenv("CSV2DDB_WORKERS", "not-a-number", 1), 0);
  CLI::App app{"test", "tool"};
  std::string dir = "default";  // shared by both commands, as in main.cc
  int workers = 0;
  CLI::App* status = app.add_subcommand("status");
  status->add_option("--state-dir", dir);
  CLI::App* list = app.add_subcommand("list");
  list->add_option("--state-dir", dir);
  app.add_subcommand("run")->add_option("--workers", workers);
  ApplyFlagEnvironment(&app);
  EXPECT_NO_THROW(app.parse(std::string("status --state-dir from-flag"), false));
  EXPECT_EQ(dir, "from-flag");
  EXPECT_EQ(status->get_option("--state-dir")->get_envname(), "CSV2DDB_STATE_DIR");
  EXPECT_EQ(list->get_option("--state-dir")->get_envname(), "");
  unsetenv("CSV2DDB_STATE_DIR");
  unsetenv("CSV2DDB_WORKERS");
}

}  // namespace
}  // namespace csv2ddb
