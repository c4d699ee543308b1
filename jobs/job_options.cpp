#include "jobs/job_options.h"

namespace seqseg {
namespace {

// --hd95 of eval and of --batch's report (engine/metrics.h says what each definition is).
void addHd95Option(CLI::App& app, std::string& definition) {
  app.add_option("--hd95", definition,
                 "HD95 against a reference: pooled (the 95th percentile of both directions' "
                 "surface distances together, as medpy) or max (the larger directed 95th "
                 "percentile, as MONAI and the BraTS tools)")
      ->check(CLI::IsMember({"pooled", "max"}))
      ->capture_default_str();
}

}  // namespace

void addParallelOptions(CLI::App& app, ParallelRequest& request) {
  app.add_option("--ranks", request.ranks,
                 "Ranks (processes) the volume is split across; attention spans all of them")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--launcher", request.launcher,
                 "How --ranks > 1 start: local (processes on this machine), mpirun or srun "
                 "(ignored when this command is itself started by mpirun or srun)")
      ->check(CLI::IsMember({"local", "mpirun", "srun"}))
      ->capture_default_str();
  app.add_option("--device", request.device,
                 "cpu, or cuda: model and data on this rank's GPU, bfloat16 autocast, fused "
                 "attention, NCCL between ranks")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  app.add_flag("--checkpoint-activations", request.checkpointActivations,
               "Recompute each encoder block in backward instead of keeping its activations "
               "(longer sequences fit in memory, about a third more compute)");
  app.add_option("--split", request.split, "Spatial split: slab0, slab1, slab2, blocks")
      ->check(CLI::IsMember({"slab0", "slab1", "slab2", "blocks"}))
      ->capture_default_str();
  app.add_option("--attention", request.attention,
                 "Attention across ranks: allgather, ring, ulysses")
      ->check(CLI::IsMember({"allgather", "ring", "ulysses"}))
      ->capture_default_str();
  app.add_option("--decoder", request.decoder,
                 "Decoder across ranks: halo (exact), gather (exact), nogather (the paper's)")
      ->check(CLI::IsMember({"halo", "gather", "nogather"}))
      ->capture_default_str();
}

void addClusterOption(CLI::App& app, ParallelRequest& request) {
  app.add_option("--cluster", request.cluster,
                 "Run as a job on this cluster profile (clusters.json in the config folder): "
                 "inputs uploaded, ranks and launcher from the profile, outputs downloaded");
}

void addSegmentOptions(CLI::App& app, SegmentRequest& request, bool& enabled, bool worker) {
  auto* group = app.add_option_group("Batch segmentation (seqseg --batch -i IN -o OUT)");
  group->add_flag("--batch", enabled, "Segment every case of a folder without the GUI");
  group->add_option("-i,--input", request.input, "Folder of cases (any supported layout)");
  group->add_option("-o,--output", request.output, "Folder for the masks OUT/CASE.nii.gz");
  group->add_option("--model", request.model, "Model checkpoint (default: the bundled model)");
  group->add_flag("--skip-existing", request.skipExisting,
                  "Keep masks already in the output folder");
  group->add_option("--report", request.report, "Report JSON (default OUT/report.json)");
  group->add_flag("--report-csv", request.reportCsv,
                  "Also write the report's cases as CSV beside it (REPORT with .csv): volumes, "
                  "centroids, bounding boxes, diameters, Dice and HD95, one row per region");
  group->add_option("--labels", request.labels, "Mask labels: native (the layout's) or internal")
      ->capture_default_str();
  group->add_option("--progress", request.progress, "bar (for people) or json (JSON Lines events)")
      ->capture_default_str();
  group->add_option("--threads", request.threads, "Intra-op threads (0: all cores)")
      ->capture_default_str();
  group->add_option("--overlap", request.overlap, "Sliding-window overlap, 0..0.9")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  group->add_option("--case", request.caseIds,
                    "Only this case of -i (its identifier; repeat for more)");
  group->add_option("--t1", request.t1,
                    "One case as four NIfTI files or DICOM series folders: T1 (instead of -i); "
                    "the mask gets T1's exact geometry");
  group->add_option("--t1ce", request.t1ce, "... T1 contrast-enhanced");
  group->add_option("--t2", request.t2, "... T2");
  group->add_option("--flair", request.flair, "... FLAIR");
  group->add_flag("--tta", request.testTimeFlips,
                  "Test-time flips: average the probabilities over the 8 mirrorings (8x slower)");
  group->add_flag("--no-postprocess", request.noPostprocess,
                  "Keep the raw prediction: skip the model's removal of small or distant "
                  "components");
  group->add_flag("--save-probabilities", request.saveProbabilities,
                  "Also write per case OUT/CASE_probabilities.nii.gz (float32, 4D: background, "
                  "NCR, ED, ET; flip-averaged with --tta) and OUT/CASE_uncertainty.nii.gz (voxel "
                  "entropy / ln 4: 0 certain .. 1 undecided), on the case's grid");
  group->add_flag("--uncertainty", request.uncertainty,
                  "Score each case's uncertainty in the report: the mean voxel entropy / ln 4 of "
                  "the flip-averaged probabilities inside the predicted whole tumour (implies "
                  "--tta)");
  group->add_flag("--dicom-seg", request.dicomSeg,
                  "Also write per case OUT/CASE_seg.dcm, a DICOM Segmentation object (binary; "
                  "segments NCR, ED, ET) referencing the T1 series; the case's images must be "
                  "DICOM series folders");
  addHd95Option(*group, request.hd95);
  addParallelOptions(app, request.parallel);
  if (!worker) addClusterOption(*group, request.parallel);
}

