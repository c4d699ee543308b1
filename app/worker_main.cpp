// seqseg-worker: one rank of a sequence-parallel job, started by `seqseg --ranks R`, mpirun,
// srun or torchrun-style tools. Rank 0 writes the outputs and the JSON Lines events.
#include "cli/command_line.h"

int main(int argc, char** argv) {
  seqseg::exitAfterCommand(seqseg::runCommandLine(argc, argv, seqseg::Program::Worker, nullptr));
}
