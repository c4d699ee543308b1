#include "remote/cluster_profile.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "types/atomic_file.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string homeFolder() {
  const std::string home = environment("HOME");
  return home.empty() ? "/" : home;
}

// Reads key `key` of `object` into `value` when present, refusing a value of another type.
template <typename T>
void readKey(const nlohmann::json& object, const char* key, T& value, const std::string& where,
             const std::string& file) {
  if (!object.contains(key) || object[key].is_null()) return;
  try {
    value = object[key].get<T>();
  } catch (const nlohmann::json::exception&) {
    throw InputError(
        file, where + ": \"" + key + "\" has the wrong type (" + object[key].type_name() + ")");
  }
}

// Nothing that looks like a password may be kept: keys and agents only.
void refusePasswords(const nlohmann::json& value, const std::string& where,
                     const std::string& file) {
  if (!value.is_object()) return;
  for (const auto& [key, inner] : value.items()) {
    if (key == "password" || key == "passphrase")
      throw InputError(file, where + ": holds a \"" + key +
                                 "\"; seqseg never stores passwords (use an ssh key or agent)");
    refusePasswords(inner, where, file);
  }
}

}  // namespace

int SchedulerSettings::ranks() const {
  if (type == "slurm") return nodes * tasksPerNode;
  int total = 0;
  for (const std::string& host : hosts) {
    const size_t colon = host.rfind(':');
    total += colon == std::string::npos ? 1 : std::atoi(host.c_str() + colon + 1);
  }
  return hosts.empty() ? 1 : total;
}

std::string ClusterProfile::destinationText() const {
  return (ssh.user.empty() ? "" : ssh.user + "@") + ssh.host + ":" + std::to_string(ssh.port);
}

std::string configFolder() {
  if (const std::string dir = environment("SEQSEG_CONFIG_DIR"); !dir.empty()) return dir;
  if (const std::string xdg = environment("XDG_CONFIG_HOME"); !xdg.empty()) return xdg + "/seqseg";
  return homeFolder() + "/.config/seqseg";
}

std::string clustersFilePath() {
  return configFolder() + "/clusters.json";
}

std::string jobRecordsFolder() {
  if (const std::string dir = environment("SEQSEG_CONFIG_DIR"); !dir.empty()) return dir + "/jobs";
  if (const std::string xdg = environment("XDG_STATE_HOME"); !xdg.empty())
    return xdg + "/seqseg/jobs";
  return homeFolder() + "/.local/state/seqseg/jobs";
}

std::string expandHome(const std::string& path) {
  if (path == "~") return homeFolder();
  if (path.rfind("~/", 0) == 0) return homeFolder() + path.substr(1);
  return path;
}

ClusterProfile profileFromJson(const nlohmann::json& entry, const std::string& file) {
  if (!entry.is_object()) throw InputError(file, "each entry of \"clusters\" must be an object");
  ClusterProfile profile;
  readKey(entry, "name", profile.name, "a cluster profile", file);
  if (profile.name.empty()) throw InputError(file, "a cluster profile has no \"name\"");
  const std::string where = "cluster '" + profile.name + "'";
  refusePasswords(entry, where, file);
  if (!entry.contains("ssh") || !entry["ssh"].is_object())
    throw InputError(file, where + ": needs an \"ssh\" object with at least \"host\"");
  const nlohmann::json& ssh = entry["ssh"];
  readKey(ssh, "user", profile.ssh.user, where, file);
  readKey(ssh, "host", profile.ssh.host, where, file);
  readKey(ssh, "port", profile.ssh.port, where, file);
  readKey(ssh, "jump", profile.ssh.jump, where, file);
  readKey(ssh, "identity_file", profile.ssh.identityFile, where, file);
  readKey(ssh, "known_hosts", profile.ssh.knownHosts, where, file);
  if (profile.ssh.host.empty()) throw InputError(file, where + ": \"ssh\" has no \"host\"");
  // A leading '-' would be read by ssh as an option.
  for (const std::string* value : {&profile.ssh.host, &profile.ssh.user, &profile.ssh.jump})
    if (!value->empty() &&
        (value->front() == '-' || value->find_first_of(" \t\n'\"") != std::string::npos))
      throw InputError(file, where + ": '" + *value + "' is not a host or user name");
  if (profile.ssh.port < 1 || profile.ssh.port > 65535)
    throw InputError(file, where + ": \"port\" must be 1..65535");
  if (const std::string& jump = profile.ssh.jump; !jump.empty()) {
    const size_t at = jump.rfind('@'), colon = jump.rfind(':');
    const size_t hostStart = at == std::string::npos ? 0 : at + 1;
    const bool hasPort = colon != std::string::npos && colon >= hostStart;
    const std::string port = hasPort ? jump.substr(colon + 1) : "22";
    const size_t hostEnd = hasPort ? colon : jump.size();
    if (hostEnd == hostStart || port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 ||
        std::stoi(port) > 65535)
      throw InputError(file, where + ": '" + jump + "' is not a jump host ([user@]host[:port])");
  }
  readKey(entry, "seqseg", profile.seqseg, where, file);
  if (profile.seqseg.empty()) throw InputError(file, where + ": \"seqseg\" is empty");
  readKey(entry, "work_dir", profile.workDir, where, file);
  if (profile.workDir.empty()) throw InputError(file, where + ": \"work_dir\" is empty");
  readKey(entry, "keep_job_folder", profile.keepJobFolder, where, file);
  if (entry.contains("scheduler")) {
    const nlohmann::json& scheduler = entry["scheduler"];
    if (!scheduler.is_object()) throw InputError(file, where + ": \"scheduler\" must be an object");
    SchedulerSettings& s = profile.scheduler;
    readKey(scheduler, "type", s.type, where, file);
    if (s.type != "slurm" && s.type != "mpirun")
      throw InputError(file, where + ": scheduler \"type\" must be \"slurm\" or \"mpirun\", not '" +
                                 s.type + "'");
    readKey(scheduler, "partition", s.partition, where, file);
    readKey(scheduler, "account", s.account, where, file);
    readKey(scheduler, "time", s.time, where, file);
    readKey(scheduler, "nodes", s.nodes, where, file);
    readKey(scheduler, "tasks_per_node", s.tasksPerNode, where, file);
    readKey(scheduler, "gpus_per_node", s.gpusPerNode, where, file);
    readKey(scheduler, "hosts", s.hosts, where, file);
    if (s.nodes < 1 || s.tasksPerNode < 1 || s.gpusPerNode < 0)
      throw InputError(file, where + ": \"nodes\" and \"tasks_per_node\" must be at least 1");
    for (const std::string& host : s.hosts)
      if (host.empty() || host.front() == '-' ||
          host.find_first_of(" \t\n'\"$`;") != std::string::npos)
        throw InputError(file, where + ": '" + host + "' is not a host[:slots] entry");
  }
  return profile;
}