void addTrainOptions(CLI::App& train, TrainRequest& request, bool worker) {
  TrainingSchedule& s = request.schedule;
  train.add_option("--data", request.data,
                   "Folder of training cases (any layout, with labels); optional with --randomise");
  train.add_option("--out", s.runDir, "Run folder: last.pt, best.pt, config.json, metrics.jsonl")
      ->required();
  train
      .add_option("--config", request.config,
                  "Preset name (tiny, base, long) or a config JSON file; with --init it must "
                  "describe the init model, or add a voxel skip to it (voxel_skip_channels), and "
                  "may be left out")
      ->default_str(kDefaultTrainConfig);
  train
      .add_option("--epochs", s.epochs,
                  "Epochs; 0 with --init: no training, only the model's temperature and "
                  "post-processing fitted on the validation cases (RUN/best.pt: the model with "
                  "them)")
      ->capture_default_str();
  train.add_option("--steps-per-epoch", s.stepsPerEpoch, "Steps per epoch (0: cases / batch size)")
      ->capture_default_str();
  train.add_option("--batch-size", s.batch, "ROI crops per step")->capture_default_str();
  train.add_option("--lr", s.learningRate, "Peak learning rate (AdamW)")->capture_default_str();
  train.add_option("--weight-decay", s.weightDecay, "AdamW weight decay")->capture_default_str();
  train.add_option("--val-data", request.validationData, "Folder of validation cases");
  train
      .add_option("--val-fraction", request.validationFraction,
                  "Share of --data held out for validation when --val-data is not given")
      ->capture_default_str();
  train.add_option("--validate-every", s.validateEvery, "Validate every k epochs")
      ->capture_default_str();
  train.add_option("--seed", s.seed, "Random seed (initialisation, crops, augmentation, split)")
      ->capture_default_str();
  train
      .add_option("--spacing", request.spacing,
                  "Voxel spacing (mm along i j k) to train at; default: the --init model's "
                  "spacing, else the cases' median")
      ->expected(3);
  train
      .add_option("--time-limit", s.timeLimitMinutes,
                  "Stop after this many minutes (at the next step, validated, best.pt and "
                  "last.pt written; --resume continues); 0: no limit")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  train.add_flag("--resume", s.resume,
                 "Continue the run in --out from its last.pt (after an interruption or a "
                 "pause: creating the file RUN_DIR/pause stops the run after its current step)");
  train.add_option("--init", s.initModel,
                   "Fine-tune: start from this model checkpoint's weights (e.g. "
                   "resources/models/tiny.pt), with its config and voxel spacing (--spacing "
                   "overrides it); the optimiser and learning-rate schedule start fresh. A "
                   "--resume names the model its run started from");
  train.add_flag("--freeze-encoder", s.freezeEncoder,
                 "Keep the encoder's weights (patch and position embeddings, transformer "
                 "blocks); train only the decoder. Mainly with --init");
  train
      .add_option_function<std::string>(
          "--augment", [&s](const std::string& value) { s.augment = value == "on"; },
          "on: flip and scale/shift the crops; off")
      ->check(CLI::IsMember({"on", "off"}))
      ->default_str("on");
  train.add_flag("--balance-crop-classes", s.balanceCropClasses,
                 "Centre the tumour crops on a class drawn uniformly among the case's NCR, ED "
                 "and ET (as nnU-Net oversamples classes), not on any tumour voxel (mostly "
                 "oedema): the small classes are seen as often as the large");
  train.add_flag("--region-dice", s.regionDice,
                 "Take the Dice loss over the regions BraTS scores (WT, TC, ET) instead of the "
                 "classes, as nnU-Net trains on BraTS (4-class models)");
  train.add_flag("--skip-unreadable", request.skipUnreadable,
                 "Leave out (and name) the cases that cannot be read, instead of stopping");
  train.add_option("--progress", request.progress, "bar (for people) or json (JSON Lines events)")
      ->capture_default_str();
  train.add_option("--threads", request.threads, "Intra-op threads (0: all cores)")
      ->capture_default_str();
  train.add_flag("--randomise", request.randomise,
                 "Make a new domain-randomised case every step (seqseg synth --randomise), a "
                 "share of them from the realistic generator");
  train.add_flag("--wide-lesions", request.wideLesions,
                 "With --randomise: made cases with whole tumours of 1 to 250 mL, enhancing rims "
                 "of 1 to 8 mm and small satellites (seqseg synth --randomise --wide-lesions)");
  train.add_flag("--wide-contrasts", request.wideContrasts,
                 "With --randomise: as --wide-lesions, with every class's intensities drawn far "
                 "more widely, half the T1 and T2 channels random, stronger artefacts (seqseg "
                 "synth --randomise --wide-contrasts)");
  train
      .add_option("--realistic-fraction", request.realisticFraction,
                  "With --randomise: share of made cases from the realistic generator")
      ->capture_default_str();
  train
      .add_option("--file-fraction", s.fileCaseFraction,
                  "With --randomise and --data: share of crops from the --data cases")
      ->capture_default_str();
  train
      .add_option("--generated-pool", s.generatedPool,
                  "With --randomise: crops are drawn from the last N made cases")
      ->capture_default_str();
  train
      .add_option("--template-dir", request.templateDir,
                  "With --randomise: folder holding Colin27's ch2.nii.gz and ch2bet.nii.gz")
      ->capture_default_str();
  addParallelOptions(train, request.parallel);
  if (!worker) addClusterOption(train, request.parallel);
}

