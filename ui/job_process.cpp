#include "ui/job_process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <utility>

namespace seqseg {
namespace {

// Enough for what a process says about its failure; a job may write to stderr for hours.
constexpr qsizetype kErrorTailBytes = 64 * 1024;

// Whether `pid` is alive and has `marker` on its command line (a reused process id is not it).
// The command line reads empty while the process execs (between the switch to the new image and
// its arguments being laid out; a run execs twice as it starts, `nice` then seqseg's launcher,
// and a niced process can sit there a while on a busy machine): then it counts as running if it
// has an executable, which a kernel thread that took the id would not.
bool isRunOf(qint64 pid, const QString& marker) {
  if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0) return false;
  QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
  if (!cmdline.open(QIODevice::ReadOnly)) return false;
  const QByteArray text = cmdline.readAll();
  if (text.isEmpty()) {
    char target[4096];
    const QByteArray exe = QStringLiteral("/proc/%1/exe").arg(pid).toUtf8();
    return ::readlink(exe.constData(), target, sizeof target) > 0;
  }
  QFile state(QStringLiteral("/proc/%1/stat").arg(pid));
  if (state.open(QIODevice::ReadOnly)) {
    const QByteArray stat = state.readAll();
    const int close = stat.lastIndexOf(')');
    if (close > 0 && stat.mid(close + 2, 1) == "Z") return false;  // ended, not yet reaped
  }
  return !marker.isEmpty() && text.contains(marker.toUtf8());
}

}  // namespace

QString seqsegProgram(const QString& chosen) {
  return chosen.isEmpty() ? QCoreApplication::applicationFilePath() : chosen;
}

JobProcess::JobProcess(QObject* parent) : QObject(parent) {
  killTimer_.setSingleShot(true);
  connect(&killTimer_, &QTimer::timeout, this, [this] {
    if (running()) sendSignal(SIGKILL);
  });
  poll_.setInterval(100);
  connect(&poll_, &QTimer::timeout, this, &JobProcess::readAppended);
  connect(&child_, &QProcess::readyReadStandardOutput, this, &JobProcess::readOutput);
  connect(&child_, &QProcess::readyReadStandardError, this, &JobProcess::readErrors);
  connect(&child_, &QProcess::finished, this, &JobProcess::childEnded);
  connect(&child_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
    if (error != QProcess::FailedToStart) return;
    pid_ = 0;
    error_ = child_.errorString();
    emit failedToStart(error_);
  });
}

JobProcess::~JobProcess() {
  if (detached_ || child_.state() == QProcess::NotRunning) return;
  child_.disconnect(this);
  killTimer_.stop();
  sendSignal(SIGKILL);
  child_.waitForFinished(5000);
}

void JobProcess::start(const QString& program, const QStringList& arguments) {
  detached_ = false;
  poll_.stop();
  pid_ = 0;
  pending_.clear();
  errors_.clear();
  error_.clear();
  child_.setProcessChannelMode(mergedChannels_ ? QProcess::MergedChannels
                                               : QProcess::SeparateChannels);
  if (ownGroup_ || parentDeathSignal_ != 0 || niceness_ != 0)
    child_.setChildProcessModifier([application = ::getpid(), ownGroup = ownGroup_,
                                    deathSignal = parentDeathSignal_, niceness = niceness_] {
      if (ownGroup) ::setpgid(0, 0);
      if (deathSignal != 0) {
        ::prctl(PR_SET_PDEATHSIG, deathSignal);
        if (::getppid() != application) ::_exit(1);
      }
      if (niceness != 0) {
        [[maybe_unused]] const int priority = ::nice(niceness);
      }
    });
  child_.start(program, arguments);
  pid_ = child_.processId();
}

