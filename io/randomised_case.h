#pragma once
// Domain-randomised synthetic cases (after SynthSeg, Billot et al. 2023): the Colin27 anatomy
// with per-case, per-channel random intensities for every tissue and tumour class, a random
// bias field, blur (resolution), gamma and noise; tumours of random size, lobulated or
// multifocal shape, placed in cortex, deep white matter, cerebellum or near the ventricles,
// with oedema of varying extent and the necrotic or enhancing part sometimes absent; a random
// field of view, storage orientation (axis order and flips), small rotation and crop.
//
// Three profiles: `Training` (what `seqseg train --randomise` draws from) and two that training
// never uses, so that scores on them measure how the model holds up on scans unlike its training
// data. `Heldout`: its own contrast table, tumour shapes and intensity scale. `HeldoutHard`: the
// lesions models miss or mis-size, as a stress test, with a third contrast table, more noise and
// bias: whole tumours of 1 to 250 mL drawn log-uniform (small ones as common as large ones),
// enhancing rims 1 to 6 mm thick around the NCR at any size, small satellite foci, sites at the
// cortex, by the ventricles and in the cerebellum weighted up, and cases without NCR, ET or
// oedema more often.
// `TrainingWide` (`--wide-lesions`): the training profile's contrasts and artefacts with
// lesions of every size drawn as the hard profile draws them (its own ranges): for training a
// model to find small lesions and thin rims; it shares no contrast table with the held-out ones.
// `TrainingWideContrasts` (`--wide-contrasts`): lesions of every size as `TrainingWide`, with
// each class's intensities drawn far more widely around the training table (half the T1 and T2
// channels entirely random), stronger artefacts, and the orderings real scans keep (ET bright on
// T1ce, oedema bright on FLAIR) restored: so that a model relies on what every scan shares.
// The same (profile, seed, index) gives the same bytes; a new profile leaves the others' bytes.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "io/synthetic_case.h"

namespace seqseg {

enum class RandomisedProfile {
  Training,
  Heldout,
  HeldoutHard,
  TrainingWide,
  TrainingWideContrasts
};

// "training", "training-wide", "training-wide-contrasts", "heldout" or "heldout-hard";
// std::invalid_argument otherwise.
RandomisedProfile parseRandomisedProfile(const std::string& name);
const char* randomisedProfileName(RandomisedProfile profile);

// The training profile the flags --wide-lesions and --wide-contrasts (which implies wide
// lesions) name, for synth and train alike.
RandomisedProfile trainingProfileOf(bool wideLesions, bool wideContrasts);

// `size` is the grid (i, j, k), 8..1024 per axis; the field of view is BraTS's
// 240 x 240 x 155 mm scaled by a random factor per axis, so the spacing varies around
// 240/i x 240/j x 155/k mm. Case `index` of a dataset made with `seed`.
// `scanner`: every case of one simulated scanner, whose contrasts (each channel's class
// intensities, drawn around the profile's table with kScannerContrastJitter, no free channel)
// are drawn once from that number instead of per case; tumours, placement and artefacts are
// still the case's own. What a site's scans share, and a model that never saw the site can
// learn from a few of them.
constexpr double kScannerContrastJitter = 0.2;
SyntheticCase synthesizeRandomisedCase(const BrainTemplate& brain,
                                       const std::array<int64_t, 3>& size, uint64_t seed, int index,
                                       RandomisedProfile profile,
                                       std::optional<uint64_t> scanner = std::nullopt);

}  // namespace seqseg
