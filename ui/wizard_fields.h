#pragma once
// The small widgets the training wizard's pages are made of, each named for findChild().
#include <QString>
#include <QStringList>

#include <string>

class QComboBox;
class QLabel;
class QSpinBox;

namespace seqseg {

QComboBox* choiceBox(const QStringList& values, const QString& objectName);
QSpinBox* spinBox(int low, int high, int value, const QString& objectName);
// Says in red why the page cannot go on; empty when it can.
QLabel* problemLabel(const QString& objectName);

// Trimmed text as the wizard model keeps it.
inline std::string trimmedText(const QString& text) {
  return text.trimmed().toStdString();
}

}  // namespace seqseg
