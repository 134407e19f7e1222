#include "pretrained/gpt2_checkpoint.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "base/crc32.h"
#include "base/errors.h"
#include "base/json.h"

namespace spotlight {

namespace {

const std::string prefix = "transformer.";
const std::string file = "model.safetensors";

// "[768, 2304]"
std::string describe_shape(const std::vector<std::uint64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// The model reads F32, F16 and BF16 (convert_to_float).
void require_float_dtype(const SafetensorsTensor& tensor) {
  require(tensor.dtype == SafetensorsDtype::F32 || tensor.dtype == SafetensorsDtype::F16 ||
              tensor.dtype == SafetensorsDtype::BF16,
          tensor.name, ": dtype ", tensor.dtype_name, " is not supported; F32, F16 and BF16 are");
}

// The reader and the writer both: transformers' GPT2LMHeadModel has no model without LayerNorm.
void require_layer_norm(const TransformerConfig& config) {
  require(config.layer_norm, "a model without LayerNorm has no GPT-2 checkpoint: transformers' ",
          "GPT2LMHeadModel always normalises");
}

// One of the buffers that transformers kept in each layer besides its parameters, and read past
// here: the shape it must have, and what says so.
struct Gpt2Buffer {
  std::vector<std::uint64_t> shape;
  std::string kind;    // " (the causal mask)", or ""
  std::string reason;  // "config.json's n_positions 1024 means"
};

}  // namespace

std::vector<Gpt2Tensor> gpt2_tensors(const TransformerConfig& config) {
  validate_model_config(config);
  const auto d = static_cast<std::uint64_t>(config.d_model);
  const auto wide = static_cast<std::uint64_t>(config.d_mlp());
  std::vector<Gpt2Tensor> tensors;
  const auto add = [&](std::string name, std::vector<std::uint64_t> shape,
                       std::vector<std::string> parameters) {
    tensors.push_back({std::move(name), std::move(shape), std::move(parameters)});
  };
  add("wte.weight", {static_cast<std::uint64_t>(config.vocab_size), d}, {"wte"});
  add("wpe.weight", {static_cast<std::uint64_t>(config.context_length), d}, {"wpe"});
  for (Index layer = 0; layer < config.n_layers; ++layer) {
    const std::string h = "h." + std::to_string(layer) + ".";
    // Without an MLP (the tiny model's option), the file holds one of zeros.
    const auto mlp = [&](const char* name) { return config.mlp ? h + name : std::string(); };
    add(h + "ln_1.weight", {d}, {h + "ln_1.weight"});
    add(h + "ln_1.bias", {d}, {h + "ln_1.bias"});
    add(h + "attn.c_attn.weight", {d, 3 * d}, {h + "attn.wq", h + "attn.wk", h + "attn.wv"});
    add(h + "attn.c_attn.bias", {3 * d}, {h + "attn.bq", h + "attn.bk", h + "attn.bv"});
    add(h + "attn.c_proj.weight", {d, d}, {h + "attn.wo"});
    add(h + "attn.c_proj.bias", {d}, {h + "attn.bo"});
    add(h + "ln_2.weight", {d}, {config.mlp ? h + "ln_2.weight" : std::string()});
    add(h + "ln_2.bias", {d}, {mlp("ln_2.bias")});
    add(h + "mlp.c_fc.weight", {d, wide}, {mlp("mlp.fc")});
    add(h + "mlp.c_fc.bias", {wide}, {mlp("mlp.fc_bias")});
    add(h + "mlp.c_proj.weight", {wide, d}, {mlp("mlp.proj")});
    add(h + "mlp.c_proj.bias", {d}, {mlp("mlp.proj_bias")});
  }
  add("ln_f.weight", {d}, {"ln_f.weight"});
  add("ln_f.bias", {d}, {"ln_f.bias"});
  return tensors;
}

// What the reader knows of one tensor of the file, in file order.
struct TensorPlan {
  const SafetensorsTensor* tensor = nullptr;
  // The model's storage of each column block (nullptr: read past, a buffer or lm_head).
  std::vector<float*> blocks;
  std::uint64_t columns = 1;  // of the file's tensor: its last dimension (1 for a 0-d tensor)
  bool output_head = false;   // lm_head.weight: compared with wte
};

struct Gpt2WeightsReader::State {
  TransformerConfig config;
  std::uint64_t file_size = 0;
  std::uint64_t read = 0;           // bytes fed so far
  std::uint64_t header_length = 0;  // N, once the first 8 bytes are in
  std::string header_bytes;         // the first 8 + N bytes, while they arrive
  std::optional<SafetensorsHeader> header;
  std::optional<LanguageModel> model;
  std::vector<TensorPlan> plans;    // in file order
  std::size_t current = 0;          // the tensor being read
  std::uint64_t element = 0;        // its next element
  unsigned char carry[8] = {};      // the bytes of an element split between two pieces
  std::size_t carried = 0;
  std::vector<float> converted;     // one piece's elements, for c_attn's column blocks
  std::optional<std::uint32_t> head_crc, wte_crc;
  bool spent = false;

