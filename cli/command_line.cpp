#include "cli/command_line.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "engine/parallel/process_group.h"
#include "engine/runtime.h"
#include "engine/sanitizer.h"
#include "io/nifti_read_ahead.h"
#include "jobs/job_options.h"
#include "remote/ssh_connection.h"
#include "types/atomic_file.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

constexpr int kExitBadInput = 2;

std::string versionText() {
  return std::string("seqseg ") + SEQSEG_VERSION + " (LibTorch " + torchVersion() + ")";
}

}  // namespace

int runCommandLine(int argc, char** argv, Program program,
                   const std::function<int(const GuiRequest&)>& openGui) {
  // The files the launcher inflated while this program loaded (before any thread starts).
  adoptReadAhead();
  const bool worker = program == Program::Worker;
  const std::string name = worker ? "seqseg-worker" : "seqseg";
  CLI::App app(worker ? "seqseg-worker: one rank of a seqseg job (--batch or train). Its rank, "
                        "the job's size and the store address come from the environment "
                        "(OpenMPI, PMI, Slurm or RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT)."
                      : "seqseg: brain-tumour segmentation of MRI with a sequence-parallel "
                        "vision transformer.\nWithout a subcommand it opens the desktop "
                        "application, with the case given loaded: a BraTS/MSD/nnU-Net case or "
                        "dataset folder, four image files (T1, T1ce, T2, FLAIR), or a DICOM "
                        "study folder (its series are listed; choose which is T1, T1ce, T2 and "
                        "FLAIR, then they open as one case).",
               name);
  app.set_version_flag("--version", versionText());
  GuiRequest gui;
  if (!worker) {
    app.add_option("case", gui.caseArguments,
                   "A case folder, its four modality files or a DICOM study folder, to open");
    app.add_option("--segmentation", gui.segmentation,
                   "A label map of the case (its layout's native labels) to overlay once the "
                   "case is open");
    addInfoCommand(app);
    addConvertCommand(app);
    addSynthCommand(app);
  }
  int commandExitCode = 0;
  if (!worker) addEvalCommand(app, commandExitCode);
  if (!worker) addJobsCommand(app, commandExitCode);
  addTrainCommand(app, commandExitCode, worker);
  SegmentRequest batch;
  bool batchAsked = false;
  addSegmentOptions(app, batch, batchAsked, worker);

  try {
    app.parse(argc, argv);
    if (batchAsked) {
      removeTemporaryFilesOnSignals();
      return runBatch(batch, worker);
    }
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kExitBadInput;
  } catch (const InputError& error) {
    std::cerr << name << ": error: " << error.what() << "\n";
    return kExitBadInput;
  } catch (const std::invalid_argument& error) {
    std::cerr << name << ": error: " << error.what() << "\n";
    return kExitBadInput;
  } catch (const RemoteUnreachable& error) {
    std::cerr << name << ": error: " << error.what() << "\n";
    return kExitBadInput;
  } catch (const CollectiveError& error) {
    std::cerr << name << ": failed: " << error.what() << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << name << ": failed: " << error.what() << "\n";
    return 1;
  }
  if (!app.get_subcommands().empty()) return commandExitCode;
  if (!openGui) {
    std::cerr << name << ": error: "
              << (worker ? "give --batch or train (see --help)"
                         : "this build has no desktop application; use a subcommand (see --help)")
              << "\n";
    return kExitBadInput;
  }
  return openGui(gui);
}

void exitAfterCommand(int code) {
  if (kAddressSanitizer) std::exit(code);
  std::cout.flush();
  std::fflush(nullptr);
  _exit(code);
}

}  // namespace seqseg
