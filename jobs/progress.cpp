#include "jobs/progress.h"

#include <unistd.h>

#include <cmath>
#include <stdexcept>

namespace seqseg {

void JsonLinesSink::emit(const nlohmann::json& event) {
  const std::string line = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

TerminalSink::TerminalSink(std::FILE* out) : out_(out), interactive_(isatty(fileno(out)) != 0) {}

void TerminalSink::endProgressLine() {
  if (progressLineOpen_) std::fputc('\n', out_);
  progressLineOpen_ = false;
}

void TerminalSink::emit(const nlohmann::json& event) {
  const std::string kind = event.value("event", "");
  if (kind == "progress") {
    const auto now = std::chrono::steady_clock::now();
    const bool last = event.value("done", 0.0) >= event.value("total", 1.0);
    if (!interactive_ && !last && now - lastPrinted_ < std::chrono::seconds(10)) return;
    lastPrinted_ = now;
    std::string line = event.value("label", std::string("progress"));
    const double done = event.value("done", 0.0), total = event.value("total", 0.0);
    char text[160];
    if (total > 0) {
      const int width = 24;
      const int filled = static_cast<int>(std::lround(width * std::min(1.0, done / total)));
      std::snprintf(text, sizeof text, " [%s%s] %g/%g", std::string(filled, '#').c_str(),
                    std::string(width - filled, '.').c_str(), done, total);
      line += text;
    }
    if (event.contains("detail")) line += "  " + event["detail"].get<std::string>();
    if (event.contains("eta_s")) line += "  ETA " + formatDuration(event["eta_s"].get<double>());
    if (interactive_) {
      std::fprintf(out_, "\r\033[K%s", line.c_str());
      progressLineOpen_ = true;
      if (last) endProgressLine();
    } else {
      std::fprintf(out_, "%s\n", line.c_str());
    }
  } else if (kind == "error") {
    endProgressLine();
    std::fprintf(stderr, "seqseg: error: %s\n", event.value("message", std::string("?")).c_str());
  } else if (kind == "log" || kind == "result") {
    endProgressLine();
    if (event.contains("message"))
      std::fprintf(out_, "%s\n", event["message"].get<std::string>().c_str());
  } else if (kind == "done") {
    endProgressLine();
  }
  std::fflush(out_);
}

std::unique_ptr<ProgressSink> makeProgressSink(const std::string& kind) {
  if (kind == "json") return std::make_unique<JsonLinesSink>();
  if (kind == "bar") return std::make_unique<TerminalSink>();
  throw std::invalid_argument("--progress must be json or bar, not '" + kind + "'");
}

double estimateSecondsLeft(std::chrono::steady_clock::time_point start, double done, double total) {
  if (done <= 0) return 0;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return elapsed * (total - done) / done;
}

std::string formatDuration(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  return text;
}

nlohmann::json doneEvent(JobState state, nlohmann::json fields) {
  fields["event"] = "done";
  fields["status"] = doneStatusSpelling(state);
  return fields;
}

}  // namespace seqseg
