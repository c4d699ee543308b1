#include "ui/dataset_survey.h"

#include <exception>

#include "io/dataset_layout.h"
#include "io/labelled_case.h"

namespace seqseg {

DatasetSurvey surveyDataset(const std::string& folder) {
  DatasetSurvey survey;
  survey.folder = folder;
  Dataset dataset;
  try {
    dataset = findCases(folder);
  } catch (const std::exception& error) {
    survey.error = error.what();
    return survey;
  }
  survey.layout = layoutName(dataset.layout);
  survey.cases = static_cast<int>(dataset.cases.size());
  for (const CaseFiles& files : dataset.cases) {
    if (!files.reference.empty()) ++survey.labelled;
    try {
      const LabelledCase labelled = readLabelledCase(files, dataset.layout);
      survey.labelValues.insert(labelled.nativeValues.begin(), labelled.nativeValues.end());
      ++survey.readable;
    } catch (const std::exception& error) {
      survey.unreadable.push_back({files.id, error.what()});
    }
  }
  return survey;
}

}  // namespace seqseg
