#include "cli/completion.h"

namespace csv2ddb {

namespace {

// One flag or positional argument of a command, as the scripts need it.
struct Arg {
  std::vector<std::string> names;  // "--input", "-i"; empty for a positional only
  std::string value_name;          // e.g. "PATH"; empty for a flag without value
  std::string help;
  bool takes_value = false;
  bool positional = false;
  bool repeatable = false;
  ValueCompletion value;
};

std::vector<Arg> ArgsOf(const CLI::App& app) {
  std::vector<Arg> args;
  for (const CLI::Option* opt : app.get_options()) {
    Arg a;
    for (const std::string& l : opt->get_lnames()) a.names.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) a.names.push_back("-" + s);
    // "input,--input,-i" is a positional and a flag; "name" a positional only.
    a.positional = opt->get_positional();
    a.takes_value = opt->get_expected_max() != 0;
    a.value = CompletionOf(*opt);
    const std::string type = opt->get_type_name();
    a.value_name = type.substr(0, type.find(':'));
    a.help = opt->get_description();
    a.repeatable = opt->get_expected_max() > 1 ||
                   opt->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
    args.push_back(std::move(a));
  }
  return args;
}

std::string CommandNames(const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands({})) {
    out += (out.empty() ? "" : " ") + sub->get_name();
  }
  return out;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// --- bash ---

std::string BashValue(const ValueCompletion& v, const CLI::App& root) {
  switch (v.kind) {
    case ValueCompletion::Kind::kWords:
      return "__csv2ddb_reply words " + Join(v.words, " ");
    case ValueCompletion::Kind::kFiles:
      return "__csv2ddb_reply files";
    case ValueCompletion::Kind::kFolders:
      return "__csv2ddb_reply folders";
    case ValueCompletion::Kind::kExecutions:
      return "__csv2ddb_reply executions";
    case ValueCompletion::Kind::kCommands:
      return "__csv2ddb_reply words " + CommandNames(root);
    case ValueCompletion::Kind::kNone:
      break;
  }
  return "COMPREPLY=()";
}

// The completion of one command (or of the app itself, before a command).
std::string BashCommandCase(const CLI::App& cmd, const CLI::App& root, bool is_root) {
  const std::vector<Arg> args = ArgsOf(cmd);
  std::string out;
  std::vector<std::string> flags;
  std::string value_cases;
  const Arg* first_positional = nullptr;
  for (const Arg& a : args) {
    if (a.positional && first_positional == nullptr) first_positional = &a;
    if (a.names.empty()) continue;
    flags.insert(flags.end(), a.names.begin(), a.names.end());
    if (a.takes_value) {
      value_cases +=
          "        " + Join(a.names, "|") + ") " + BashValue(a.value, root) + "; return ;;\n";
    }
  }
  if (!value_cases.empty()) out += "      case $prev in\n" + value_cases + "      esac\n";
  std::string words_case = "__csv2ddb_reply words " + Join(flags, " ");
  std::string positional_case = "COMPREPLY=()";
  if (is_root) {
    positional_case = "__csv2ddb_reply words " + CommandNames(root);
  } else if (first_positional != nullptr) {
    positional_case = BashValue(first_positional->value, root);
  }
  out += "      if [[ $cur == -* ]]; then " + words_case + "; else " + positional_case + "; fi\n";
  return out;
}

// --- zsh ---

// Text inside a single-quoted _arguments spec's [description].
std::string ZshDescription(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else if (c == '[' || c == ']' || c == ':' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string ZshAction(const ValueCompletion& v, const CLI::App& root) {
  switch (v.kind) {
    case ValueCompletion::Kind::kWords:
      return "(" + Join(v.words, " ") + ")";
    case ValueCompletion::Kind::kFiles:
      return "_files";
    case ValueCompletion::Kind::kFolders:
      return "_files -/";
    case ValueCompletion::Kind::kExecutions:
      return "__csv2ddb_executions";
    case ValueCompletion::Kind::kCommands:
      return "(" + CommandNames(root) + ")";
    case ValueCompletion::Kind::kNone:
      break;
  }
  return " ";
}

std::string ZshSpecs(const CLI::App& cmd, const CLI::App& root) {
  std::string out;
  for (const Arg& a : ArgsOf(cmd)) {
    const std::string desc = ZshDescription(a.help);
    const std::string value_name = a.value_name.empty() ? "VALUE" : ZshDescription(a.value_name);
    const std::string value =
        a.takes_value ? ":" + value_name + ":" + ZshAction(a.value, root) : std::string();
    if (!a.names.empty()) {
      const std::string exclusion = a.repeatable ? "*" : "(" + Join(a.names, " ") + ")";
      for (const std::string& name : a.names) {
        const bool long_name = name.rfind("--", 0) == 0;
        out += "    '" + exclusion + name + (a.takes_value && long_name ? "=" : "") + "[" + desc +
               "]" + value + "' \\\n";
      }
    }
    if (a.positional) {
      out += std::string("    '") + (a.repeatable ? "*" : "") + ":" + value_name + ":" +
             ZshAction(a.value, root) + "' \\\n";
    }
  }
  return out;
}

}  // namespace

ValueCompletion CompletionOf(const CLI::Option& option) {
  ValueCompletion v;
  if (option.get_expected_max() == 0) return v;  // a flag: no value
  const std::string type = option.get_type_name();
  const size_t open = type.find('{');
  const size_t close = type.find('}', open == std::string::npos ? 0 : open);
  if (open != std::string::npos && close != std::string::npos) {
    v.kind = ValueCompletion::Kind::kWords;
    std::string word;
    for (size_t i = open + 1; i <= close; ++i) {
      if (type[i] == ',' || i == close) {
        if (!word.empty()) v.words.push_back(word);
        word.clear();
      } else if (type[i] != ' ') {
        word += type[i];
      }
    }
    return v;
  }
  const std::string head = type.substr(0, type.find(':'));
  if (head == "PATH" || head == "FILE") v.kind = ValueCompletion::Kind::kFiles;
  if (head == "DIR") v.kind = ValueCompletion::Kind::kFolders;
  if (head == "EXECUTION") v.kind = ValueCompletion::Kind::kExecutions;
  if (head == "COMMAND") v.kind = ValueCompletion::Kind::kCommands;
  return v;
}

std::string BashCompletion(const CLI::App& app) {
  const std::string name = app.get_name();
  std::string out =
      "# bash completion for " + name + ", generated by `" + name +
      " completion bash`.\n"
      "\n"
      "# The executions in the journal (--state-dir on the line, else the default).\n"
      "__csv2ddb_executions() {\n"
      "  local state_dir=\"\" i\n"
      "  for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do\n"
      "    if [[ ${COMP_WORDS[i]} == --state-dir ]]; then state_dir=${COMP_WORDS[i + 1]}; fi\n"
      "  done\n"
      "  \"${COMP_WORDS[0]}\" list --output text ${state_dir:+--state-dir \"$state_dir\"} "
      "2>/dev/null | cut -f1\n"
      "}\n"
      "\n"
      "# Fills COMPREPLY for the word being completed ($cur of _csv2ddb).\n"
      "__csv2ddb_reply() {\n"
      "  local kind=$1\n"
      "  shift\n"
      "  case $kind in\n"
      "    files) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
      "    folders) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\")) ;;\n"
      "    executions) COMPREPLY=($(compgen -W \"$(__csv2ddb_executions)\" -- \"$cur\")) ;;\n"
      "    words) COMPREPLY=($(compgen -W \"$*\" -- \"$cur\")) ;;\n"
      "  esac\n"
      "}\n"
      "\n"
      "_csv2ddb() {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} prev=\"\" cmd=\"\" i\n"
      "  if ((COMP_CWORD > 0)); then prev=${COMP_WORDS[COMP_CWORD - 1]}; fi\n"
      "  # --flag=value: bash splits at '=' (COMP_WORDBREAKS).\n"
      "  if [[ $cur == = ]]; then\n"
      "    cur=\"\"\n"
      "  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then\n"
      "    prev=${COMP_WORDS[COMP_CWORD - 2]}\n"
      "  fi\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case ${COMP_WORDS[i]} in\n"
      "      " +
      [&app] {
        std::string names;
        for (const CLI::App* sub : app.get_subcommands({})) {
          names += (names.empty() ? "" : "|") + sub->get_name();
        }
        return names;
      }() +
      ") cmd=${COMP_WORDS[i]}; break ;;\n"
      "    esac\n"
      "  done\n"
      "  COMPREPLY=()\n"
      "  case $cmd in\n"
      "    \"\")\n" +
      BashCommandCase(app, app, true) + "      ;;\n";
  for (const CLI::App* sub : app.get_subcommands({})) {
    out += "    " + sub->get_name() + ")\n" + BashCommandCase(*sub, app, false) + "      ;;\n";
  }
  out +=
      "  esac\n"
      "  return 0\n"
      "}\n"
      "\n"
      "complete -F _csv2ddb " +
      name + "\n";
  return out;
}

std::string ZshCompletion(const CLI::App& app) {
  const std::string name = app.get_name();
  std::string out =
      "#compdef " + name + "\n# zsh completion for " + name + ", generated by `" + name +
      " completion zsh`.\n"
      "\n"
      "# The executions in the journal (--state-dir on the line, else the default).\n"
      "__csv2ddb_executions() {\n"
      "  local -a names args\n"
      "  local i\n"
      "  for ((i = 1; i < ${#words}; i++)); do\n"
      "    if [[ ${words[i]} == --state-dir ]]; then args=(--state-dir \"${words[i + 1]}\"); fi\n"
      "  done\n"
      "  names=(${(f)\"$(\"$__csv2ddb_prog\" list --output text $args 2>/dev/null "
      "| cut -f1)\"})\n"
      "  _describe -t executions 'execution' names\n"
      "}\n"
      "\n"
      "_csv2ddb() {\n"
      "  local __csv2ddb_prog=${words[1]} curcontext=$curcontext state line ret=1\n"
      "  local -a commands\n"
      "  commands=(\n";
  for (const CLI::App* sub : app.get_subcommands({})) {
    std::string desc;
    for (char c : sub->get_description())
      desc += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += "    '" + sub->get_name() + ":" + desc + "'\n";
  }
  out += "  )\n  _arguments -C \\\n" + ZshSpecs(app, app) +
         "    '1: :->command' \\\n"
         "    '*:: :->args' && ret=0\n"
         "  case $state in\n"
         "    command) _describe -t commands '" +
         name +
         " command' commands && ret=0 ;;\n"
         "    args)\n"
         "      case ${words[1]} in\n";
  for (const CLI::App* sub : app.get_subcommands({})) {
    out += "        " + sub->get_name() + ")\n          _arguments -s \\\n" + ZshSpecs(*sub, app) +
           "            && ret=0 ;;\n";
  }
  out +=
      "      esac ;;\n"
      "  esac\n"
      "  return ret\n"
      "}\n"
      "\n"
      "if [[ ${funcstack[1]} == _csv2ddb ]]; then\n"
      "  _csv2ddb \"$@\"\n"
      "else\n"
      "  compdef _csv2ddb " +
      name +
      "\n"
      "fi\n";
  return out;
}

}  // namespace csv2ddb
