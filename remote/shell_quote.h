#pragma once
// The one place that turns arguments into text for a remote POSIX shell (ssh runs every remote
// command through the account's shell): each argument in single quotes, so that spaces, quotes,
// `;`, `$()`, backticks, newlines and any other bytes reach the program unchanged and run nothing.
#include <string>
#include <vector>

namespace seqseg {

// 'text', with each ' written as '\''.
std::string shellQuote(const std::string& text);

// The arguments quoted and joined by spaces: a command line for `sh -c`.
std::string shellCommand(const std::vector<std::string>& arguments);

// The arguments as rsync's -e splits its command itself (no shell): each in single quotes, with
// each ' written as '' (rsync knows no backslash escapes).
std::string rsyncRemoteShell(const std::vector<std::string>& arguments);

}  // namespace seqseg
