#include "engine/parallel/process_group.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <numeric>
#include <sstream>
#include <thread>

#include <ATen/ATen.h>

#include "engine/parallel/c10d_compat.h"
#include "engine/parallel/host_address.h"
#include "engine/parallel/nccl_process_group.h"

namespace seqseg {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kHeartbeatInterval{500};
// How long a counter must stand still before its rank counts as dead or hung.
constexpr milliseconds kHeartbeatWindow{2000};

int parseInt(const std::string& what, const std::string& text) {
  std::size_t used = 0;
  long value = 0;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < 0 || value > 1000000)
    throw std::invalid_argument(what + " = '" + text + "' is not a non-negative integer");
  return static_cast<int>(value);
}

// An exception's message without c10's backtrace.
std::string errorText(const std::exception& e) {
  if (const auto* c10Error = dynamic_cast<const c10::Error*>(&e))
    return c10Error->what_without_backtrace();
  return e.what();
}

std::string joinRanks(const std::vector<int>& ranks) {
  std::string out;
  for (size_t i = 0; i < ranks.size(); ++i) {
    if (i > 0) out += i + 1 == ranks.size() ? " and " : ", ";
    out += std::to_string(ranks[i]);
  }
  return out;
}

std::vector<int64_t> withRows(const at::Tensor& t, int64_t rows) {
  std::vector<int64_t> shape = t.sizes().vec();
  shape[0] = rows;
  return shape;
}

// Gloo wants contiguous host tensors.
at::Tensor hostContiguous(const at::Tensor& t) {
  return t.device().is_cpu() ? t.contiguous() : t.to(at::kCPU).contiguous();
}

class SingleProcessGroup : public ProcessGroup {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allReduceSum(at::Tensor&) override {}
  at::Tensor allGather(const at::Tensor& tensor, const std::vector<int64_t>& counts) override {
    check(counts, tensor);
    return tensor.clone();
  }
  at::Tensor reduceScatterSum(const at::Tensor& tensor,
                              const std::vector<int64_t>& counts) override {
    check(counts, tensor);
    return tensor.clone();
  }
  at::Tensor allToAll(const at::Tensor& tensor, const std::vector<int64_t>& sendCounts,
                      const std::vector<int64_t>& recvCounts) override {
    check(sendCounts, tensor);
    check(recvCounts, tensor);
    return tensor.clone();
  }
  void send(const at::Tensor&, int, int) override { noPeer(); }
  void recv(at::Tensor&, int, int) override { noPeer(); }
  std::unique_ptr<PendingOp> sendAsync(const at::Tensor&, int, int) override { noPeer(); }
  std::unique_ptr<PendingOp> recvAsync(at::Tensor&, int, int) override { noPeer(); }
  void barrier() override {}

 private:
  static void check(const std::vector<int64_t>& counts, const at::Tensor& t) {
    if (counts.size() != 1 || counts[0] != t.size(0))
      throw std::invalid_argument("process group of one: counts must be {size(0)}");
  }
  [[noreturn]] static void noPeer() {
    throw std::invalid_argument("process group of one: there is no peer to send to");
  }
};

class GlooProcessGroup;

class GlooPendingOp : public PendingOp {
 public:
  GlooPendingOp(GlooProcessGroup* group, compat::GlooWork work, at::Tensor staged,
                at::Tensor target, std::string what)
      : group_(group),
        work_(std::move(work)),
        staged_(std::move(staged)),
        target_(std::move(target)),
        what_(std::move(what)) {}
  void wait() override;

 private:
  GlooProcessGroup* group_;
  compat::GlooWork work_;
  at::Tensor staged_;  // the host buffer Gloo reads or writes
  at::Tensor target_;  // for recv: where the result belongs (undefined when it is staged_)
  std::string what_;
  bool done_ = false;
};

