#include "ui/wizard_fields.h"

#include <QComboBox>
#include <QLabel>
#include <QSpinBox>

namespace seqseg {

QComboBox* choiceBox(const QStringList& values, const QString& objectName) {
  auto* box = new QComboBox;
  box->addItems(values);
  box->setObjectName(objectName);
  return box;
}

QSpinBox* spinBox(int low, int high, int value, const QString& objectName) {
  auto* box = new QSpinBox;
  box->setRange(low, high);
  box->setValue(value);
  box->setObjectName(objectName);
  return box;
}

QLabel* problemLabel(const QString& objectName) {
  auto* label = new QLabel;
  label->setObjectName(objectName);
  label->setWordWrap(true);
  label->setStyleSheet(QStringLiteral("color: #c03030"));
  return label;
}

}  // namespace seqseg
