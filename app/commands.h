#pragma once
// The subcommands of `seqseg`: each adds itself to the parser and runs when chosen.
#include <CLI/CLI.hpp>

namespace seqseg {

void addInfoCommand(CLI::App& app);
void addSynthCommand(CLI::App& app);

}  // namespace seqseg
