#pragma once
// The desktop application's main window: File menu, four views of the loaded case, and a
// status line naming it.
#include <QMainWindow>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/volume.h"
#include "io/dataset_layout.h"

class QLabel;
class QThread;

namespace seqseg {

class CaseViews;
class VtkViewWidget;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // The loaded case's channels (T1, T1ce, T2, FLAIR); null before one is loaded.
  std::shared_ptr<const Volume> volume() const { return volume_; }
  QString caseSummary() const;  // "CASE — AxBxC, spacing … mm", empty before a case

 public slots:
  // Loads in the background (the window stays responsive); ends in caseLoaded or loadFailed.
  // A folder: the case it is, or the first case of the dataset it holds.
  void openCase(const QString& folderOrFirstFile);
  // Four 3D images, in the order T1, T1ce, T2, FLAIR.
  void openFiles(const QStringList& files);
  // A label map for the loaded case, in its layout's native labels, read in the background
  // and overlaid on the slice views; ends in segmentationLoaded or loadFailed (no case
  // loaded, unreadable file, or a grid that is not the case's).
  void openSegmentation(const QString& path);

 signals:
  void caseLoaded();
  void segmentationLoaded();
  void loadFailed(const QString& message);

 private:
  struct LoadResult;

  void createMenus();
  void createViews();
  void chooseCaseFolder();
  void chooseFourFiles();
  // Runs `locateCase` and reads the case on a worker thread; `locateCase` may add a note to
  // the status line.
  void startLoading(const QString& what, std::function<CaseFiles(std::string& note)> locateCase);
  void finishLoading(const LoadResult& result);
  void chooseSegmentation();
  void showLoadError(const QString& message, const QString& title = QString());

  std::unique_ptr<CaseViews> caseViews_;
  QLabel* caseLabel_ = nullptr;
  std::vector<QThread*> loaders_;  // running loads; waited for on close
  int loadGeneration_ = 0;         // only the latest request's result is shown
  QString lastDirectory_;
  std::shared_ptr<const Volume> volume_;
  Layout caseLayout_ = Layout::Explicit;  // how the loaded case's label maps are numbered
  int segmentationGeneration_ = 0;        // only the latest segmentation request is shown
};

}  // namespace seqseg
