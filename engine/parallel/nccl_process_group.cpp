#include "engine/parallel/nccl_process_group.h"

#include <stdexcept>

#if SEQSEG_TORCH_HAS_CUDA
#include <algorithm>
#include <numeric>

#include <ATen/ATen.h>
#include <c10/cuda/CUDAFunctions.h>

#include "engine/parallel/c10d_compat.h"
#endif

namespace seqseg {

#if SEQSEG_TORCH_HAS_CUDA
namespace {

std::vector<int64_t> withRows(const at::Tensor& t, int64_t rows) {
  std::vector<int64_t> shape = t.sizes().vec();
  shape[0] = rows;
  return shape;
}

class NcclPendingOp : public PendingOp {
 public:
  NcclPendingOp(compat::NcclWork work, std::string what)
      : work_(std::move(work)), what_(std::move(what)) {}
  void wait() override {
    if (!work_) return;
    try {
      work_->wait();
    } catch (const std::exception& e) {
      throw CollectiveError(what_ + " failed: " + e.what(), {});
    }
    work_.reset();
  }

 private:
  compat::NcclWork work_;
  std::string what_;
};

class NcclProcessGroup : public ProcessGroup {
 public:
  NcclProcessGroup(const RankInfo& info, const ProcessGroupOptions& options, int device)
      : rank_(info.rank), size_(info.size), device_(device) {
    c10::cuda::set_device(static_cast<c10::DeviceIndex>(device_));
    nccl_ = compat::ncclGroup(info.masterAddr, info.masterPort, rank_, size_, options.timeout);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void allReduceSum(at::Tensor& tensor) override {
    std::vector<at::Tensor> buffers{onDevice(tensor)};
    countSent(2 * static_cast<uint64_t>(size_ - 1) * buffers[0].nbytes() / size_);
    complete("allReduceSum", nccl_->allreduce(buffers));
    if (!buffers[0].is_same(tensor)) tensor.copy_(buffers[0]);
  }

  at::Tensor allGather(const at::Tensor& tensor, const std::vector<int64_t>& counts) override {
    check("allGather", counts, tensor.size(0));
    at::Tensor local = onDevice(tensor);
    const bool even =
        std::all_of(counts.begin(), counts.end(), [&](int64_t c) { return c == counts[0]; });
    const int64_t total = std::accumulate(counts.begin(), counts.end(), int64_t{0});
    countSent(static_cast<uint64_t>(size_ - 1) * local.nbytes());
    if (even) {
      at::Tensor output = at::empty(withRows(local, total), local.options());
      complete("allGather", nccl_->_allgather_base(output, local));
      return output.to(tensor.device());
    }
    at::Tensor input = local.unsqueeze(0).expand(withRows(local.unsqueeze(0), size_)).contiguous();
    input = input.view(withRows(local, size_ * local.size(0)));
    return exchange("allGather", input, std::vector<int64_t>(size_, local.size(0)), counts)
        .to(tensor.device());
  }

  at::Tensor reduceScatterSum(const at::Tensor& tensor,
                              const std::vector<int64_t>& counts) override {
    const int64_t total = std::accumulate(counts.begin(), counts.end(), int64_t{0});
    if (tensor.dim() == 0 || tensor.size(0) != total)
      throw std::invalid_argument("reduceScatterSum: tensor must have sum(counts) rows");
    check("reduceScatterSum", counts, counts.at(rank_));
    at::Tensor input = onDevice(tensor);
    const bool even =
        std::all_of(counts.begin(), counts.end(), [&](int64_t c) { return c == counts[0]; });
    if (even) {  // NCCL's native reduce-scatter
      countSent(static_cast<uint64_t>(size_ - 1) * input.nbytes() / size_);
      at::Tensor output = at::empty(withRows(input, counts[rank_]), input.options());
      complete("reduceScatterSum", nccl_->_reduce_scatter_base(output, input));
      return output.to(tensor.device());
    }
    std::vector<int64_t> recvCounts(size_, counts[rank_]);
    const at::Tensor received = exchange("reduceScatterSum", input, counts, recvCounts);
    std::vector<int64_t> shape = withRows(tensor, counts[rank_]);
    shape.insert(shape.begin(), size_);
    return received.view(shape).sum(0).to(tensor.device());
  }

  at::Tensor allToAll(const at::Tensor& tensor, const std::vector<int64_t>& sendCounts,
                      const std::vector<int64_t>& recvCounts) override {
    check("allToAll", recvCounts, recvCounts.at(rank_));
    return exchange("allToAll", onDevice(tensor), sendCounts, recvCounts).to(tensor.device());
  }

  void send(const at::Tensor& tensor, int dst, int tag) override {
    sendAsync(tensor, dst, tag)->wait();
  }
  void recv(at::Tensor& tensor, int src, int tag) override { recvAsync(tensor, src, tag)->wait(); }
  // A receive started just before a send (a ring shift) goes to NCCL together with that send
  // in one group: issued one after the other, two ranks that exchange with each other on one
  // communicator would each wait for the other's send.
  std::unique_ptr<PendingOp> sendAsync(const at::Tensor& tensor, int dst, int tag) override {
    peer("send", dst);
    std::vector<at::Tensor> buffers{onDevice(tensor)};
    countSent(buffers[0].nbytes());
    const std::string what = "send to rank " + std::to_string(dst);
    if (!pendingRecv_) return std::make_unique<NcclPendingOp>(nccl_->send(buffers, dst, tag), what);
    nccl_->startCoalescing();
    std::vector<at::Tensor> recvBuffers{pendingRecv_->tensor};
    nccl_->recv(recvBuffers, pendingRecv_->src, pendingRecv_->tag);
    nccl_->send(buffers, dst, tag);
    pendingRecv_->work = nccl_->endCoalescing();
    pendingRecv_.reset();
    return std::make_unique<NcclPendingOp>(nullptr, what);  // the receive's wait covers both
  }
  std::unique_ptr<PendingOp> recvAsync(at::Tensor& tensor, int src, int tag) override {
    peer("recv", src);
    if (!tensor.is_cuda() || !tensor.is_contiguous())
      throw std::invalid_argument("NCCL recv needs a contiguous CUDA tensor");
    flushRecv();
    pendingRecv_ = std::make_shared<DeferredRecv>(DeferredRecv{tensor, src, tag, {}});
    return std::make_unique<DeferredRecvOp>(this, pendingRecv_,
                                            "recv from rank " + std::to_string(src));
  }
  void barrier() override {
    flushRecv();
    complete("barrier", nccl_->barrier());
  }

 private:
  struct DeferredRecv {
    at::Tensor tensor;
    int src, tag;
    compat::NcclWork work;  // set once issued
  };
  class DeferredRecvOp : public PendingOp {
   public:
    DeferredRecvOp(NcclProcessGroup* group, std::shared_ptr<DeferredRecv> recv, std::string what)
        : group_(group), recv_(std::move(recv)), what_(std::move(what)) {}
    void wait() override {
      if (!recv_->work) group_->flushRecv();
      NcclPendingOp(recv_->work, what_).wait();
    }

   private:
    NcclProcessGroup* group_;
    std::shared_ptr<DeferredRecv> recv_;
    std::string what_;
  };

  // Issues a deferred receive on its own.
  void flushRecv() {
    if (!pendingRecv_) return;
    std::vector<at::Tensor> buffers{pendingRecv_->tensor};
    pendingRecv_->work = nccl_->recv(buffers, pendingRecv_->src, pendingRecv_->tag);
    pendingRecv_.reset();
  }

  at::Tensor onDevice(const at::Tensor& t) const {
    return t.to(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device_))).contiguous();
  }
  void complete(const std::string& what, const compat::NcclWork& work) {
    NcclPendingOp(work, "rank " + std::to_string(rank_) + ": " + what).wait();
  }
  void peer(const std::string& what, int p) const {
    if (p < 0 || p >= size_ || p == rank_)
      throw std::invalid_argument(what + ": no such peer in a group of " + std::to_string(size_));
  }
  void check(const std::string& what, const std::vector<int64_t>& counts, int64_t own) const {
    if (static_cast<int>(counts.size()) != size_ || counts[rank_] != own)
      throw std::invalid_argument(what + ": counts do not match the group or this rank's rows");
  }
  at::Tensor exchange(const std::string& what, at::Tensor input, std::vector<int64_t> sendCounts,
                      std::vector<int64_t> recvCounts) {
    const int64_t rows = std::accumulate(recvCounts.begin(), recvCounts.end(), int64_t{0});
    at::Tensor output = at::empty(withRows(input, rows), input.options());
    const int64_t rowBytes =
        input.size(0) > 0 ? static_cast<int64_t>(input.nbytes()) / input.size(0) : 0;
    for (int j = 0; j < size_; ++j)
      if (j != rank_) countSent(static_cast<uint64_t>(sendCounts[j] * rowBytes));
    complete(what, nccl_->alltoall_base(output, input, recvCounts, sendCounts));
    return output;
  }

  int rank_, size_, device_;
  c10::intrusive_ptr<compat::NcclGroup> nccl_;
  std::shared_ptr<DeferredRecv> pendingRecv_;
};

}  // namespace

bool ncclAvailable() {
  return true;
}

std::shared_ptr<ProcessGroup> makeNcclProcessGroup(const RankInfo& info,
                                                   const ProcessGroupOptions& options,
                                                   int cudaDevice) {
  return std::make_shared<NcclProcessGroup>(info, options, cudaDevice);
}

#else

bool ncclAvailable() {
  return false;
}

std::shared_ptr<ProcessGroup> makeNcclProcessGroup(const RankInfo&, const ProcessGroupOptions&,
                                                   int) {
  throw std::invalid_argument("NCCL: this build's LibTorch has no CUDA");
}

#endif

}  // namespace seqseg
