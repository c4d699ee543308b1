#pragma once
// The models a person knows: the bundled one, those trained with the wizard and imported .pt
// files, each with a name and a small card (where it came from, how it scored). Persisted in
// the user's settings (QSettings group "models"). Qt Core only: unit-tested without a display.
#include <QJsonObject>
#include <QString>
#include <QVector>

class QSettings;

namespace seqseg {

struct ModelEntry {
  QString name;  // what the Segment panel lists
  QString path;  // the checkpoint
  QString kind;  // "bundled", "trained" or "imported"
  // For a trained model: data, preset, steps, best_dice (and run_dir); free-form otherwise.
  QJsonObject card;
};

class ModelRegistry {
 public:
  // The bundled model first, then what `settings` holds (entries whose name or path is empty
  // are dropped).
  static ModelRegistry load(QSettings& settings, const QString& bundledPath);
  void save(QSettings& settings) const;  // the bundled entry is not stored

  const QVector<ModelEntry>& entries() const { return entries_; }
  const ModelEntry* find(const QString& name) const;

  // Adds an entry, or replaces the one with the same path; the name is made unique
  // ("name (2)") against the other entries. Returns the name given.
  QString add(ModelEntry entry);
  // False when `from` is unknown, is the bundled model, or `to` is empty or taken.
  bool rename(const QString& from, const QString& to);
  // Removes the entry from the list (the file stays); false for the bundled model.
  bool remove(const QString& name);

  // How lists show the model: its name, with a fine-tuned model's mean validation Dice before and
  // after ("name (Dice 0.612 → 0.745)").
  static QString listLabel(const ModelEntry& entry);
  // The card as lines for people ("Data: ...").
  static QString describe(const ModelEntry& entry);

 private:
  QVector<ModelEntry> entries_;
};

}  // namespace seqseg
