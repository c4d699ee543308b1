#pragma once
// The one writer of the job contract: a request as the arguments (after the executable) of the
// command that runs it. Options at their default are left out, so that every command is as
// short as what it asks; jobs/job_options.h reads them back to the same request.
#include <string>
#include <vector>

#include "jobs/job_requests.h"

namespace seqseg {

std::vector<std::string> segmentArguments(const SegmentRequest& request);  // "--batch", ...
std::vector<std::string> trainArguments(const TrainRequest& request);      // "train", ...
std::vector<std::string> synthArguments(const SynthRequest& request);      // "synth", ...
std::vector<std::string> evalArguments(const EvalRequest& request);        // "eval", ...

// --ranks ... --decoder and --cluster, each only when it differs from its default.
std::vector<std::string> parallelArguments(const ParallelRequest& request);

// A double as text that reads back to the same value.
std::string exactText(double value);

}  // namespace seqseg
