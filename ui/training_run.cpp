#include "ui/training_run.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace seqseg {
namespace {

constexpr const char* kEventsFile = "events.jsonl";
constexpr const char* kProcessFile = "process.json";
constexpr const char* kPlanFile = "plan.json";
constexpr const char* kPauseFile = "pause";  // engine/trainer.h kPauseFileName

QJsonObject planToJson(const TrainPlan& plan) {
  QJsonObject json{{"data", QString::fromStdString(plan.data)},
                   {"validation_data", QString::fromStdString(plan.validationData)},
                   {"validation_fraction", plan.validationFraction},
                   {"config", QString::fromStdString(plan.config)},
                   {"ranks", plan.ranks},
                   {"launcher", QString::fromStdString(plan.launcher)},
                   {"split", QString::fromStdString(plan.split)},
                   {"attention", QString::fromStdString(plan.attention)},
                   {"decoder", QString::fromStdString(plan.decoder)},
                   {"epochs", plan.epochs},
                   {"steps_per_epoch", plan.stepsPerEpoch},
                   {"batch", plan.batch},
                   {"lr", plan.learningRate},
                   {"augment", plan.augment},
                   {"seed", QString::number(plan.seed)},
                   {"validate_every", plan.validateEvery},
                   {"threads", plan.threads},
                   {"cluster", QString::fromStdString(plan.cluster)},
                   {"run_dir", QString::fromStdString(plan.runDir)},
                   {"init_model", QString::fromStdString(plan.initModel)},
                   {"freeze_encoder", plan.freezeEncoder},
                   {"time_limit_minutes", plan.timeLimitMinutes},
                   {"balance_crop_classes", plan.balanceCropClasses},
                   {"region_dice", plan.regionDice}};
  if (plan.spacing)
    json["spacing"] = QJsonArray{(*plan.spacing)[0], (*plan.spacing)[1], (*plan.spacing)[2]};
  return json;
}

TrainPlan planFromJson(const QJsonObject& json) {
  TrainPlan plan;
  plan.data = json["data"].toString().toStdString();
  plan.validationData = json["validation_data"].toString().toStdString();
  plan.validationFraction = json["validation_fraction"].toDouble(plan.validationFraction);
  plan.config = json["config"].toString(QString::fromStdString(plan.config)).toStdString();
  plan.ranks = json["ranks"].toInt(1);
  plan.launcher = json["launcher"].toString("local").toStdString();
  plan.split = json["split"].toString("slab0").toStdString();
  plan.attention = json["attention"].toString("allgather").toStdString();
  plan.decoder = json["decoder"].toString("halo").toStdString();
  plan.epochs = json["epochs"].toInt(plan.epochs);
  plan.stepsPerEpoch = json["steps_per_epoch"].toInt(0);
  plan.batch = json["batch"].toInt(plan.batch);
  plan.learningRate = json["lr"].toDouble(plan.learningRate);
  plan.augment = json["augment"].toBool(true);
  plan.seed = json["seed"].toString("0").toULongLong();
  plan.validateEvery = json["validate_every"].toInt(1);
  plan.threads = json["threads"].toInt(0);
  plan.cluster = json["cluster"].toString().toStdString();
  plan.runDir = json["run_dir"].toString().toStdString();
  plan.initModel = json["init_model"].toString().toStdString();
  plan.freezeEncoder = json["freeze_encoder"].toBool(false);
  plan.timeLimitMinutes = json["time_limit_minutes"].toDouble(0);
  plan.balanceCropClasses = json["balance_crop_classes"].toBool(false);
  plan.regionDice = json["region_dice"].toBool(false);
  if (json["spacing"].isArray()) {
    const QJsonArray s = json["spacing"].toArray();
    plan.spacing = std::array<double, 3>{s[0].toDouble(), s[1].toDouble(), s[2].toDouble()};
  }
  return plan;
}

bool writeJsonFile(const QString& path, const QJsonObject& json) {
  QSaveFile file(path);  // a temporary name, renamed into place
  if (!file.open(QIODevice::WriteOnly)) return false;
  file.write(QJsonDocument(json).toJson());
  return file.commit();
}

QJsonObject readJsonFile(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object();
}

}  // namespace

bool readRunPlan(const QString& runDir, TrainPlan& plan) {
  const QJsonObject json = readJsonFile(QDir(runDir).filePath(kPlanFile));
  if (json.isEmpty()) return false;
  plan = planFromJson(json);
  plan.runDir = QDir(runDir).absolutePath().toStdString();
  return true;
}

TrainingRun::TrainingRun(QObject* parent) : QObject(parent) {
  notifyChange_.setSingleShot(true);
  notifyChange_.setInterval(0);
  connect(&notifyChange_, &QTimer::timeout, this, &TrainingRun::curvesChanged);
  connect(&process_, &JobProcess::lineRead, this, &TrainingRun::applyLine);
  connect(&process_, &JobProcess::finished, this, &TrainingRun::processEnded);
}

QString TrainingRun::executable() const {
  return seqsegProgram(executable_);
}

bool TrainingRun::start(const TrainPlan& plan) {
  if (running()) {
    error_ = tr("a run is already going on");
    return false;
  }
  plan_ = plan;
  plan_.runDir = QDir(QString::fromStdString(plan.runDir)).absolutePath().toStdString();
  runDir_ = QString::fromStdString(plan_.runDir);
  if (!QDir().mkpath(runDir_)) {
    error_ = tr("cannot create the run folder %1").arg(runDir_);
    return false;
  }
  if (!plan_.resume) {
    curves_ = TrainingCurves();
    QFile::remove(QDir(runDir_).filePath(kEventsFile));
  }
  TrainPlan stored = plan_;
  stored.resume = false;
  if (!writeJsonFile(QDir(runDir_).filePath(kPlanFile), planToJson(stored))) {
    error_ = tr("cannot write %1").arg(QDir(runDir_).filePath(kPlanFile));
    return false;
  }
  return launch();
}