nlohmann::json profileToJson(const ClusterProfile& profile) {
  nlohmann::json ssh{{"host", profile.ssh.host}, {"port", profile.ssh.port}};
  if (!profile.ssh.user.empty()) ssh["user"] = profile.ssh.user;
  if (!profile.ssh.jump.empty()) ssh["jump"] = profile.ssh.jump;
  if (!profile.ssh.identityFile.empty()) ssh["identity_file"] = profile.ssh.identityFile;
  if (!profile.ssh.knownHosts.empty()) ssh["known_hosts"] = profile.ssh.knownHosts;
  const SchedulerSettings& s = profile.scheduler;
  nlohmann::json scheduler{{"type", s.type}};
  if (s.type == "slurm") {
    scheduler.update({{"partition", s.partition},
                      {"account", s.account},
                      {"time", s.time},
                      {"nodes", s.nodes},
                      {"tasks_per_node", s.tasksPerNode},
                      {"gpus_per_node", s.gpusPerNode}});
  } else {
    scheduler["hosts"] = s.hosts;
  }
  return {{"name", profile.name},        {"ssh", ssh},
          {"seqseg", profile.seqseg},    {"scheduler", scheduler},
          {"work_dir", profile.workDir}, {"keep_job_folder", profile.keepJobFolder}};
}

std::vector<ClusterProfile> loadClusterProfiles(const std::string& path) {
  std::vector<ClusterProfile> profiles;
  std::ifstream in(path);
  if (!in) return profiles;
  std::ostringstream text;
  text << in.rdbuf();
  const nlohmann::json root = nlohmann::json::parse(text.str(), nullptr, false);
  if (root.is_discarded()) throw InputError(path, "not valid JSON");
  if (!root.is_object() || !root.contains("clusters") || !root["clusters"].is_array())
    throw InputError(path, "expected {\"clusters\": [ ... ]}");
  for (const nlohmann::json& entry : root["clusters"]) {
    profiles.push_back(profileFromJson(entry, path));
    for (size_t i = 0; i + 1 < profiles.size(); ++i)
      if (profiles[i].name == profiles.back().name)
        throw InputError(path, "two cluster profiles are called '" + profiles.back().name + "'");
  }
  return profiles;
}

ClusterProfile findClusterProfile(const std::string& name) {
  const std::string path = clustersFilePath();
  for (const ClusterProfile& profile : loadClusterProfiles(path))
    if (profile.name == name) return profile;
  throw InputError(path, "no cluster profile called '" + name + "'");
}

void saveClusterProfile(const std::string& path, const ClusterProfile& profile) {
  std::vector<ClusterProfile> profiles = loadClusterProfiles(path);
  bool replaced = false;
  for (ClusterProfile& existing : profiles)
    if (existing.name == profile.name) {
      existing = profile;
      replaced = true;
    }
  if (!replaced) profiles.push_back(profile);
  nlohmann::json root{{"clusters", nlohmann::json::array()}};
  for (const ClusterProfile& p : profiles) root["clusters"].push_back(profileToJson(p));
  fs::create_directories(fs::path(path).parent_path());
  writeFileAtomically(path, root.dump(2) + "\n");
  chmod(path.c_str(), 0600);
}

}  // namespace seqseg
