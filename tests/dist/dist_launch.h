#pragma once
// Starts R real rank processes of seqseg_dist_rank over loopback, as a launcher would.
#include <map>
#include <string>
#include <vector>

#include "engine/parallel/process_group.h"

namespace seqseg::test {

// How the ranks learn who they are (each discovery scheme gets exercised).
enum class EnvStyle { Torchrun, OpenMpi, Slurm, Pmi };
std::map<std::string, std::string> rankEnvironment(EnvStyle style, int rank, int size, int port);

// An environment made of `vars` only, for rank discovery and address selection in-process.
EnvLookup envOf(std::map<std::string, std::string> vars);

struct RankRun {
  int exitCode = -1;     // 128 + signal when killed; -1 when still running at the deadline
  double seconds = 0.0;  // from start to exit
  std::string log;       // stdout and stderr
};

// Runs argv once per rank with that rank's environment; waits up to deadlineSeconds, then kills
// what is still running (by pid). A rank `expendable` is not waited for: once the others have
// exited it is killed (for a rank that stops itself). Returns one entry per rank.
std::vector<RankRun> runRanks(const std::vector<std::string>& argv, int size, EnvStyle style,
                              const std::string& logDir, double deadlineSeconds,
                              int expendable = -1);

}  // namespace seqseg::test
