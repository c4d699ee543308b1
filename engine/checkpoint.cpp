#include "engine/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/read_adapter_interface.h>
#include <torch/csrc/jit/serialization/import_read.h>
#include <torch/optim/adamw.h>
#include <torch/serialize.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <type_traits>

#include "engine/torch_compat.h"
#include "engine/zip_integrity.h"
#include "types/atomic_file.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

using TensorDict = c10::Dict<std::string, at::Tensor>;

// A pickled dict with string keys, whatever key and value types its pickle recorded (one written
// by Python's torch.save is a Dict[Any, Any]; LibTorch's own cast would assert on it).
template <typename Value>
c10::Dict<std::string, Value> stringKeyed(const std::string& path, const c10::IValue& value,
                                          const std::string& what) {
  if (!value.isGenericDict()) throw InputError(path, what + " is not a dict");
  c10::impl::GenericDict out(c10::StringType::get(), c10::getTypePtr<Value>());
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString()) throw InputError(path, what + " has a key that is not a string");
    if (std::is_same_v<Value, at::Tensor> && !entry.value().isTensor())
      throw InputError(path, what + "'s " + entry.key().toStringRef() + " is not a tensor");
    out.insert(entry.key(), entry.value());
  }
  return c10::impl::toTypedDict<std::string, Value>(std::move(out));
}

// The checkpoint's bytes for LibTorch's zip reader. torch::pickle_load's own reader copies
// whatever length the zip code asks for, past the end of the data when the file is not a zip
// archive or its directory is damaged (found by fuzzing under AddressSanitizer); this one gives
// what there is, and the zip code then reports the short read.
class BoundedReader : public caffe2::serialize::ReadAdapterInterface {
 public:
  explicit BoundedReader(const std::vector<char>& bytes) : bytes_(bytes) {}
  size_t size() const override { return bytes_.size(); }
  size_t read(uint64_t pos, void* buf, size_t n, const char* /*what*/) const override {
    if (pos >= bytes_.size()) return 0;
    const size_t length = std::min<uint64_t>(n, bytes_.size() - pos);
    std::memcpy(buf, bytes_.data() + pos, length);
    return length;
  }

 private:
  const std::vector<char>& bytes_;
};

// torch::pickle_load with the bounded reader: the archive's "data" pickle and its tensors.
c10::IValue pickleLoad(const std::vector<char>& bytes) {
  caffe2::serialize::PyTorchStreamReader reader(std::make_shared<BoundedReader>(bytes));
  return torch::jit::readArchiveAndTensors("data", /*pickle_prefix=*/"", /*tensor_prefix=*/"",
                                           /*type_resolver=*/c10::nullopt,
                                           /*obj_loader=*/c10::nullopt, /*device=*/c10::nullopt,
                                           reader);
}

c10::Dict<std::string, c10::IValue> readDict(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "model checkpoint not found or not readable");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  if (bytes.empty()) throw InputError(path, "model checkpoint is empty");
  if (const std::string problem = zipIntegrityProblem(bytes); !problem.empty())
    throw InputError(path, "model checkpoint is corrupt: " + problem);
  c10::IValue value;
  try {
    value = pickleLoad(bytes);
  } catch (const std::exception&) {
    throw InputError(path, "is not a seqseg model checkpoint (unreadable archive)");
  }
  if (!value.isGenericDict()) throw InputError(path, "is not a seqseg model checkpoint");
  auto dict = stringKeyed<c10::IValue>(path, value, "the checkpoint");
  if (!dict.contains("format") || !dict.at("format").isString() ||
      dict.at("format").toStringRef() != kCheckpointFormat)
    throw InputError(path, "is not a seqseg model checkpoint (format " +
                               std::string(kCheckpointFormat) + " expected)");
  return dict;
}

Checkpoint infoOf(const std::string& path, const c10::Dict<std::string, c10::IValue>& dict) {
  Checkpoint info;
  try {
    info.config = ModelConfig::fromJson(nlohmann::json::parse(dict.at("config").toStringRef()));
    info.meta = nlohmann::json::parse(dict.at("meta").toStringRef());
  } catch (const std::exception& error) {
    throw InputError(path, std::string("checkpoint config is invalid: ") + error.what());
  }
  if (info.meta.contains("temperature")) {
    const nlohmann::json& temperature = info.meta["temperature"];
    if (!temperature.is_number() || !std::isfinite(temperature.get<double>()) ||
        temperature.get<double>() <= 0)
      throw InputError(
          path, "the checkpoint's temperature " + temperature.dump() + " is not a positive number");
    info.temperature = temperature.get<double>();
  }
  return info;
}

// startsSkip: the checkpoint is the model without its voxel skip, whose weights keep their start.
void loadWeights(const std::string& path, const c10::Dict<std::string, c10::IValue>& dict,
                 ViTSegmenter& model, bool startsSkip = false) {
  if (!dict.contains("model")) throw InputError(path, "checkpoint has no model weights");
  const auto weights = stringKeyed<at::Tensor>(path, dict.at("model"), "the checkpoint's model");
  torch::NoGradGuard noGrad;
  for (auto& item : model->named_parameters()) {
    if (startsSkip && item.key().rfind("decoder.voxel_skip_", 0) == 0) continue;
    if (!weights.contains(item.key()))
      throw InputError(path, "checkpoint lacks weights for " + item.key());
    const at::Tensor stored = weights.at(item.key());
    if (stored.sizes() != item.value().sizes())
      throw InputError(path, "checkpoint weights for " + item.key() + " have another shape");
    item.value().copy_(stored);
  }
}

}  // namespace

