#pragma once
// The job contract: one request type per command that seqseg runs as a job. A request is what
// the command line says, as values; jobs/job_arguments.h writes it as a command line and
// jobs/job_options.h reads it from one (with the command line's own option definitions), so
// that the desktop application, the ranks of a job and remote jobs all build commands the one
// way. No Qt, no LibTorch, no CLI11 here (docs/architecture.md, "The job contract").
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "types/resource_paths.h"
#include "types/training_schedule.h"

namespace seqseg {

// Where a job's ranks run and how they share the model (--ranks ... --decoder, --cluster).
struct ParallelRequest {
  int ranks = 1;
  std::string launcher = "local";       // local, mpirun or srun
  std::string device = "cpu";           // cpu or cuda (one GPU per rank, LOCAL_RANK picks it)
  bool checkpointActivations = false;   // recompute encoder blocks in backward
  std::string split = "slab0";          // slab0, slab1, slab2, blocks
  std::string attention = "allgather";  // allgather, ring, ulysses
  std::string decoder = "halo";         // halo, gather, nogather
  std::string cluster;                  // run as a remote job on this cluster profile
};

// seqseg --batch: segment every case of a folder, or one case given as four files.
struct SegmentRequest {
  std::string input, output, model, report;
  std::string t1, t1ce, t2, flair;   // one case given as four files, instead of --input
  std::vector<std::string> caseIds;  // only these cases of --input (all when empty)
  std::string labels = "native";     // native or internal
  std::string progress = "bar";      // bar or json
  bool skipExisting = false;
  int threads = 0;
  double overlap = 0.5;
  bool testTimeFlips = false;      // --tta: average probabilities over mirrored inputs
  bool noPostprocess = false;      // --no-postprocess: skip the checkpoint's post-processing
  std::string hd95 = "pooled";     // the report's HD95 against a reference: pooled or max
  bool reportCsv = false;          // --report-csv: the report's cases as CSV beside it
  bool saveProbabilities = false;  // --save-probabilities: CASE_probabilities, CASE_uncertainty
  bool uncertainty = false;        // --uncertainty: each case's score in the report (and --tta)
  bool dicomSeg = false;           // --dicom-seg: CASE_seg.dcm, a DICOM SEG of a DICOM case
  ParallelRequest parallel;

  bool caseAsFiles() const { return !t1.empty() || !t1ce.empty() || !t2.empty() || !flair.empty(); }
};

// Where --report-csv writes: the report's path with ".csv" for its extension.
std::string reportCsvPath(const std::string& reportPath);

// The model seqseg train trains when neither --config nor --init names one.
inline constexpr const char* kDefaultTrainConfig = "tiny";

// seqseg train: train a model on a folder of cases (or on cases made on the fly).
struct TrainRequest {
  std::string data, validationData;
  // Preset name or config JSON path; empty: kDefaultTrainConfig, or with --init
  // (schedule.initModel) that model's own config (one given must describe the same model).
  std::string config;
  std::string progress = "bar";
  // i, j, k in mm; empty: the --init model's spacing, else the median of the training cases.
  std::vector<double> spacing;
  double validationFraction = 0.2;
  int threads = 0;
  bool skipUnreadable = false;  // leave out (and name) cases that cannot be read
  // Training cases made on the fly (io/randomised_case.h), a share from io/synthetic_case.h.
  bool randomise = false;
  bool wideLesions = false;    // the randomised cases from the training-wide profile
  bool wideContrasts = false;  // ... from the training-wide-contrasts profile
  double realisticFraction = 0.25;
  std::string templateDir = kDefaultTemplateDir;
  TrainingSchedule schedule;  // --out, --epochs ... --resume, --init, --freeze-encoder
  ParallelRequest parallel;
};

// seqseg synth: synthetic cases with ground truth.
struct SynthRequest {
  std::string out;
  int cases = 1;
  int first = 0;  // index of the first case: cases first .. first + cases - 1 of the seed's set
  std::string layout = "brats2021";
  std::string size = "240x240x155";  // S (a cube) or AxBxC
  uint64_t seed = 0;
  std::string templateDir = kDefaultTemplateDir;
  bool randomise = false;      // domain-randomised cases (io/randomised_case.h)
  bool heldout = false;        // ... from the held-out profile, which training never draws from
  bool wideLesions = false;    // ... from the training profile with lesions of every size
  bool wideContrasts = false;  // ... and contrasts drawn widely (training-wide-contrasts)
  bool heldoutHard = false;    // ... from the hard held-out profile (exclusive with heldout)
  std::optional<uint64_t> scanner;  // ... all from one simulated scanner's contrasts
};

// seqseg eval: Dice and HD95 of predicted masks against references.
struct EvalRequest {
  std::string pred, ref;
  std::string labels = "brats2021";  // the label convention of plain mask folders
  std::string report;
  std::string hd95 = "pooled";  // pooled or max (engine/metrics.h, Hd95Definition)
  std::string probabilities;    // folder of CASE_probabilities.nii.gz: calibration (ECE) too
};

}  // namespace seqseg
