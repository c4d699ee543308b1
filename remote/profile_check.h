#pragma once
// Checks of a cluster profile, one by one, as Settings -> Clusters -> Test shows them: the login
// host answers, its host key is known, the remote seqseg is this version, the scheduler is there,
// and the partition exists.
#include <functional>
#include <string>
#include <vector>

#include "remote/cluster_profile.h"

namespace seqseg {

struct ProfileCheck {
  std::string what;  // "ssh reachable", "host key known", ...
  bool passed = false;
  std::string detail;  // what was found, or the problem (one line)
};

// Runs every check that can run (after a failed connection, the rest are reported as not run).
// `onCheck`, when given, hears each check as soon as its result is known, on the calling thread.
std::vector<ProfileCheck> checkClusterProfile(
    const ClusterProfile& profile,
    const std::function<void(const ProfileCheck&)>& onCheck = nullptr);

}  // namespace seqseg
