#include "cli/man_page.h"

#include <gtest/gtest.h>

#include <string>

namespace csv2ddb {
namespace {

TEST(ManPageTest, RoffEscapeProtectsHyphensBackslashesAndControlLines) {
  EXPECT_EQ(RoffEscape("--state-dir"), "\\-\\-state\\-dir");
  EXPECT_EQ(RoffEscape("a\\b"), "a\\eb");
  EXPECT_EQ(RoffEscape(".csv2ddb"), "\\&.csv2ddb");
  EXPECT_EQ(RoffEscape("'quoted'"), "\\&'quoted'");
  EXPECT_EQ(RoffEscape("two\nlines"), "two lines");
}

TEST(ManPageTest, EveryCommandFlagDefaultAndVariableIsOnThePage) {
  CLI::App app{"tool: does things", "tool"};
  std::string dir = ".state";
  bool quiet = false;
  CLI::App* run = app.add_subcommand("run", "run it");
  run->add_option("--state-dir", dir, "the journal")
      ->type_name("DIR")
      ->capture_default_str()
      ->envname("TOOL_STATE_DIR");
  run->add_flag("--quiet,-q", quiet, "no progress");
  const std::string page = ManPage(app, "tool 1.2.3");
  EXPECT_EQ(page.find(".TH TOOL 1 \"\" \"tool 1.2.3\" \"User Commands\"\n") != std::string::npos,
            true);
  EXPECT_NE(page.find(".SH NAME\ntool \\- does things\n"), std::string::npos);
  EXPECT_NE(page.find(".SS \"run\"\n"), std::string::npos);
  EXPECT_NE(page.find("\\fB\\-\\-state\\-dir\\fR \\fIDIR\\fR\nthe journal. Default: "
                      "\\&.state. Environment: \\fBTOOL_STATE_DIR\\fR\n"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("\\fB\\-\\-quiet\\fR, \\fB\\-q\\fR\nno progress\n"), std::string::npos);
  EXPECT_NE(page.find(".SH EXIT STATUS\n"), std::string::npos);
  EXPECT_NE(page.find(".SH ENVIRONMENT\n"), std::string::npos);
}

}  // namespace
}  // namespace csv2ddb
