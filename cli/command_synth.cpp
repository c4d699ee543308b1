#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "io/dataset_layout.h"
#include "io/randomised_case.h"
#include "io/synthetic_case.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

struct SynthOptions {
  std::string out;
  int cases = 1;
  std::string layout = "brats2021";
  std::string size = "240x240x155";
  uint64_t seed = 0;
  std::string templateDir = kDefaultTemplateDir;
  bool randomise = false;  // domain-randomised cases (io/randomised_case.h)
  bool heldout = false;    // ... from the held-out profile, which training never draws from
};

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

void runSynth(const SynthOptions& options) {
  const Layout layout = parseLayout(options.layout);
  const auto size = parseSize(options.size);
  if (options.cases < 1) throw std::invalid_argument("--cases must be at least 1");
  if (options.heldout && !options.randomise)
    throw std::invalid_argument("--heldout is a profile of --randomise: give both");
  const RandomisedProfile profile =
      options.heldout ? RandomisedProfile::Heldout : RandomisedProfile::Training;
  std::error_code error;
  std::filesystem::create_directories(options.out, error);
  if (error) throw InputError(options.out, "cannot create the output folder: " + error.message());
  const BrainTemplate brain = loadBrainTemplate(options.templateDir);
  std::vector<std::string> ids;
  for (int index = 0; index < options.cases; ++index) {
    const SyntheticCase synthetic =
        options.randomise ? synthesizeRandomisedCase(brain, size, options.seed, index, profile)
                          : synthesizeCase(brain, size, options.seed, index);
    ids.push_back(caseId(layout, index));
    writeCase(options.out, layout, ids.back(), synthetic.image, &synthetic.labels);
    std::cout << "synth: " << ids.back() << " (" << index + 1 << "/" << options.cases << ")\n"
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
  auto options = std::make_shared<SynthOptions>();
  CLI::App* synth = app.add_subcommand(
      "synth",
      "Write synthetic BraTS-like cases with ground truth, made from the Colin27 T1 "
      "template (Debian package mricron-data). The same seed gives the same bytes.");
  synth->add_option("--out", options->out, "Output folder")->required();
  synth->add_option("--cases", options->cases, "Number of cases")->capture_default_str();
  synth->add_option("--layout", options->layout, "brats2021, brats2023, msd or nnunet")
      ->capture_default_str();
  synth
      ->add_option("--size", options->size,
                   "Grid: S (a cube) or AxBxC; the field of view is always 240x240x155 mm")
      ->capture_default_str();
  synth->add_option("--seed", options->seed, "Random seed")->capture_default_str();
  synth
      ->add_option("--template-dir", options->templateDir,
                   "Folder holding ch2.nii.gz and ch2bet.nii.gz")
      ->capture_default_str();
  synth->add_flag("--randomise", options->randomise,
                  "Domain-randomised cases: random contrasts, tumour shapes and sites, bias field, "
                  "blur, noise, field of view and storage orientation");
  synth->add_flag("--heldout", options->heldout,
                  "With --randomise: the held-out profile (other contrasts, shapes and intensity "
                  "scale), never used by training");
  synth->callback([options] { runSynth(*options); });
}

}  // namespace seqseg
