#include "app/commands.h"

namespace seqseg {
void addSynthCommand(CLI::App&) {}
}  // namespace seqseg