bool TrainingRun::launch() {
  QFile::remove(QDir(runDir_).filePath(kPauseFile));
  QStringList arguments;
  for (const std::string& argument : trainArguments(plan_))
    arguments << QString::fromStdString(argument);
  return launchDetached(arguments, runDir_);
}

bool TrainingRun::launchDetached(const QStringList& seqsegArguments, const QString& marker) {
  const QString events = QDir(runDir_).filePath(kEventsFile);
  if (!QFile(events).open(QIODevice::Append)) {
    error_ = tr("cannot write %1").arg(events);
    return false;
  }
  // `nice` runs seqseg in its place (the same process id), below the UI in the scheduler. The
  // process is detached: it keeps going when the window or the application closes; what was in
  // the events file is read, what it appends is followed.
  if (!process_.startDetached(
          QStringLiteral("nice"),
          QStringList{QStringLiteral("-n"), QStringLiteral("10"), executable()} + seqsegArguments,
          events, QDir(runDir_).filePath(QStringLiteral("stderr.log")), marker)) {
    error_ = tr("could not start %1").arg(executable());
    return false;
  }
  writeJsonFile(QDir(runDir_).filePath(kProcessFile),
                QJsonObject{{"pid", process_.processId()}, {"marker", marker}});
  curves_.doneStatus.reset();
  sinceLastStep_.start();
  emit curvesChanged();
  return true;
}

bool TrainingRun::attach(const QString& runDir) {
  if (running()) {
    error_ = tr("a run is already going on");
    return false;
  }
  TrainPlan plan;
  if (!readRunPlan(runDir, plan)) {
    error_ = tr("%1 holds no training run (no %2)").arg(runDir, kPlanFile);
    return false;
  }
  plan_ = plan;
  runDir_ = QString::fromStdString(plan_.runDir);
  curves_ = readMetricsLog(QDir(runDir_).filePath("metrics.jsonl").toStdString());
  // What else the events said (total, log lines, how it ended): read the events file whole,
  // then keep the points from metrics.jsonl, which a resume rewrote consistently.
  TrainingCurves fromEvents;
  QFile events(QDir(runDir_).filePath(kEventsFile));
  qint64 eventsRead = 0;
  if (events.open(QIODevice::ReadOnly)) {
    for (const QByteArray& line : events.readAll().split('\n'))
      if (!line.isEmpty()) applyTrainingLine(line.toStdString(), fromEvents);
    eventsRead = events.size();
  }
  curves_.totalSteps = fromEvents.totalSteps;
  curves_.logLines = fromEvents.logLines;
  curves_.leftOutCases = fromEvents.leftOutCases;
  curves_.doneStatus = fromEvents.doneStatus;
  curves_.etaSeconds = fromEvents.etaSeconds;
  const QJsonObject process = readJsonFile(QDir(runDir_).filePath(kProcessFile));
  process_.follow(process["pid"].toInteger(),
                  process["marker"].toString(QDir(runDir_).absolutePath()), events.fileName(),
                  eventsRead);
  sinceLastStep_.start();  // not known how long ago its last step was: from now
  emit curvesChanged();
  return true;
}

void TrainingRun::pause() {
  if (!running()) return;
  QFile request(QDir(runDir_).filePath(kPauseFile));
  if (request.open(QIODevice::WriteOnly)) request.write("pause\n");
}

bool TrainingRun::resume() {
  if (running() || runDir_.isEmpty()) return false;
  plan_.resume = true;
  const bool started = launch();
  plan_.resume = false;
  return started;
}

void TrainingRun::cancel() {
  if (running()) {
    cancelled_ = true;
    process_.cancel();
    return;
  }
  if (curves_.doneStatus != JobState::Paused) return;
  // The run's own words for it, so that Open run shows it cancelled too.
  QFile events(QDir(runDir_).filePath(kEventsFile));
  if (events.open(QIODevice::Append))
    events.write(QJsonDocument(QJsonObject{{"event", "done"},
                                           {"job", "train"},
                                           {"status", "cancelled"},
                                           {"message", "cancelled while paused"}})
                     .toJson(QJsonDocument::Compact) +
                 '\n');
  curves_.doneStatus = JobState::Cancelled;
  emit curvesChanged();
}

double TrainingRun::elapsedSeconds() const {
  const double lastStep = curves_.steps.empty() ? 0.0 : curves_.steps.back().elapsedSeconds;
  if (!running() || !sinceLastStep_.isValid()) return lastStep;
  return lastStep + static_cast<double>(sinceLastStep_.elapsed()) / 1000.0;
}

bool TrainingRun::running() const {
  return process_.running();
}

bool TrainingRun::attachRemote(const QString& jobId, const QString& runDir) {
  if (!attach(runDir)) return false;
  if (running()) return true;  // its process still follows the job
  return launchDetached({QStringLiteral("jobs"), QStringLiteral("attach"), jobId,
                         QStringLiteral("--progress"), QStringLiteral("json")},
                        jobId);
}

void TrainingRun::applyLine(const QByteArray& line) {
  const size_t steps = curves_.steps.size();
  if (applyTrainingLine(line.toStdString(), curves_) && !notifyChange_.isActive())
    notifyChange_.start();
  if (curves_.steps.size() != steps) sinceLastStep_.restart();
}

void TrainingRun::processEnded() {
  notifyChange_.stop();  // told below
  if (!curves_.doneStatus) curves_.doneStatus = cancelled_ ? JobState::Cancelled : JobState::Failed;
  cancelled_ = false;
  emit curvesChanged();
  emit ended();
}

}  // namespace seqseg
