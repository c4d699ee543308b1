#pragma once
// Starts the desktop application (only in builds with the GUI).
#include <string>
#include <vector>

namespace seqseg {

// Opens the main window, with the case given by `caseArguments` (a folder, or four files)
// loaded, and then `segmentation` (a label map of that case) overlaid when it is not empty.
// Returns the process exit code.
int runGui(int argc, char** argv, const std::vector<std::string>& caseArguments,
           const std::string& segmentation = "");

}  // namespace seqseg
