#pragma once
// What a training run is asked to do, as `seqseg train` takes it: the run folder, the schedule
// and the optimiser's numbers. A plain type: the job contract (jobs/) carries it on command
// lines, the engine's trainer runs it (engine/trainer.h extends it with what only it needs).
#include <cstdint>
#include <string>

namespace seqseg {

struct TrainingSchedule {
  std::string runDir;
  int epochs = 50;
  int stepsPerEpoch = 0;  // 0: one step per training case and batch slot (cases / batch)
  int batch = 2;
  double learningRate = 1e-3;  // peak, after warm-up
  double weightDecay = 1e-2;
  int validateEvery = 5;  // epochs; the last epoch is always validated
  uint64_t seed = 0;
  bool augment = true;  // flips and intensity scale/shift of the crops
  // --balance-crop-classes: a tumour-centred crop is centred on a voxel of a class drawn
  // uniformly among the case's NCR, ED and ET, not on any tumour voxel (mostly oedema).
  bool balanceCropClasses = false;
  // --region-dice: the Dice term over the evaluated regions (WT, TC, ET) instead of the classes,
  // as nnU-Net trains on BraTS (engine/loss.h, DiceTerms::Regions).
  bool regionDice = false;
  bool resume = false;
  // --init: a model checkpoint whose weights the run starts from (fine-tuning); the optimiser and
  // the learning-rate schedule start fresh. Empty: random weights from the seed. The command line
  // also takes the model's config and voxel spacing from it.
  std::string initModel;
  // --freeze-encoder: the ViT encoder (patch and position embeddings, transformer blocks, final
  // norm) keeps its weights; only the decoder trains.
  bool freezeEncoder = false;
  // --time-limit: stop at the first step boundary after this many minutes of this run (a resumed
  // run counts from its own start), validated, with best.pt and last.pt written; 0: no limit.
  double timeLimitMinutes = 0;
  // With cases made on the fly: crops come from the last `generatedPool` made cases or, with
  // probability `fileCaseFraction`, from the dataset's cases.
  int generatedPool = 4;
  double fileCaseFraction = 0.0;
};

}  // namespace seqseg
