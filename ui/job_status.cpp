#include "ui/job_status.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace seqseg {

namespace {

double number(const nlohmann::json& event, const char* key) {
  const auto found = event.find(key);
  return found != event.end() && found->is_number() ? found->get<double>() : 0.0;
}

std::string text(const nlohmann::json& event, const char* key) {
  const auto found = event.find(key);
  return found != event.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

bool applyJobEventLine(const std::string& line, JobStatus& status) {
  const nlohmann::json event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object() || !event.contains("event") || !event["event"].is_string()) return false;
  const std::string kind = event["event"].get<std::string>();
  if (kind == "progress") {
    const double total = number(event, "total");
    if (total > 0) {
      double done = number(event, "done");
      const double windows = number(event, "windows_total");
      if (windows > 0) done += number(event, "windows_done") / windows;
      status.fraction = std::clamp(done / total, 0.0, 1.0);
    }
    if (const std::string detail = text(event, "detail"); !detail.empty()) status.message = detail;
  } else if (kind == "result") {
    const std::string mask = text(event, "mask");
    if (!mask.empty() && (status.caseId.empty() || text(event, "case") == status.caseId))
      status.maskPath = mask;
    if (const std::string message = text(event, "message"); !message.empty())
      status.message = message;
  } else if (kind == "error") {
    const std::string message = text(event, "message");
    if (status.errorMessage.empty()) status.errorMessage = message;
    status.message = message;
  } else if (kind == "done") {
    status.doneEventSeen = true;
    status.doneStatus = parseDoneStatus(text(event, "status"));
  } else if (kind == "log") {
    if (const std::string message = text(event, "message"); !message.empty())
      status.message = message;
    if (const std::string id = text(event, "job_id"); !id.empty()) status.remoteJobId = id;
  } else if (kind != "start" && kind != "metric") {
    return false;
  }
  return true;
}

}  // namespace seqseg
