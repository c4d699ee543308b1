#include "ui/train_menu.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonObject>
#include <QListWidget>
#include <QMainWindow>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include "types/resource_paths.h"
#include "ui/corrections_menu.h"
#include "ui/segment_panel.h"
#include "ui/train_wizard.h"

namespace seqseg {

TrainMenu::TrainMenu(QMainWindow& window, SegmentPanel& panel)
    : QObject(&window), window_(window), panel_(panel) {
  setObjectName(QStringLiteral("trainMenu"));
  QSettings settings;
  registry_ = ModelRegistry::load(settings, QString::fromStdString(bundledModelPath()));
  QMenu* menu = window.menuBar()->addMenu(tr("&Train"));
  menu->setObjectName(QStringLiteral("menuTrain"));
  menu->addAction(tr("&New model…"), this, [this] { newModel(); })
      ->setObjectName(QStringLiteral("newModelAction"));
  menu->addAction(tr("&Fine-tune on my corrections…"), this, [this] { fineTuneOnCorrections(); })
      ->setObjectName(QStringLiteral("fineTuneAction"));
  menu->addAction(tr("&Open run…"), this,
                  [this] {
                    const QString folder =
                        QFileDialog::getExistingDirectory(&window_, tr("Open a run folder"));
                    if (!folder.isEmpty()) openRun(folder);
                  })
      ->setObjectName(QStringLiteral("openRunAction"));
  menu->addSeparator();
  menu->addAction(tr("&Models…"), this, &TrainMenu::showModels)
      ->setObjectName(QStringLiteral("modelsAction"));
  showInPanel();
}

TrainWizard* TrainMenu::fineTuneOnCorrections() {
  const QString corrections = CorrectionsMenu::correctionsFolder();
  if (!QDir(corrections).exists() ||
      QDir(corrections).entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty()) {
    QMessageBox::information(
        &window_, tr("Fine-tune on my corrections"),
        tr("No case has been kept in %1 yet.\n\nCorrect a segmentation, then File → Keep as "
           "training case; the corrections folder is set in Settings.")
            .arg(QDir::toNativeSeparators(corrections)));
    return nullptr;
  }
  TrainWizard* wizard = newModel();
  wizard->setWindowTitle(tr("Fine-tune on my corrections"));
  QString model = QString::fromStdString(panel_.settings().model);
  if (model.isEmpty()) model = QString::fromStdString(bundledModelPath());
  QString name = QFileInfo(model).fileName();
  for (const ModelEntry& entry : registry_.entries())
    if (QFileInfo(entry.path) == QFileInfo(model)) name = entry.name;
  wizard->startFrom(model, name);
  // A quarter of the kept cases (at least one) is held out: the Dice before and after.
  wizard->setValidationFraction(0.25);
  wizard->surveyFolder(corrections);
  return wizard;
}

TrainWizard* TrainMenu::wizard() const {
  return wizard_.data();
}

TrainWizard* TrainMenu::makeWizard() {
  if (wizard_) wizard_->close();
  auto* wizard = new TrainWizard(&window_);
  wizard->setAttribute(Qt::WA_DeleteOnClose);
  if (!executable_.isEmpty()) wizard->setExecutable(executable_);
  connect(wizard, &TrainWizard::modelTrained, this, [this](const ModelEntry& entry) {
    addModel(entry);
    panel_.setModelPath(entry.path);  // the new model is the one chosen
  });
  QVector<QPair<QString, QString>> models;
  for (const ModelEntry& entry : registry_.entries()) models.push_back({entry.name, entry.path});
  wizard->setKnownModels(models);
  wizard_ = wizard;
  return wizard;
}

TrainWizard* TrainMenu::newModel() {
  TrainWizard* wizard = makeWizard();
  wizard->show();
  return wizard;
}

TrainWizard* TrainMenu::openRun(const QString& runDir) {
  return attachRemoteRun(QString(), runDir);
}

TrainWizard* TrainMenu::attachRemoteRun(const QString& jobId, const QString& runDir) {
  TrainWizard* wizard = makeWizard();
  if (!wizard->openRun(runDir, /*quiet=*/false, jobId)) {
    wizard->deleteLater();
    return nullptr;
  }
  wizard->show();
  return wizard;
}

QString TrainMenu::addModel(const ModelEntry& entry) {
  const QString name = registry_.add(entry);
  saveAndShow();
  return name;
}

bool TrainMenu::renameModel(const QString& from, const QString& to) {
  if (!registry_.rename(from, to)) return false;
  saveAndShow();
  return true;
}

bool TrainMenu::removeModel(const QString& name) {
  if (!registry_.remove(name)) return false;
  saveAndShow();
  return true;
}

void TrainMenu::saveAndShow() {
  QSettings settings;
  registry_.save(settings);
  showInPanel();
}

void TrainMenu::showInPanel() {
  QVector<QPair<QString, QString>> models;
  for (const ModelEntry& entry : registry_.entries())
    if (entry.kind != "bundled") models.push_back({ModelRegistry::listLabel(entry), entry.path});
  panel_.setKnownModels(models);
}

void TrainMenu::showModels() {
  QDialog dialog(&window_);
  dialog.setObjectName(QStringLiteral("modelsDialog"));
  dialog.setWindowTitle(tr("Models"));
  auto* list = new QListWidget;
  auto fill = [this, list] {
    list->clear();
    for (const ModelEntry& entry : registry_.entries()) {
      auto* item = new QListWidgetItem(QStringLiteral("%1  (%2)").arg(entry.name, entry.kind));
      item->setData(Qt::UserRole, entry.name);
      item->setToolTip(entry.path);
      list->addItem(item);
    }
  };
  fill();
  auto selected = [list] {
    return list->currentItem() ? list->currentItem()->data(Qt::UserRole).toString() : QString();
  };
  auto* rename = new QPushButton(tr("Rename…"));
  auto* remove = new QPushButton(tr("Remove from list"));
  auto* card = new QPushButton(tr("Show card"));
  auto* import = new QPushButton(tr("Import .pt…"));
  connect(rename, &QPushButton::clicked, &dialog, [&, fill] {
    const QString from = selected();
    if (from.isEmpty()) return;
    const QString to =
        QInputDialog::getText(&dialog, tr("Rename"), tr("Name"), QLineEdit::Normal, from);
    if (!to.isEmpty() && !renameModel(from, to))
      QMessageBox::warning(&dialog, tr("Rename"),
                           tr("“%1” cannot be renamed to “%2”.").arg(from, to));
    fill();
  });
  connect(remove, &QPushButton::clicked, &dialog, [&, fill] {
    if (!removeModel(selected()))
      QMessageBox::information(&dialog, tr("Remove"), tr("The bundled model stays in the list."));
    fill();
  });
  connect(card, &QPushButton::clicked, &dialog, [&] {
    if (const ModelEntry* entry = registry_.find(selected()))
      QMessageBox::information(&dialog, tr("Model card"), ModelRegistry::describe(*entry));
  });
  connect(import, &QPushButton::clicked, &dialog, [&, fill] {
    const QString file = QFileDialog::getOpenFileName(&dialog, tr("Import a model"), QString(),
                                                      tr("Model checkpoints (*.pt)"));
    if (!file.isEmpty())
      addModel({QFileInfo(file).completeBaseName(), QFileInfo(file).absoluteFilePath(),
                QStringLiteral("imported"), QJsonObject{}});
    fill();
  });
  auto* buttons = new QVBoxLayout;
  for (QPushButton* button : {rename, remove, card, import}) buttons->addWidget(button);
  buttons->addStretch(1);
  auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
  connect(close, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  auto* row = new QHBoxLayout;
  row->addWidget(list, 1);
  row->addLayout(buttons);
  auto* layout = new QVBoxLayout(&dialog);
  layout->addLayout(row);
  layout->addWidget(close);
  dialog.resize(560, 320);
  dialog.exec();
}

}  // namespace seqseg
