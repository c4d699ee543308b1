#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/randomise_flags.h"
#include "io/dataset_layout.h"
#include "io/randomised_case.h"
#include "io/synthetic_case.h"
#include "jobs/job_options.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

// "48" -> 48x48x48; "240x240x155" -> as given (i x j x k).
std::array<int64_t, 3> parseSize(const std::string& text) {
  std::array<int64_t, 3> size{};
  int a = 0, b = 0, c = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%dx%dx%d%c", &a, &b, &c, &extra) == 3) {
    size = {a, b, c};
  } else if (std::sscanf(text.c_str(), "%d%c", &a, &extra) == 1) {
    size = {a, a, a};
  } else {
    throw std::invalid_argument("--size '" + text +
                                "': expected S or AxBxC, e.g. 48 or 240x240x155");
  }
  for (int64_t n : size)
    if (n < 8 || n > 1024)
      throw std::invalid_argument("--size '" + text + "': each axis must be 8..1024 voxels");
  return size;
}

std::string caseId(Layout layout, int index) {
  char id[64];
  switch (layout) {
    case Layout::Brats2021:
      std::snprintf(id, sizeof id, "BraTS2021_%05d", index);
      break;
    case Layout::Brats2023:
      std::snprintf(id, sizeof id, "BraTS-GLI-%05d-000", index);
      break;
    default:
      std::snprintf(id, sizeof id, "BRATS_%03d", index + 1);
      break;
  }
  return id;
}

void runSynth(const SynthRequest& options) {
  const Layout layout = parseLayout(options.layout);
  const auto size = parseSize(options.size);
  if (options.cases < 1) throw std::invalid_argument("--cases must be at least 1");
  if (options.first < 0 || options.first > 99999 - options.cases)
    throw std::invalid_argument("--first must be 0 or more, with the last case index under 100000");
  requireWithRandomise(options.heldout, options.randomise, "--heldout");
  requireWithRandomise(options.heldoutHard, options.randomise, "--heldout-hard");
  if (options.heldout && options.heldoutHard)
    throw std::invalid_argument("--heldout and --heldout-hard are two profiles: give one");
  requireWithRandomise(options.wideLesions, options.randomise, "--wide-lesions");
  if (options.wideLesions && (options.heldout || options.heldoutHard))
    throw std::invalid_argument(
        "--wide-lesions is a training profile: give it without --heldout or --heldout-hard");
  requireWithRandomise(options.wideContrasts, options.randomise, "--wide-contrasts");
  if (options.wideContrasts && (options.heldout || options.heldoutHard))
    throw std::invalid_argument(
        "--wide-contrasts is a training profile: give it without --heldout or --heldout-hard");
  requireWithRandomise(options.scanner.has_value(), options.randomise, "--scanner");
  const RandomisedProfile profile =
      options.heldoutHard ? RandomisedProfile::HeldoutHard
      : options.heldout   ? RandomisedProfile::Heldout
                          : trainingProfileOf(options.wideLesions, options.wideContrasts);
  std::error_code error;
  std::filesystem::create_directories(options.out, error);
  if (error) throw InputError(options.out, "cannot create the output folder: " + error.message());
  const BrainTemplate brain = loadBrainTemplate(options.templateDir);
  std::vector<std::string> ids;
  for (int index = options.first; index < options.first + options.cases; ++index) {
    const SyntheticCase synthetic =
        options.randomise
            ? synthesizeRandomisedCase(brain, size, options.seed, index, profile, options.scanner)
            : synthesizeCase(brain, size, options.seed, index);
    ids.push_back(caseId(layout, index));
    writeCase(options.out, layout, ids.back(), synthetic.image, &synthetic.labels);
    std::cout << "synth: " << ids.back() << " (" << ids.size() << "/" << options.cases << ")\n"
              << std::flush;
  }
  writeDatasetDescription(options.out, layout, ids);
  std::cout << "synth: wrote " << options.cases << " "
            << (options.randomise
                    ? std::string("randomised (") + randomisedProfileName(profile) + ") "
                    : std::string())
            << layoutName(layout) << " cases of " << size[0] << "x" << size[1] << "x" << size[2]
            << " to " << options.out << "\n";
}

}  // namespace

void addSynthCommand(CLI::App& app) {
  auto request = std::make_shared<SynthRequest>();
  CLI::App* synth = app.add_subcommand(
      "synth",
      "Write synthetic BraTS-like cases with ground truth, made from the Colin27 T1 "
      "template (Debian package mricron-data). The same seed gives the same bytes.");
  addSynthOptions(*synth, *request);
  synth->callback([request] { runSynth(*request); });
}

}  // namespace seqseg