bool JobProcess::startDetached(const QString& program, const QStringList& arguments,
                               const QString& outputFile, const QString& errorFile,
                               const QString& marker) {
  error_.clear();
  const qint64 offset = QFileInfo(outputFile).size();  // what was there is not this process's
  QProcess process;
  process.setProgram(program);
  process.setArguments(arguments);
  process.setStandardOutputFile(outputFile, QIODevice::Append);
  process.setStandardErrorFile(errorFile, QIODevice::Append);
  qint64 pid = 0;
  if (!process.startDetached(&pid) || pid <= 0) {
    error_ = tr("could not start %1").arg(program);
    return false;
  }
  follow(pid, marker, outputFile, offset);
  poll_.start();  // even if it has already ended: the poll reads its lines and reports the end
  return true;
}

bool JobProcess::follow(qint64 pid, const QString& marker, const QString& outputFile,
                        qint64 offset) {
  detached_ = true;
  killTimer_.stop();
  pid_ = pid;
  marker_ = marker;
  outputFile_ = outputFile;
  outputOffset_ = offset;
  pending_.clear();
  errors_.clear();
  if (!running()) {
    poll_.stop();
    return false;
  }
  poll_.start();
  return true;
}

bool JobProcess::running() const {
  return detached_ ? isRunOf(pid_, marker_) : child_.state() != QProcess::NotRunning;
}

QString JobProcess::lastErrorLine() const {
  const QList<QByteArray> lines = errors_.split('\n');
  for (auto line = lines.rbegin(); line != lines.rend(); ++line)
    if (!line->trimmed().isEmpty()) return QString::fromUtf8(line->trimmed());
  return {};
}

void JobProcess::sendSignal(int signal, Reach reach) const {
  if (pid_ <= 0) return;
  const bool group = reach == Reach::AllProcesses && ownGroup_ && !detached_;
  ::kill(group ? -static_cast<pid_t>(pid_) : static_cast<pid_t>(pid_), signal);
}

void JobProcess::cancel() {
  sendSignal(SIGTERM);
  if (gracePeriodMs_ >= 0) killTimer_.start(gracePeriodMs_);
}

void JobProcess::stop(int signal, int graceMs, Reach reach) {
  if (detached_ || !running()) return;
  sendSignal(signal, reach);
  if (!child_.waitForFinished(graceMs)) {
    sendSignal(SIGKILL);
    child_.waitForFinished(5000);
  }
}

bool JobProcess::waitForFinished(int ms) {
  return !detached_ && child_.waitForFinished(ms);
}

void JobProcess::readOutput() {
  pending_ += child_.readAllStandardOutput();
  emitCompleteLines();
}

void JobProcess::readErrors() {
  errors_ += child_.readAllStandardError();
  if (errors_.size() > kErrorTailBytes) {
    // Cut at a line's start, so that the tail holds whole lines.
    const qsizetype cut = errors_.indexOf('\n', errors_.size() - kErrorTailBytes);
    errors_.remove(0, cut >= 0 ? cut + 1 : errors_.size() - kErrorTailBytes);
  }
}

void JobProcess::childEnded(int exitCode, QProcess::ExitStatus status) {
  killTimer_.stop();
  readOutput();
  readErrors();
  flushLastLine();
  pid_ = 0;
  emit finished(exitCode, status == QProcess::CrashExit);
}

void JobProcess::readAppended() {
  // Ask first whether it is alive: what it wrote before it ended is then all in the file.
  const bool alive = running();
  QFile output(outputFile_);
  if (output.open(QIODevice::ReadOnly) && output.size() > outputOffset_) {
    output.seek(outputOffset_);
    pending_ += output.readAll();
    outputOffset_ = output.pos();
    emitCompleteLines();
  }
  if (alive) return;
  poll_.stop();
  flushLastLine();
  emit finished(-1, false);
}

void JobProcess::emitCompleteLines() {
  const qsizetype end = pending_.lastIndexOf('\n');
  if (end < 0) return;
  // Taken out before any is emitted: a receiver may make this read again.
  const QByteArray complete = pending_.left(end);
  pending_.remove(0, end + 1);
  for (const QByteArray& line : complete.split('\n')) emit lineRead(line);
}

void JobProcess::flushLastLine() {
  if (!pending_.isEmpty()) emit lineRead(std::exchange(pending_, QByteArray()));
}

}  // namespace seqseg
