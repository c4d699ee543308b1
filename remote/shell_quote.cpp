#include "remote/shell_quote.h"

namespace seqseg {

std::string shellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

std::string shellCommand(const std::vector<std::string>& arguments) {
  std::string command;
  for (const std::string& argument : arguments) {
    if (!command.empty()) command += ' ';
    command += shellQuote(argument);
  }
  return command;
}

std::string rsyncRemoteShell(const std::vector<std::string>& arguments) {
  std::string command;
  for (const std::string& argument : arguments) {
    if (!command.empty()) command += ' ';
    command += '\'';
    for (char c : argument) {
      if (c == '\'') command += '\'';
      command += c;
    }
    command += '\'';
  }
  return command;
}

}  // namespace seqseg