void addSynthOptions(CLI::App& synth, SynthRequest& request) {
  synth.add_option("--out", request.out, "Output folder")->required();
  synth.add_option("--cases", request.cases, "Number of cases")->capture_default_str();
  synth
      .add_option("--first", request.first,
                  "Index of the first case: the same bytes and name as case FIRST of a larger "
                  "--cases with this seed")
      ->capture_default_str();
  synth.add_option("--layout", request.layout, "brats2021, brats2023, msd or nnunet")
      ->capture_default_str();
  synth
      .add_option("--size", request.size,
                  "Grid: S (a cube) or AxBxC; the field of view is always 240x240x155 mm")
      ->capture_default_str();
  synth.add_option("--seed", request.seed, "Random seed")->capture_default_str();
  synth
      .add_option("--template-dir", request.templateDir,
                  "Folder holding ch2.nii.gz and ch2bet.nii.gz")
      ->capture_default_str();
  synth.add_flag("--randomise", request.randomise,
                 "Domain-randomised cases: random contrasts, tumour shapes and sites, bias field, "
                 "blur, noise, field of view and storage orientation");
  synth.add_flag("--heldout", request.heldout,
                 "With --randomise: the held-out profile (other contrasts, shapes and intensity "
                 "scale), never used by training");
  synth.add_flag("--heldout-hard", request.heldoutHard,
                 "With --randomise, instead of --heldout: a harder held-out profile (tumours of "
                 "1 to 250 mL, thin and thick enhancing rims, small satellites, cortical, "
                 "cerebellar and periventricular sites, no NCR or ET more often, other contrasts, "
                 "more noise)");
  synth.add_flag("--wide-lesions", request.wideLesions,
                 "With --randomise, for training data: the training profile with whole tumours "
                 "of 1 to 250 mL, enhancing rims of 1 to 8 mm and small satellites (what "
                 "train --wide-lesions draws)");
  synth.add_flag("--wide-contrasts", request.wideContrasts,
                 "With --randomise, for training data: as --wide-lesions, with every class's "
                 "intensities drawn far more widely, half the T1 and T2 channels random and "
                 "stronger artefacts (what train --wide-contrasts draws)");
  synth.add_option("--scanner", request.scanner,
                   "With --randomise: every case from one simulated scanner K (its contrasts drawn "
                   "once from K; tumours and artefacts per case), as a site's scans");
}

void addEvalOptions(CLI::App& eval, EvalRequest& request) {
  addHd95Option(eval, request.hd95);
  eval.add_option("--pred", request.pred, "Folder of predicted masks CASE.nii.gz")->required();
  eval.add_option("--ref", request.ref,
                  "A dataset folder (any layout, its label maps are used) or a folder of "
                  "reference masks CASE.nii.gz")
      ->required();
  eval.add_option("--labels", request.labels,
                  "Label convention of plain mask folders: brats2021, brats2023, msd, nnunet")
      ->capture_default_str();
  eval.add_option("--report", request.report, "Write the scores as JSON");
  eval.add_option("--probabilities", request.probabilities,
                  "Folder of the cases' class probabilities CASE_probabilities.nii.gz (--batch "
                  "--save-probabilities): also the calibration per region, the expected "
                  "calibration error (15 bins) and the reliability table");
}

std::optional<SegmentRequest> readSegmentArguments(const std::vector<std::string>& arguments) {
  CLI::App app;
  app.allow_extras();  // the GUI's case arguments, other commands' options
  SegmentRequest request;
  bool batch = false;
  addSegmentOptions(app, request, batch, /*worker=*/false);
  try {
    std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
    app.parse(reversed);
  } catch (const CLI::Error&) {
    return std::nullopt;
  }
  if (!batch) return std::nullopt;
  return request;
}

}  // namespace seqseg