  void read_header();
  void plan();
  void take(const unsigned char* bytes, std::size_t count);
  void store(TensorPlan& plan, const float* values, std::size_t count);
};

void Gpt2WeightsReader::State::read_header() {
  header = parse_safetensors_header(std::string_view(header_bytes).substr(8), file_size);
  plan();
}

// Checks the header's tensors against the config's and lays out where each one's values go,
// before the model is allocated.
void Gpt2WeightsReader::State::plan() {
  const std::vector<Gpt2Tensor> expected = gpt2_tensors(config);
  // The prefix, when any name has it; every other name must agree.
  bool prefixed = false;
  for (const SafetensorsTensor& tensor : header->tensors) {
    if (tensor.name.rfind(prefix, 0) == 0) prefixed = true;
  }
  const std::string used = prefixed ? prefix : "";
  // The file's names of the family's tensors (a map: a hostile header may list 100,000 names).
  std::map<std::string, const Gpt2Tensor*> by_name;
  for (const Gpt2Tensor& tensor : expected) {
    const SafetensorsTensor* found = header->find(used + tensor.name);
    if (found == nullptr && header->find(prefixed ? tensor.name : prefix + tensor.name)) {
      require(false, file, " mixes names with and without the \"transformer.\" prefix: it has \"",
              prefixed ? tensor.name : prefix + tensor.name, "\" and other tensors ",
              prefixed ? "with" : "without", " it");
    }
    require(found != nullptr, file, " has no tensor \"", used + tensor.name, "\", which a GPT-2 of ",
            config.n_layers, " layers has (", header->tensors.size(), " tensors in the file)");
    require(found->shape == tensor.shape, found->name, " has shape ", describe_shape(found->shape),
            ", but config.json (n_embd ", config.d_model, ", n_positions ", config.context_length,
            ", vocab_size ", config.vocab_size, ", n_inner ", config.d_mlp(), ") means ",
            describe_shape(tensor.shape));
    require_float_dtype(*found);
    by_name[found->name] = &tensor;
  }
  // Each layer's buffers, under the parameters' prefix: the mask and masked_bias, a scalar.
  const auto positions = static_cast<std::uint64_t>(config.context_length);
  std::map<std::string, Gpt2Buffer> buffers;
  for (Index layer = 0; layer < config.n_layers; ++layer) {
    const std::string attn = used + "h." + std::to_string(layer) + ".attn.";
    buffers[attn + "bias"] = {{1, 1, positions, positions},
                              " (the causal mask)",
                              concat("config.json's n_positions ", positions, " means")};
    buffers[attn + "masked_bias"] = {{}, "", "transformers' masked_bias is a scalar,"};
  }
  for (const SafetensorsTensor& tensor : header->tensors) {
    if (by_name.count(tensor.name)) continue;
    if (tensor.name == "lm_head.weight") {
      const std::vector<std::uint64_t> wte_shape = expected.front().shape;
      require(tensor.shape == wte_shape, "lm_head.weight has shape ", describe_shape(tensor.shape),
              ", but the output head is tied to wte, ", describe_shape(wte_shape));
      require_float_dtype(tensor);
      continue;
    }
    const auto buffer = buffers.find(tensor.name);
    require(buffer != buffers.end(), file, " holds the tensor ", quoted_name(tensor.name),
            ", which GPT-2 does not have (is this another architecture?)");
    require(tensor.shape == buffer->second.shape, tensor.name, buffer->second.kind, " has shape ",
            describe_shape(tensor.shape), ", but ", buffer->second.reason, " ",
            describe_shape(buffer->second.shape));
  }

  // Every check passed: the model's one allocation.
  model.emplace(config, LanguageModel::Weights::zeros);
  for (const SafetensorsTensor& tensor : header->tensors) {
    TensorPlan plan;
    plan.tensor = &tensor;
    plan.columns = tensor.shape.empty() ? 1 : tensor.shape.back();
    plan.output_head = tensor.name == "lm_head.weight";
    const auto mapped = by_name.find(tensor.name);
    if (mapped != by_name.end()) {
      for (const std::string& parameter : mapped->second->parameters) {
        plan.blocks.push_back(parameter.empty()
                                  ? nullptr
                                  : model->parameter_storage(model->parameter(parameter)));
      }
    }
    plans.push_back(std::move(plan));
  }
}

// values: elements element .. element + count - 1 of the current tensor.
void Gpt2WeightsReader::State::store(TensorPlan& plan, const float* values, std::size_t count) {
  const std::size_t bad = first_non_finite(values, count);
  require(bad == count, plan.tensor->name, " [element ", element + bad, "] is ", values[bad],
          "; a model's weights must be finite numbers");
  if (plan.output_head) {
    head_crc = crc32(reinterpret_cast<const std::uint8_t*>(values), count * sizeof(float),
                     head_crc.value_or(0));
    return;
  }
  if (plan.blocks.size() == 1) {
    if (plan.blocks[0] != nullptr) std::copy(values, values + count, plan.blocks[0] + element);
    return;
  }
  // Column blocks: element e is row e / columns, column e % columns, of block column / width.
  const std::uint64_t width = plan.columns / plan.blocks.size();
  std::uint64_t row = element / plan.columns, column = element % plan.columns;
  for (std::size_t i = 0; i < count;) {
    const std::uint64_t block = column / width, within = column % width;
    const auto run = static_cast<std::size_t>(std::min<std::uint64_t>(width - within, count - i));
    if (plan.blocks[block] != nullptr) {
      std::copy(values + i, values + i + run, plan.blocks[block] + row * width + within);
    }
    i += run;
    column += run;
    if (column == plan.columns) {
      column = 0;
      ++row;
    }
  }
}

// Bytes of the data section, in order, from the current tensor on.
void Gpt2WeightsReader::State::take(const unsigned char* bytes, std::size_t count) {
  while (count > 0) {
    require(current < plans.size(), file, " has ", count, " bytes past its last tensor");
    TensorPlan& plan = plans[current];
    const SafetensorsTensor& tensor = *plan.tensor;
    if (plan.blocks.empty() && !plan.output_head) {  // a buffer, read past
      const std::uint64_t left = tensor.byte_count() - element;
      const auto skipped = static_cast<std::size_t>(std::min<std::uint64_t>(left, count));
      bytes += skipped;
      count -= skipped;
      element += skipped;  // in bytes, for a buffer
      if (element == tensor.byte_count()) {
        ++current;
        element = 0;
      }
      continue;
    }
    const std::size_t size = dtype_bits(tensor.dtype) / 8;
    if (carried > 0 || count < size) {
      // An element split across pieces: gather it first.
      const std::size_t needed = std::min(size - carried, count);
      std::memcpy(carry + carried, bytes, needed);
      carried += needed;
      bytes += needed;
      count -= needed;
      if (carried < size) continue;
      float value = 0.0f;
      convert_to_float(tensor.dtype, carry, 1, &value);
      carried = 0;
      store(plan, &value, 1);
      element += 1;
    } else {
      const std::uint64_t left = tensor.element_count - element;
      // At most 1 M elements at a time, so the scratch for column blocks stays small.
      const auto elements = static_cast<std::size_t>(
          std::min<std::uint64_t>({left, count / size, std::uint64_t{1} << 20}));
      if (plan.blocks.size() == 1 && plan.blocks[0] != nullptr) {
        // One block: straight into the parameter, checked there.
        float* destination = plan.blocks[0] + element;
        convert_to_float(tensor.dtype, bytes, elements, destination);
        const std::size_t bad = first_non_finite(destination, elements);
        require(bad == elements, tensor.name, " [element ", element + bad, "] is ",
                destination[bad], "; a model's weights must be finite numbers");
      } else {
        converted.resize(elements);
        convert_to_float(tensor.dtype, bytes, elements, converted.data());
        store(plan, converted.data(), elements);
      }
      bytes += elements * size;
      count -= elements * size;
      element += elements;
    }
    if (element == tensor.element_count) {
      ++current;
      element = 0;
    }
  }
}

Gpt2WeightsReader::Gpt2WeightsReader(const TransformerConfig& config, std::uint64_t file_size)
    : state_(std::make_unique<State>()) {
  validate_model_config(config);
  require_layer_norm(config);
  state_->config = config;
  state_->file_size = file_size;
}

Gpt2WeightsReader::~Gpt2WeightsReader() = default;
Gpt2WeightsReader::Gpt2WeightsReader(Gpt2WeightsReader&&) noexcept = default;
Gpt2WeightsReader& Gpt2WeightsReader::operator=(Gpt2WeightsReader&&) noexcept = default;

void Gpt2WeightsReader::feed(const unsigned char* bytes, std::size_t count) {
  State& state = *state_;
  require(!state.spent, "this reader has failed or finished; start another");
  state.spent = true;  // until the piece is taken whole
  require(count <= state.file_size - state.read, file, " is ", state.file_size, " bytes, but ",
          state.read + count, " were fed");
  state.read += count;
  // The first 8 bytes give N (read once: pieces may be single bytes); then the header's N bytes
  // are gathered before it is parsed.
  while (count > 0 && !state.header) {
    const bool length_known = state.header_bytes.size() >= 8;
    const auto wanted = static_cast<std::size_t>(length_known ? 8 + state.header_length : 8);
    const std::size_t needed = std::min(wanted - state.header_bytes.size(), count);
    state.header_bytes.append(reinterpret_cast<const char*>(bytes), needed);
    bytes += needed;
    count -= needed;
    if (state.header_bytes.size() < wanted) break;  // the piece is used up
    if (length_known) {
      state.read_header();
      state.header_bytes = std::string();
    } else {
      state.header_length = safetensors_header_length(
          reinterpret_cast<const unsigned char*>(state.header_bytes.data()), state.file_size);
    }
  }
  if (count > 0) state.take(bytes, count);
  state.spent = false;
}

std::uint64_t Gpt2WeightsReader::bytes_read() const { return state_->read; }
std::uint64_t Gpt2WeightsReader::file_size() const { return state_->file_size; }
const SafetensorsHeader* Gpt2WeightsReader::header() const {
  return state_->header ? &*state_->header : nullptr;
}

LanguageModel Gpt2WeightsReader::finish() {
  State& state = *state_;
  require(!state.spent, "this reader has failed or finished; start another");
  state.spent = true;
  if (state.read < state.file_size) {
    const std::string where = state.header && state.current < state.plans.size()
                                  ? concat(", in ", state.plans[state.current].tensor->name)
                                  : std::string(state.header ? "" : ", in its header");
    require(false, file, " ends after ", state.read, " of its ", state.file_size, " bytes", where);
  }
  require(state.model.has_value(), file, " is ", state.file_size,
          " bytes, too short to hold its header");
  if (state.head_crc) {
    const ParameterInfo& wte = state.model->parameter("wte");
    const std::uint32_t wte_crc =
        crc32(reinterpret_cast<const std::uint8_t*>(state.model->parameter_storage(wte)),
              static_cast<std::size_t>(wte.size()) * sizeof(float));
    require(wte_crc == *state.head_crc, "lm_head.weight differs from wte.weight: GPT-2 ties its ",
            "output head to the token embedding, and this model has no head of its own");
  }
  state.model->store_weights_as_panels();
  return std::move(*state.model);
}

LanguageModel read_gpt2_weights(const TransformerConfig& config, const unsigned char* bytes,
                                std::size_t size) {
  Gpt2WeightsReader reader(config, size);
  reader.feed(bytes, size);
  return reader.finish();
}

void write_gpt2_weights(const LanguageModel& model, SafetensorsDtype dtype,
                        const std::function<void(const std::string& bytes)>& write) {
  const TransformerConfig& config = model.config();
  require_layer_norm(config);
  require(dtype == SafetensorsDtype::F32 || dtype == SafetensorsDtype::F16 ||
              dtype == SafetensorsDtype::BF16,
          "model.safetensors is written in F32, F16 or BF16, not ", dtype_name(dtype));
  // Without an MLP the file's is 4 d_model wide, of zeros, and its LayerNorm ln_2 has gain 1 and
  // bias 0 (it feeds only the zero MLP, so any would do).
  const std::vector<Gpt2Tensor> tensors = gpt2_tensors(config);
  std::vector<SafetensorsTensorToWrite> layout;
  for (const Gpt2Tensor& tensor : tensors) layout.push_back({tensor.name, tensor.shape, dtype, nullptr});
  write(safetensors_header_bytes(layout));

  std::vector<float> values;
  std::string bytes;
  for (std::size_t t = 0; t < tensors.size(); ++t) {
    const Gpt2Tensor& tensor = tensors[t];
    const std::uint64_t columns = tensor.shape.back();
    const std::uint64_t rows = tensor.shape.size() == 2 ? tensor.shape[0] : 1;
    const std::uint64_t width = columns / tensor.parameters.size();
    const bool ln_2_gain = !config.mlp && tensor.name.size() > 12 &&
                           tensor.name.compare(tensor.name.size() - 12, 12, ".ln_2.weight") == 0;
    values.assign(static_cast<std::size_t>(rows * columns), ln_2_gain ? 1.0f : 0.0f);
    for (std::size_t block = 0; block < tensor.parameters.size(); ++block) {
      if (tensor.parameters[block].empty()) continue;
      const std::vector<float> parameter = model.parameter_values(model.parameter(tensor.parameters[block]));
      const float* source = parameter.data();
      for (std::uint64_t row = 0; row < rows; ++row) {
        std::copy(source + row * width, source + (row + 1) * width,
                  values.begin() + static_cast<std::ptrdiff_t>(row * columns + block * width));
      }
    }
    bytes.clear();
    append_tensor_bytes({tensor.name, tensor.shape, dtype, values.data()}, bytes);
    write(bytes);
  }
}

}  // namespace spotlight
