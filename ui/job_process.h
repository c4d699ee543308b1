#pragma once
// A process the application starts and follows: its stdout read line by line as it comes (the
// JSON Lines events of the jobs protocol; lineRead() per line), the end of its stderr kept,
// finished() with its exit code, and cancel() (SIGTERM, then SIGKILL after a grace period).
// A child of this application by default; startDetached() starts one that outlives the
// application, its stdout appended to a file that is followed instead (a training run, followed
// again later with follow()). Qt Core only.
#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>

namespace seqseg {

// `chosen`, or this application's own executable when empty: the seqseg that a job runs.
QString seqsegProgram(const QString& chosen);

class JobProcess : public QObject {
  Q_OBJECT

 public:
  explicit JobProcess(QObject* parent = nullptr);
  // A child still running is killed (its process group too when it has one) and waited for,
  // with no more signals; a detached process goes on.
  ~JobProcess() override;

  // How a child starts (set before start()). In a process group of its own, so that signals
  // reach every process it starts.
  void setOwnProcessGroup(bool own) { ownGroup_ = own; }
  // The signal the child gets when this application ends, even when it is killed; 0: none.
  // A child whose parent ended before it could ask for the signal exits at once.
  void setParentDeathSignal(int signal) { parentDeathSignal_ = signal; }
  // Added to the child's nice value (below the UI in the scheduler).
  void setNiceness(int increment) { niceness_ = increment; }
  // The child's stderr read with its stdout, as lines.
  void setMergedChannels(bool merged) { mergedChannels_ = merged; }
  // How long cancel() waits after SIGTERM before SIGKILL; negative (the default): SIGTERM only.
  void setGracePeriodMs(int ms) { gracePeriodMs_ = ms; }
  // How often a detached process's output file is read (ms).
  void setPollInterval(int ms) { poll_.setInterval(ms); }

  // Starts `program` as a child; failedToStart() when it cannot (possibly before this returns).
  void start(const QString& program, const QStringList& arguments);
  // Starts `program` detached: it keeps going when this object or the application ends. Its
  // stdout is appended to `outputFile`, followed from the file's current end; its stderr is
  // appended to `errorFile`. `marker`: a word of its command line by which running() knows it
  // (a reused process id is not it). False, with errorString(), when it could not start.
  bool startDetached(const QString& program, const QStringList& arguments,
                     const QString& outputFile, const QString& errorFile, const QString& marker);
  // Follows a detached process started earlier, perhaps by an earlier run of the application:
  // `pid` with `marker` on its command line, its lines those appended to `outputFile` after
  // `offset` bytes. False, following nothing, when it no longer runs.
  bool follow(qint64 pid, const QString& marker, const QString& outputFile, qint64 offset);

  bool running() const;
  // The process's id: 0 before it starts and once a child has ended (a detached process's
  // stays; running() tells whether it is still that process).
  qint64 processId() const { return pid_; }
  QString errorString() const { return error_; }
  // The end of the child's stderr (its last 64 KiB): what it said about a failure.
  QByteArray errorOutput() const { return errors_; }
  // The last line of the child's stderr that is not blank, trimmed.
  QString lastErrorLine() const;

  enum class Reach { FirstProcess, AllProcesses };
  // `signal` to the process, or with AllProcesses to its process group when it has its own.
  void sendSignal(int signal, Reach reach = Reach::AllProcesses) const;
  // SIGTERM; SIGKILL after the grace period unless it has ended by then.
  void cancel();
  // Blocks until a child has ended: `signal`, then SIGKILL to all of it after `graceMs` (for
  // destructors, where no event loop runs).
  void stop(int signal, int graceMs, Reach reach = Reach::AllProcesses);
  bool waitForFinished(int ms);  // a child only

 signals:
  void lineRead(const QByteArray& line);  // one line of stdout, without its newline
  // It has ended, every line read. A detached process is not this application's child: its exit
  // code is not known (-1) and it does not count as crashed.
  void finished(int exitCode, bool crashed);
  void failedToStart(const QString& reason);

 private:
  void readOutput();
  void readErrors();
  void childEnded(int exitCode, QProcess::ExitStatus status);
  void readAppended();  // a detached process: what its output file gained
  void emitCompleteLines();
  void flushLastLine();  // an unfinished last line, at the end

  QProcess child_;
  bool ownGroup_ = false;
  int parentDeathSignal_ = 0;
  int niceness_ = 0;
  bool mergedChannels_ = false;
  int gracePeriodMs_ = -1;
  QTimer killTimer_;

  bool detached_ = false;
  QString marker_;
  QString outputFile_;
  qint64 outputOffset_ = 0;
  QTimer poll_;

  qint64 pid_ = 0;
  QByteArray pending_;  // stdout after the last complete line
  QByteArray errors_;
  QString error_;
};

}  // namespace seqseg
