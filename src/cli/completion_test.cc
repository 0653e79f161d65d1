#include "cli/completion.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace csv2ddb {
namespace {

struct Values {
  std::string input, format, dir, name, plain;
  bool flag = false;
};

// A small app in the shape of csv2ddb's.
void Define(CLI::App* app, Values* v) {
  CLI::App* run = app->add_subcommand("run", "run it");
  run->add_option("input,--input,-i", v->input, "the input")->type_name("PATH");
  run->add_option("--output", v->format, "format")->check(CLI::IsMember({"json", "table"}));
  run->add_option("--state-dir", v->dir, "journal [default: .x]: here")->type_name("DIR");
  run->add_option("--plain", v->plain, "a value");
  run->add_flag("--quiet,-q", v->flag, "it's quiet");
  CLI::App* status = app->add_subcommand("status", "show one");
  status->add_option("name", v->name, "execution")->type_name("EXECUTION");
}

const CLI::Option* Find(const CLI::App& app, const std::string& cmd, const std::string& name) {
  return app.get_subcommand(cmd)->get_option(name);
}

TEST(CompletionTest, ValueNamesSayWhatAValueCompletesTo) {
  CLI::App app{"test", "tool"};
  Values v;
  Define(&app, &v);
  EXPECT_EQ(CompletionOf(*Find(app, "run", "--input")).kind, ValueCompletion::Kind::kFiles);
  EXPECT_EQ(CompletionOf(*Find(app, "run", "--state-dir")).kind, ValueCompletion::Kind::kFolders);
  EXPECT_EQ(CompletionOf(*Find(app, "run", "--plain")).kind, ValueCompletion::Kind::kNone);
  EXPECT_EQ(CompletionOf(*Find(app, "run", "--quiet")).kind, ValueCompletion::Kind::kNone);
  EXPECT_EQ(CompletionOf(*Find(app, "status", "name")).kind, ValueCompletion::Kind::kExecutions);
  const ValueCompletion output = CompletionOf(*Find(app, "run", "--output"));
  EXPECT_EQ(output.kind, ValueCompletion::Kind::kWords);
  EXPECT_EQ(output.words, (std::vector<std::string>{"json", "table"}));
}

TEST(CompletionTest, BashScriptNamesEveryCommandAndFlag) {
  CLI::App app{"test", "tool"};
  Values v;
  Define(&app, &v);
  const std::string bash = BashCompletion(app);
  EXPECT_NE(bash.find("complete -F _csv2ddb tool\n"), std::string::npos);
  EXPECT_NE(bash.find("run|status) cmd="), std::string::npos);
  EXPECT_NE(bash.find("__csv2ddb_reply words run status"), std::string::npos);
  EXPECT_NE(bash.find("--input -i --output --state-dir --plain --quiet -q"), std::string::npos);
  EXPECT_NE(bash.find("--output) __csv2ddb_reply words json table; return ;;"), std::string::npos);
  EXPECT_NE(bash.find("--input|-i) __csv2ddb_reply files; return ;;"), std::string::npos);
  EXPECT_NE(bash.find("--plain) COMPREPLY=(); return ;;"), std::string::npos);
  // status's positional completes the executions.
  EXPECT_NE(bash.find("else __csv2ddb_reply executions; fi"), std::string::npos);
}

TEST(CompletionTest, ZshSpecsEscapeDescriptions) {
  CLI::App app{"test", "tool"};
  Values v;
  Define(&app, &v);
  const std::string zsh = ZshCompletion(app);
  EXPECT_EQ(zsh.rfind("#compdef tool\n", 0), 0u);
  EXPECT_NE(zsh.find("'(--quiet -q)--quiet[it'\\''s quiet]' \\"), std::string::npos);
  EXPECT_NE(zsh.find("--state-dir=[journal \\[default\\: .x\\]\\: here]:DIR:_files -/'"),
            std::string::npos);
  EXPECT_NE(zsh.find("--output=[format]:TEXT:(json table)'"), std::string::npos);
  EXPECT_NE(zsh.find("':EXECUTION:__csv2ddb_executions'"), std::string::npos);
  EXPECT_NE(zsh.find("'status:show one'"), std::string::npos);
}

}  // namespace
}  // namespace csv2ddb
