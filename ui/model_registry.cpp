#include "ui/model_registry.h"

#include <QJsonDocument>
#include <QSettings>
#include <QStringList>

namespace seqseg {

ModelRegistry ModelRegistry::load(QSettings& settings, const QString& bundledPath) {
  ModelRegistry registry;
  registry.entries_.push_back({QObject::tr("Bundled model"), bundledPath, "bundled",
                               QJsonObject{{"description", "the demo model shipped with seqseg"}}});
  const int count = settings.beginReadArray(QStringLiteral("models"));
  for (int i = 0; i < count; ++i) {
    settings.setArrayIndex(i);
    ModelEntry entry{settings.value("name").toString(), settings.value("path").toString(),
                     settings.value("kind").toString(),
                     QJsonDocument::fromJson(settings.value("card").toByteArray()).object()};
    if (!entry.name.isEmpty() && !entry.path.isEmpty() && entry.kind != "bundled")
      registry.entries_.push_back(entry);
  }
  settings.endArray();
  return registry;
}

void ModelRegistry::save(QSettings& settings) const {
  settings.remove(QStringLiteral("models"));
  settings.beginWriteArray(QStringLiteral("models"));
  int index = 0;
  for (const ModelEntry& entry : entries_) {
    if (entry.kind == "bundled") continue;
    settings.setArrayIndex(index++);
    settings.setValue("name", entry.name);
    settings.setValue("path", entry.path);
    settings.setValue("kind", entry.kind);
    settings.setValue("card", QJsonDocument(entry.card).toJson(QJsonDocument::Compact));
  }
  settings.endArray();
  settings.sync();
}

const ModelEntry* ModelRegistry::find(const QString& name) const {
  for (const ModelEntry& entry : entries_)
    if (entry.name == name) return &entry;
  return nullptr;
}

QString ModelRegistry::add(ModelEntry entry) {
  for (int i = 0; i < entries_.size(); ++i)
    if (entries_[i].path == entry.path && entries_[i].kind != "bundled") {
      entries_.removeAt(i);
      break;
    }
  if (entry.name.trimmed().isEmpty()) entry.name = QObject::tr("Model");
  const QString base = entry.name.trimmed();
  entry.name = base;
  for (int n = 2; find(entry.name); ++n) entry.name = QStringLiteral("%1 (%2)").arg(base).arg(n);
  entries_.push_back(entry);
  return entry.name;
}

bool ModelRegistry::rename(const QString& from, const QString& to) {
  const QString name = to.trimmed();
  if (name.isEmpty() || find(name)) return false;
  for (ModelEntry& entry : entries_)
    if (entry.name == from && entry.kind != "bundled") {
      entry.name = name;
      return true;
    }
  return false;
}

bool ModelRegistry::remove(const QString& name) {
  for (int i = 0; i < entries_.size(); ++i)
    if (entries_[i].name == name && entries_[i].kind != "bundled") {
      entries_.removeAt(i);
      return true;
    }
  return false;
}

QString ModelRegistry::listLabel(const ModelEntry& entry) {
  const QJsonObject& card = entry.card;
  if (!card.contains("dice_before") || !card.contains("best_dice")) return entry.name;
  return QObject::tr("%1 (Dice %2 \u2192 %3)")
      .arg(entry.name)
      .arg(card["dice_before"].toDouble(), 0, 'f', 3)
      .arg(card["best_dice"].toDouble(), 0, 'f', 3);
}

QString ModelRegistry::describe(const ModelEntry& entry) {
  QStringList lines{QObject::tr("Name: %1").arg(entry.name),
                    QObject::tr("Kind: %1").arg(entry.kind),
                    QObject::tr("File: %1").arg(entry.path)};
  const QJsonObject& card = entry.card;
  if (card.contains("data")) lines << QObject::tr("Data: %1").arg(card["data"].toString());
  if (card.contains("preset")) lines << QObject::tr("Preset: %1").arg(card["preset"].toString());
  if (card.contains("steps")) lines << QObject::tr("Steps: %1").arg(card["steps"].toInteger());
  if (card.contains("fine_tuned_from"))
    lines << QObject::tr("Fine-tuned from: %1").arg(card["fine_tuned_from"].toString());
  if (card.contains("dice_before"))
    lines << QObject::tr("Validation Dice before fine-tuning (mean of WT, TC, ET): %1")
                 .arg(card["dice_before"].toDouble(), 0, 'f', 3);
  if (card.contains("best_dice"))
    lines << QObject::tr("Best validation Dice (mean of WT, TC, ET): %1")
                 .arg(card["best_dice"].toDouble(), 0, 'f', 3);
  if (card.contains("description")) lines << card["description"].toString();
  return lines.join('\n');
}

}  // namespace seqseg
