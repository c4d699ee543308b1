#include <gtest/gtest.h>

#include <map>

#include <ATen/ATen.h>

#include "dist_launch.h"
#include "engine/parallel/process_group.h"

namespace seqseg {
namespace {

using test::envOf;

TEST(RankDiscovery, DefaultsToOneLocalRank) {
  const RankInfo info = discoverRanks({}, envOf({}));
  EXPECT_EQ(info.rank, 0);
  EXPECT_EQ(info.size, 1);
  EXPECT_EQ(info.source, "default");
  EXPECT_EQ(info.masterAddr, "127.0.0.1");
}

TEST(RankDiscovery, EachSchemeIsRead) {
  struct Case {
    test::EnvStyle style;
    const char* source;
  };
  for (const Case c :
       {Case{test::EnvStyle::OpenMpi, "openmpi"}, Case{test::EnvStyle::Pmi, "pmi"},
        Case{test::EnvStyle::Slurm, "slurm"}, Case{test::EnvStyle::Torchrun, "torchrun"}}) {
    const RankInfo info = discoverRanks({}, envOf(test::rankEnvironment(c.style, 2, 4, 29511)));
    EXPECT_EQ(info.source, c.source);
    EXPECT_EQ(info.rank, 2);
    EXPECT_EQ(info.size, 4);
    EXPECT_EQ(info.masterPort, 29511);
  }
}

TEST(RankDiscovery, OrderIsFlagsThenOpenMpiThenPmiThenSlurmThenTorchrun) {
  std::map<std::string, std::string> env{{"OMPI_COMM_WORLD_RANK", "1"},
                                         {"OMPI_COMM_WORLD_SIZE", "2"},
                                         {"PMI_RANK", "2"},
                                         {"PMI_SIZE", "3"},
                                         {"SLURM_PROCID", "3"},
                                         {"SLURM_NTASKS", "4"},
                                         {"SLURM_LOCALID", "1"},
                                         {"RANK", "4"},
                                         {"WORLD_SIZE", "5"},
                                         {"MASTER_PORT", "29500"}};
  EXPECT_EQ(discoverRanks({}, envOf(env)).source, "openmpi");
  env.erase("OMPI_COMM_WORLD_RANK");
  EXPECT_EQ(discoverRanks({}, envOf(env)).source, "pmi");
  env.erase("PMI_RANK");
  const RankInfo slurm = discoverRanks({}, envOf(env));
  EXPECT_EQ(slurm.source, "slurm");
  EXPECT_EQ(slurm.localRank, 1);
  env.erase("SLURM_PROCID");
  EXPECT_EQ(discoverRanks({}, envOf(env)).rank, 4);
  RankFlags flags;
  flags.rank = 0;
  flags.size = 2;
  flags.masterAddr = "10.0.0.1";
  const RankInfo fromFlags = discoverRanks(flags, envOf(env));
  EXPECT_EQ(fromFlags.source, "flags");
  EXPECT_EQ(fromFlags.size, 2);
  EXPECT_EQ(fromFlags.masterAddr, "10.0.0.1");
}

TEST(RankDiscovery, UnderSrunTheStoreIsTheFirstNodeAndAJobDerivedPort) {
  EXPECT_EQ(firstSlurmHost("node[07-09,12],gpu1"), "node07");
  EXPECT_EQ(firstSlurmHost("gpu1,node[2-3]"), "gpu1");
  EXPECT_EQ(firstSlurmHost("localhost"), "localhost");
  std::map<std::string, std::string> env{{"SLURM_PROCID", "1"},
                                         {"SLURM_NTASKS", "2"},
                                         {"SLURM_JOB_ID", "4242"},
                                         {"SLURM_STEP_ID", "3"},
                                         {"SLURM_STEP_NODELIST", "cn[0101-0102]"}};
  const RankInfo first = discoverRanks({}, envOf(env));
  EXPECT_EQ(first.masterAddr, "cn0101");
  EXPECT_GE(first.masterPort, 15000);
  EXPECT_LT(first.masterPort, 35000);
  env["SLURM_STEP_ID"] = "4";  // another step of the job: another port
  EXPECT_NE(discoverRanks({}, envOf(env)).masterPort, first.masterPort);
  env["MASTER_PORT"] = "29500";  // explicit variables win
  EXPECT_EQ(discoverRanks({}, envOf(env)).masterPort, 29500);
}

TEST(RankDiscovery, BadValuesAreClearErrors) {
  EXPECT_THROW(discoverRanks({}, envOf({{"RANK", "x"}, {"WORLD_SIZE", "2"}})),
               std::invalid_argument);
  EXPECT_THROW(discoverRanks({}, envOf({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}})),
               std::invalid_argument);
  EXPECT_THROW(discoverRanks({}, envOf({{"SLURM_PROCID", "0"}})), std::invalid_argument);
  try {
    discoverRanks({}, envOf({{"RANK", "0"}, {"WORLD_SIZE", "2"}}));
    FAIL() << "no port accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("store port"), std::string::npos) << e.what();
  }
}

TEST(ProcessGroupSingle, CollectivesAreIdentity) {
  auto group = ProcessGroup::single();
  at::Tensor t = at::arange(6, at::kFloat).view({3, 2});
  group->allReduceSum(t);
  EXPECT_TRUE(t.equal(at::arange(6, at::kFloat).view({3, 2})));
  EXPECT_TRUE(group->allGather(t, {3}).equal(t));
  EXPECT_TRUE(group->reduceScatterSum(t, {3}).equal(t));
  EXPECT_EQ(group->allGatherCounts(7), std::vector<int64_t>{7});
}

}  // namespace
}  // namespace seqseg
