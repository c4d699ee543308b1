// seqseg: the desktop application, batch segmentation and the subcommands.
#include "cli/command_line.h"

#ifdef SEQSEG_WITH_GUI
#include "app/gui_entry.h"
#endif

int main(int argc, char** argv) {
  std::function<int(const seqseg::GuiRequest&)> openGui;
#ifdef SEQSEG_WITH_GUI
  openGui = [&](const seqseg::GuiRequest& request) {
    return seqseg::runGui(argc, argv, request.caseArguments, request.segmentation);
  };
#endif
  seqseg::exitAfterCommand(seqseg::runCommandLine(argc, argv, seqseg::Program::Seqseg, openGui));
}