class GlooProcessGroup : public ProcessGroup {
 public:
  GlooProcessGroup(const RankInfo& info, const ProcessGroupOptions& options)
      : rank_(info.rank), size_(info.size), timeout_(options.timeout) {
    if (info.masterPort <= 0 || info.masterPort > 65535)
      throw std::invalid_argument("process group: a store port in 1..65535 is needed for " +
                                  std::to_string(info.size) + " ranks");
    const std::string self = "rank " + std::to_string(rank_) + " of " + std::to_string(size_);
    const std::string store = info.masterAddr + ":" + std::to_string(info.masterPort);
    // The other ranks first wait for the store to answer themselves, so that an unreachable
    // one is this one line rather than c10d's log of its retries.
    try {
      if (rank_ != 0) waitForListener(info.masterAddr, info.masterPort, timeout_);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(self + ": " + e.what());
    }
    try {
      store_ = compat::tcpStore(info.masterAddr, info.masterPort, rank_ == 0, size_, timeout_);
    } catch (const std::exception& e) {
      // A wrong MASTER_ADDR/MASTER_PORT or a network between the hosts that does not pass.
      throw std::invalid_argument(
          self +
          (rank_ == 0 ? ": cannot start the store on port " + std::to_string(info.masterPort)
                      : ": cannot reach the store of rank 0 at " + store + " within " +
                            std::to_string(timeout_.count() / 1000) + " s") +
          ": " + errorText(e));
    }
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>("seqseg/pg", store_);
    c10::intrusive_ptr<compat::GlooGroup::Options> glooOptions;
    try {
      glooOptions = compat::glooOptions(options.bindHost, timeout_, options.glooThreads);
    } catch (const std::exception& e) {
      throw std::invalid_argument(self + ": Gloo cannot bind '" + options.bindHost +
                                  "': " + errorText(e));
    }
    gloo_ = c10::make_intrusive<compat::GlooGroup>(prefixed, rank_, size_, glooOptions);
    if (options.heartbeat) {
      beatStore_ = compat::tcpStore(info.masterAddr, info.masterPort, false, size_, timeout_);
      beatThread_ = std::thread([this] { beatLoop(); });
    }
  }