void saveCheckpoint(const std::string& path, ViTSegmenter& model, const nlohmann::json& meta,
                    torch::optim::AdamW* optimizer) {
  c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
  dict.insert("format", std::string(kCheckpointFormat));
  dict.insert("config", model->config().toJson().dump());
  dict.insert("meta", meta.dump());
  TensorDict weights;
  for (const auto& item : model->named_parameters())
    weights.insert(item.key(), item.value().detach().cpu().clone());
  dict.insert("model", weights);
  if (optimizer) {
    TensorDict state;
    auto& states = optimizer->state();
    for (const auto& item : model->named_parameters()) {
      const auto found = states.find(compat::optimizerStateKey(*optimizer, item.value()));
      if (found == states.end()) continue;
      auto& s = static_cast<torch::optim::AdamWParamState&>(*found->second);
      state.insert(item.key() + ".exp_avg", s.exp_avg().cpu().clone());
      state.insert(item.key() + ".exp_avg_sq", s.exp_avg_sq().cpu().clone());
      state.insert(item.key() + ".step", at::tensor(s.step(), at::kLong));
    }
    dict.insert("optimizer", state);
    dict.insert("torch_rng", at::detail::getDefaultCPUGenerator().get_state());
  }
  const std::vector<char> bytes = torch::pickle_save(dict);
  AtomicFile out(path);
  {
    std::ofstream stream(out.temporaryPath(), std::ios::binary);
    stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!stream) throw InputError(path, "write failed (disk full or not writable?)");
  }
  out.commit();
}

namespace {

// LibTorch reports a pickle of the wrong shape (a key missing, a value of another type) with a
// c10::Error whose text carries a C++ backtrace: one line naming the file instead.
template <typename Load>
auto refusingMalformed(const std::string& path, Load load) -> decltype(load()) {
  try {
    return load();
  } catch (const c10::Error& error) {
    const std::string what = error.what_without_backtrace();
    throw InputError(
        path, "is not a valid seqseg model checkpoint (" + what.substr(0, what.find('\n')) + ")");
  }
}

}  // namespace

Checkpoint readCheckpointInfo(const std::string& path) {
  return refusingMalformed(path, [&] { return infoOf(path, readDict(path)); });
}

ViTSegmenter loadModel(const std::string& path, Checkpoint* info) {
  return refusingMalformed(path, [&] {
    const auto dict = readDict(path);
    const Checkpoint checkpoint = infoOf(path, dict);
    ViTSegmenter model(checkpoint.config);
    loadWeights(path, dict, model);
    if (info) *info = checkpoint;
    return model;
  });
}

nlohmann::json restoreWeights(const std::string& path, ViTSegmenter& model) {
  return refusingMalformed(path, [&] {
    const auto dict = readDict(path);
    const Checkpoint checkpoint = infoOf(path, dict);
    const bool startsSkip = addsOnlyVoxelSkip(checkpoint.config, model->config());
    const ConfigDifference difference = firstDifference(checkpoint.config, model->config());
    if (!difference.field.empty() && !startsSkip)
      throw InputError(path, "the checkpoint is another model: its " + difference.field + " is " +
                                 difference.first + ", not " + difference.second);
    loadWeights(path, dict, model, startsSkip);
    return checkpoint.meta;
  });
}

static nlohmann::json restoreTrainingState(const std::string& path, ViTSegmenter& model,
                                           torch::optim::AdamW& optimizer) {
  const auto dict = readDict(path);
  const Checkpoint checkpoint = infoOf(path, dict);
  if (checkpoint.config != model->config())
    throw InputError(path, "checkpoint was made for another model config");
  loadWeights(path, dict, model);
  if (dict.contains("optimizer")) {
    const auto state = stringKeyed<at::Tensor>(path, dict.at("optimizer"), "the optimizer state");
    auto& states = optimizer.state();
    for (const auto& item : model->named_parameters()) {
      if (!state.contains(item.key() + ".step")) continue;
      auto s = std::make_unique<torch::optim::AdamWParamState>();
      s->step(state.at(item.key() + ".step").item<int64_t>());
      // Checkpoints hold CPU tensors; the moments live where their parameter does.
      const auto device = item.value().device();
      s->exp_avg(state.at(item.key() + ".exp_avg").to(device, false, true));
      s->exp_avg_sq(state.at(item.key() + ".exp_avg_sq").to(device, false, true));
      states[compat::optimizerStateKey(optimizer, item.value())] = std::move(s);
    }
  }
  if (dict.contains("torch_rng")) {
    at::Generator generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(dict.at("torch_rng").toTensor());
  }
  return checkpoint.meta;
}

nlohmann::json restoreTraining(const std::string& path, ViTSegmenter& model,
                               torch::optim::AdamW& optimizer) {
  return refusingMalformed(path, [&] { return restoreTrainingState(path, model, optimizer); });
}

}  // namespace seqseg
