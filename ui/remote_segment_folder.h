#pragma once
// The local folder of a Segment job run on a cluster. Unlike a local job's temporary folder it
// outlives the window (closing the window leaves the remote job running): case.json names the
// case, so that the job list can reopen it when it reattaches, and out/ receives the job's
// outputs. It lives beside the job records (jobRecordsFolder()/segment/).
#include <QString>

#include <string>

#include "io/dataset_layout.h"

namespace seqseg {

struct JobRecord;

struct RemoteSegmentCase {
  CaseFiles files;
  std::string source;  // the folder the case was found in (the dataset root for MSD)
};

// A new folder holding case.json; empty, with `error`, when it cannot be made.
QString makeRemoteSegmentFolder(const RemoteSegmentCase& segmentCase, QString& error);
// Where the job's outputs go (--batch -o): FOLDER/out.
QString remoteSegmentOutput(const QString& folder);
// The case of a folder made above; false when it holds none.
bool readRemoteSegmentCase(const QString& folder, RemoteSegmentCase& segmentCase);
// The folder of a job started by the Segment panel (its outputs go to FOLDER/out); empty for a
// job started otherwise (the command line, the training wizard).
QString remoteSegmentFolderOf(const JobRecord& record);

}  // namespace seqseg
