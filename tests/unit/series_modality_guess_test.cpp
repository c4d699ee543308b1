// Which series of a study is T1, T1ce, T2 and FLAIR, from descriptions as scanners write them.
#include <gtest/gtest.h>

#include "ui/series_modality_guess.h"

namespace seqseg {
namespace {

TEST(SeriesModalityGuess, NamesTheModalityOfCommonDescriptions) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"t1_se_tra", 0},
      {"T1W_3D_TFE", 0},
      {"t1_mprage_sag_p2_iso", 0},
      {"T1 pre", 0},
      {"Sag T1 FLAIR pre", 3},  // FLAIR wins over T1: an inversion-recovery sequence
      {"T1 SE tra POST GD", 1},
      {"t1_mprage_tra+C", 1},
      {"T1+C", 1},
      {"AX T1 post contrast", 1},
      {"T1CE", 1},
      {"t1_vibe_gd", 1},
      {"t2_tse_tra", 2},
      {"AX T2 FSE", 2},
      {"T2W", 2},
      {"t2_tirm_tra_dark-fluid", 3},
      {"AX FLAIR", 3},
      {"T2-FLAIR", 3},
      {"Localizer", -1},
      {"DWI b1000", -1},
      {"", -1},
  };
  for (const auto& [description, modality] : cases)
    EXPECT_EQ(modalityOfDescription(description), modality) << "'" << description << "'";
}

TEST(SeriesModalityGuess, AssignsEachModalityOnceInListOrder) {
  const std::array<int, 4> chosen =
      guessModalities({"localizer", "t2_tirm_tra_dark-fluid", "t1_se_tra", "t2_tse_tra",
                       "t1_se_tra_post_gd", "t2_tse_tra repeat"});
  EXPECT_EQ(chosen, (std::array<int, 4>{2, 4, 3, 1}));
  // Nothing recognised: nothing chosen; the dialog then asks.
  EXPECT_EQ(guessModalities({"localizer", "DWI"}), (std::array<int, 4>{-1, -1, -1, -1}));
}

}  // namespace
}  // namespace seqseg
