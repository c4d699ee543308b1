#pragma once
// The subcommands of `seqseg`: each adds itself to the parser and runs when chosen.
#include <CLI/CLI.hpp>

namespace seqseg {

void addInfoCommand(CLI::App& app);
void addSynthCommand(CLI::App& app);

// Sets `exitCode` to 1 when some cases could not be scored.
void addEvalCommand(CLI::App& app, int& exitCode);

}  // namespace seqseg
