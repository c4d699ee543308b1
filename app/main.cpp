// seqseg: the desktop application, batch segmentation and the subcommands.
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands.h"
#include "engine/atomic_file.h"
#include "engine/input_error.h"
#include "engine/runtime.h"

#ifdef SEQSEG_WITH_GUI
#include "app/gui_entry.h"
#endif

namespace {

constexpr int kExitBadInput = 2;

std::string versionText() {
  return std::string("seqseg ") + SEQSEG_VERSION + " (LibTorch " + seqseg::torchVersion() + ")";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "seqseg: brain-tumour segmentation of MRI with a sequence-parallel vision "
      "transformer.\nWithout a subcommand it opens the desktop application, with the "
      "case given (a folder or four files) loaded.",
      "seqseg");
  app.set_version_flag("--version", versionText());
  std::vector<std::string> caseArguments;
  app.add_option("case", caseArguments, "A case folder or its four modality files, to open");
  std::string segmentation;
  app.add_option("--segmentation", segmentation,
                 "A label map of the case (its layout's native labels) to overlay once the "
                 "case is open");
  seqseg::addInfoCommand(app);
  seqseg::addSynthCommand(app);
  int commandExitCode = 0;
  seqseg::addEvalCommand(app, commandExitCode);
  seqseg::addTrainCommand(app, commandExitCode);
  seqseg::BatchOptions batch;
  seqseg::addBatchOptions(app, batch);

  try {
    app.parse(argc, argv);
    if (batch.enabled) {
      seqseg::removeTemporaryFilesOnSignals();
      return seqseg::runBatch(batch);
    }
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kExitBadInput;
  } catch (const seqseg::InputError& error) {
    std::cerr << "seqseg: error: " << error.what() << "\n";
    return kExitBadInput;
  } catch (const std::invalid_argument& error) {
    std::cerr << "seqseg: error: " << error.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& error) {
    std::cerr << "seqseg: failed: " << error.what() << "\n";
    return 1;
  }
  if (!app.get_subcommands().empty()) return commandExitCode;

#ifdef SEQSEG_WITH_GUI
  return seqseg::runGui(argc, argv, caseArguments, segmentation);
#else
  std::cerr << "seqseg: error: this build has no desktop application; use a subcommand "
               "(see --help)\n";
  return kExitBadInput;
#endif
}