  ~GlooProcessGroup() override {
    {
      std::lock_guard<std::mutex> lock(beatMutex_);
      stopping_ = true;
    }
    beatCv_.notify_all();
    if (beatThread_.joinable()) beatThread_.join();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void allReduceSum(at::Tensor& tensor) override {
    ensureUsable("allReduceSum");
    std::vector<at::Tensor> buffers{hostContiguous(tensor)};
    countSent(2 * static_cast<uint64_t>(size_ - 1) * buffers[0].nbytes() / size_);
    complete("allReduceSum", gloo_->allreduce(buffers));
    if (!buffers[0].is_same(tensor)) tensor.copy_(buffers[0]);
  }

  at::Tensor allGather(const at::Tensor& tensor, const std::vector<int64_t>& counts) override {
    checkCounts("allGather", counts, tensor.size(0));
    const at::Tensor local = hostContiguous(tensor);
    // Every peer gets the whole local block: alltoall with the block repeated size_ times.
    at::Tensor input = local.unsqueeze(0).expand(withRows(local.unsqueeze(0), size_)).contiguous();
    input = input.view(withRows(local, size_ * local.size(0)));
    std::vector<int64_t> sendCounts(size_, local.size(0));
    return exchange("allGather", input, sendCounts, counts).to(tensor.device());
  }

  at::Tensor reduceScatterSum(const at::Tensor& tensor,
                              const std::vector<int64_t>& counts) override {
    const int64_t total = std::accumulate(counts.begin(), counts.end(), int64_t{0});
    if (tensor.dim() == 0 || tensor.size(0) != total)
      throw std::invalid_argument("reduceScatterSum: tensor must have sum(counts) rows");
    checkCounts("reduceScatterSum", counts, counts.at(rank_));
    std::vector<int64_t> recvCounts(size_, counts[rank_]);
    const at::Tensor received =
        exchange("reduceScatterSum", hostContiguous(tensor), counts, recvCounts);
    std::vector<int64_t> shape = withRows(tensor, counts[rank_]);
    shape.insert(shape.begin(), size_);
    return received.view(shape).sum(0).to(tensor.device());
  }

  at::Tensor allToAll(const at::Tensor& tensor, const std::vector<int64_t>& sendCounts,
                      const std::vector<int64_t>& recvCounts) override {
    const int64_t total = std::accumulate(sendCounts.begin(), sendCounts.end(), int64_t{0});
    if (tensor.dim() == 0 || tensor.size(0) != total)
      throw std::invalid_argument("allToAll: tensor must have sum(sendCounts) rows");
    checkCounts("allToAll", recvCounts, recvCounts.at(rank_));
    return exchange("allToAll", hostContiguous(tensor), sendCounts, recvCounts).to(tensor.device());
  }

  void send(const at::Tensor& tensor, int dst, int tag) override {
    sendAsync(tensor, dst, tag)->wait();
  }
  void recv(at::Tensor& tensor, int src, int tag) override { recvAsync(tensor, src, tag)->wait(); }

  std::unique_ptr<PendingOp> sendAsync(const at::Tensor& tensor, int dst, int tag) override {
    const std::string what = "send to rank " + std::to_string(dst);
    checkPeer(what, dst);
    std::vector<at::Tensor> buffers{hostContiguous(tensor)};
    countSent(buffers[0].nbytes());
    compat::GlooWork work;
    try {
      work = gloo_->send(buffers, dst, tag);
    } catch (const std::exception& e) {
      fail(what, errorText(e));
    }
    return std::make_unique<GlooPendingOp>(this, std::move(work), buffers[0], at::Tensor(), what);
  }

  std::unique_ptr<PendingOp> recvAsync(at::Tensor& tensor, int src, int tag) override {
    const std::string what = "recv from rank " + std::to_string(src);
    checkPeer(what, src);
    const bool direct = tensor.device().is_cpu() && tensor.is_contiguous();
    std::vector<at::Tensor> buffers{direct ? tensor : at::empty_like(tensor, at::kCPU)};
    compat::GlooWork work;
    try {
      work = gloo_->recv(buffers, src, tag);
    } catch (const std::exception& e) {
      fail(what, errorText(e));
    }
    return std::make_unique<GlooPendingOp>(this, std::move(work), buffers[0],
                                           direct ? at::Tensor() : tensor, what);
  }

  void barrier() override {
    ensureUsable("barrier");
    complete("barrier", gloo_->barrier());
  }

  // Waits for work under the timeout; on failure marks the group broken and throws.
  void complete(const std::string& what, const compat::GlooWork& work) {
    try {
      work->wait(timeout_ + milliseconds(5000));
    } catch (const std::exception& e) {
      fail(what, errorText(e));
    }
  }

  [[noreturn]] void fail(const std::string& what, const std::string& cause) {
    if (broken_.exchange(true)) throw CollectiveError(brokenMessage(what), deadRanks_);
    std::string note;
    deadRanks_ = diagnose(note);
    std::ostringstream message;
    message << "rank " << rank_ << " of " << size_ << ": " << what << " failed: ";
    if (deadRanks_.empty()) {
      message << "every peer still answers";
    } else {
      message << (deadRanks_.size() == 1 ? "rank " : "ranks ") << joinRanks(deadRanks_)
              << (deadRanks_.size() == 1 ? " is" : " are") << " dead or hung";
    }
    message << note << " [" << cause << "]";
    firstError_ = message.str();
    throw CollectiveError(firstError_, deadRanks_);
  }

 private:
  void ensureUsable(const std::string& what) {
    if (broken_) throw CollectiveError(brokenMessage(what), deadRanks_);
  }
  std::string brokenMessage(const std::string& what) const {
    return "rank " + std::to_string(rank_) + ": " + what +
           " refused: the process group failed earlier: " + firstError_;
  }

  void checkPeer(const std::string& what, int peer) {
    ensureUsable(what);
    if (peer < 0 || peer >= size_ || peer == rank_)
      throw std::invalid_argument(what + ": no such peer in a group of " + std::to_string(size_));
  }

  void checkCounts(const std::string& what, const std::vector<int64_t>& counts, int64_t own) {
    ensureUsable(what);
    if (static_cast<int>(counts.size()) != size_)
      throw std::invalid_argument(what + ": " + std::to_string(counts.size()) +
                                  " counts for a group of " + std::to_string(size_));
    if (counts[rank_] != own)
      throw std::invalid_argument(what + ": counts[" + std::to_string(rank_) +
                                  "] = " + std::to_string(counts[rank_]) + " but this rank holds " +
                                  std::to_string(own) + " rows");
    for (int64_t c : counts)
      if (c < 0) throw std::invalid_argument(what + ": negative count");
  }

  at::Tensor exchange(const std::string& what, at::Tensor input, std::vector<int64_t> sendCounts,
                      std::vector<int64_t> recvCounts) {
    const int64_t rows = std::accumulate(recvCounts.begin(), recvCounts.end(), int64_t{0});
    at::Tensor output = at::empty(withRows(input, rows), input.options());
    const int64_t rowBytes =
        input.size(0) > 0 ? static_cast<int64_t>(input.nbytes()) / input.size(0) : 0;
    for (int j = 0; j < size_; ++j)
      if (j != rank_) countSent(static_cast<uint64_t>(sendCounts[j] * rowBytes));
    compat::GlooWork work;
    try {
      work = gloo_->alltoall_base(output, input, recvCounts, sendCounts);
    } catch (const std::exception& e) {
      fail(what, errorText(e));
    }
    complete(what, work);
    return output;
  }

  std::string beatKey(int r) const { return "seqseg/heartbeat/" + std::to_string(r); }
  static constexpr const char* kVerdictKey = "seqseg/verdict";

  // Bumps this rank's counter and caches the first failure verdict any rank published, so that
  // the verdict survives rank 0 (and its store) going away.
  void beatLoop() {
    std::unique_lock<std::mutex> lock(beatMutex_);
    while (!stopping_) {
      try {
        std::lock_guard<std::mutex> storeLock(storeMutex_);
        beatStore_->add(beatKey(rank_), 1);
        if (cachedVerdict_.empty() && beatStore_->check({kVerdictKey}))
          cachedVerdict_ = beatStore_->get(kVerdictKey);
      } catch (const std::exception&) {
        return;  // the store is gone: the job is ending or rank 0 died
      }
      beatCv_.wait_for(lock, kHeartbeatInterval, [this] { return stopping_; });
    }
  }

  static std::vector<int> parseVerdict(const std::vector<uint8_t>& bytes) {
    std::vector<int> ranks;
    std::istringstream in(std::string(bytes.begin(), bytes.end()));
    for (int r; in >> r;) ranks.push_back(r);
    return ranks;
  }

  // The ranks to blame: a verdict another rank already published, else the ranks whose
  // heartbeat counter stands still over kHeartbeatWindow (published for the others), else,
  // when the store is unreachable, rank 0, which hosts it.
  std::vector<int> diagnose(std::string& note) {
    if (!beatStore_) return {};
    std::vector<int> dead;
    try {
      {
        std::lock_guard<std::mutex> storeLock(storeMutex_);
        if (beatStore_->check({kVerdictKey})) return parseVerdict(beatStore_->get(kVerdictKey));
      }
      auto read = [&] {
        std::lock_guard<std::mutex> storeLock(storeMutex_);
        std::vector<int64_t> beats(size_);
        for (int r = 0; r < size_; ++r) beats[r] = r == rank_ ? 0 : beatStore_->add(beatKey(r), 0);
        return beats;
      };
      const auto before = read();
      std::this_thread::sleep_for(kHeartbeatWindow);
      const auto after = read();
      std::string verdict;
      for (int r = 0; r < size_; ++r) {
        if (r == rank_ || after[r] != before[r]) continue;
        dead.push_back(r);
        verdict += std::to_string(r) + " ";
      }
      std::lock_guard<std::mutex> storeLock(storeMutex_);
      if (!dead.empty() && !beatStore_->check({kVerdictKey}))
        beatStore_->set(kVerdictKey, std::vector<uint8_t>(verdict.begin(), verdict.end()));
    } catch (const std::exception&) {
      std::lock_guard<std::mutex> storeLock(storeMutex_);
      if (!cachedVerdict_.empty()) {
        note = " (verdict published before the store went away)";
        return parseVerdict(cachedVerdict_);
      }
      note = " (rank 0 hosts the store, which is unreachable)";
      return {0};
    }
    // Rank 0 hosts the store: keep it up a little so that the other ranks read the verdict.
    if (rank_ == 0 && !dead.empty()) std::this_thread::sleep_for(3 * kHeartbeatInterval);
    return dead;
  }

  int rank_, size_;
  milliseconds timeout_;
  c10::intrusive_ptr<c10d::TCPStore> store_, beatStore_;
  c10::intrusive_ptr<compat::GlooGroup> gloo_;
  std::thread beatThread_;
  std::mutex beatMutex_;   // stopping_ and the wake-up of the heartbeat thread
  std::mutex storeMutex_;  // beatStore_ and cachedVerdict_
  std::condition_variable beatCv_;
  bool stopping_ = false;
  std::atomic<bool> broken_{false};
  std::vector<uint8_t> cachedVerdict_;
  std::vector<int> deadRanks_;
  std::string firstError_;
};

void GlooPendingOp::wait() {
  if (done_) return;
  done_ = true;
  group_->complete(what_, work_);
  if (target_.defined()) target_.copy_(staged_);
}

}  // namespace

EnvLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::string firstSlurmHost(const std::string& nodeList) {
  // "node[07-09,12],gpu1" -> "node07": the prefix, then the first number of a bracket.
  const size_t comma = nodeList.find(',');
  const size_t bracket = nodeList.find('[');
  if (bracket == std::string::npos || (comma != std::string::npos && comma < bracket))
    return nodeList.substr(0, comma);
  const size_t end = nodeList.find_first_of("-,]", bracket + 1);
  return nodeList.substr(0, bracket) + nodeList.substr(bracket + 1, end - bracket - 1);
}

void setLocalRankEnvironment(int rank, int ranks, int port) {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "PMI_RANK", "PMI_SIZE",
                           "SLURM_PROCID", "SLURM_NTASKS"})
    unsetenv(name);
  setenv("RANK", std::to_string(rank).c_str(), 1);
  setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
  setenv("WORLD_SIZE", std::to_string(ranks).c_str(), 1);
  setenv("LOCAL_WORLD_SIZE", std::to_string(ranks).c_str(), 1);
  setenv("MASTER_ADDR", "127.0.0.1", 1);
  setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
}

RankInfo discoverRanks(const RankFlags& flags, const EnvLookup& env) {
  RankInfo info;
  auto required = [&](const std::string& name, const std::string& because) {
    auto value = env(name);
    if (!value) throw std::invalid_argument(because + " is set but " + name + " is not");
    return parseInt(name, *value);
  };
  auto optionalInt = [&](const std::string& name, int fallback) {
    auto value = env(name);
    return value ? parseInt(name, *value) : fallback;
  };
  struct Scheme {
    const char* source;
    const char* rank;
    const char* size;
    const char* local;
  };
  const Scheme schemes[] = {
      {"openmpi", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"},
      {"pmi", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID"},
      {"slurm", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"},
      {"torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK"},
  };
  for (const Scheme& s : schemes) {
    auto rank = env(s.rank);
    if (!rank) continue;
    info.source = s.source;
    info.rank = parseInt(s.rank, *rank);
    info.size = required(s.size, s.rank);
    info.localRank = optionalInt(s.local, 0);
    break;
  }
  if (auto addr = env("MASTER_ADDR")) info.masterAddr = *addr;
  if (auto port = env("MASTER_PORT")) info.masterPort = parseInt("MASTER_PORT", *port);
  if (info.source == "slurm" && info.size > 1 && !env("MASTER_PORT")) {
    // srun gives no store address: every task derives the same one, rank 0's node (the first of
    // the step's node list) and a port fixed by the job and step ids.
    const auto nodes =
        env("SLURM_STEP_NODELIST") ? env("SLURM_STEP_NODELIST") : env("SLURM_JOB_NODELIST");
    if (nodes && !env("MASTER_ADDR")) info.masterAddr = firstSlurmHost(*nodes);
    if (auto job = env("SLURM_JOB_ID")) {
      const int step = optionalInt("SLURM_STEP_ID", 0);
      info.masterPort = 15000 + (parseInt("SLURM_JOB_ID", *job) * 7 + step) % 20000;
    }
  }

  if (flags.rank || flags.size) info.source = "flags";
  if (flags.rank) info.rank = *flags.rank;
  if (flags.size) info.size = *flags.size;
  if (flags.localRank) info.localRank = *flags.localRank;
  if (flags.masterAddr) info.masterAddr = *flags.masterAddr;
  if (flags.masterPort) info.masterPort = *flags.masterPort;

  if (info.size < 1)
    throw std::invalid_argument("rank discovery (" + info.source + "): world size must be >= 1");
  if (info.rank < 0 || info.rank >= info.size)
    throw std::invalid_argument("rank discovery (" + info.source + "): rank " +
                                std::to_string(info.rank) + " is outside [0, " +
                                std::to_string(info.size) + ")");
  if (info.size > 1 && (info.masterPort <= 0 || info.masterPort > 65535))
    throw std::invalid_argument("rank discovery (" + info.source +
                                "): " + std::to_string(info.size) +
                                " ranks need a store port (--master-port or MASTER_PORT)");
  if (info.masterAddr.empty()) throw std::invalid_argument("rank discovery: empty store address");
  return info;
}

std::shared_ptr<ProcessGroup> ProcessGroup::create(const RankInfo& info,
                                                   const ProcessGroupOptions& options) {
  if (info.size == 1) return single();
  if (options.cudaDevice >= 0) return makeNcclProcessGroup(info, options, options.cudaDevice);
  return std::make_shared<GlooProcessGroup>(info, options);
}

std::shared_ptr<ProcessGroup> ProcessGroup::single() {
  return std::make_shared<SingleProcessGroup>();
}

std::vector<int64_t> ProcessGroup::allGatherCounts(int64_t value) {
  const at::Tensor mine = at::full({1}, value, at::TensorOptions().dtype(at::kLong));
  const at::Tensor all = allGather(mine, std::vector<int64_t>(size(), 1));
  return std::vector<int64_t>(all.data_ptr<int64_t>(), all.data_ptr<int64_t>() + all.numel());
}

int freeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("could not bind a loopback port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace seqseg
