//===- CudaRegion.cpp - Hot GPU regions as host programs of CUDA kernels --===//
//
// A region whose ops all run on one CUDA device is split by ej-fuse, as on
// the CPU; each ej.fusion becomes CUDA C (codegen/EjToCUDA.h) that NVRTC
// compiles for the device (runtime/cuda/Runtime.h's function(): memory and
// disk cache), and runs as the emitter's plan says: its kernels launched
// in order on the device's stream with the fusion's buffers, temporaries
// allocated for the fusion's duration, matmuls through the GPU
// interpreter's cuBLAS kernel. The ops between fusions run as the GPU
// interpreter's kernels (lib/Program.cpp).
//
//===----------------------------------------------------------------------===//
#include "lib/Jit.h"
#include "lib/OpSupport.h"
#include "lib/Program.h"
#include "lib/TraceToMLIR.h"
#include "runtime/cuda/Kernels.h"
#include "runtime/cuda/Runtime.h"

#include "codegen/CpuCompiler.h"
#include "codegen/EjToCUDA.h"
#include "codegen/KernelCache.h"
#include "codegen/Passes.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

namespace ej::detail {

namespace {

DType dtype_of_element(const std::string &element) {
  if (element == "f32")
    return float32;
  if (element == "f64")
    return float64;
  if (element == "i32")
    return int32;
  if (element == "i64")
    return int64;
  if (element == "i1")
    return bool_;
  fail("jit", "a CUDA kernel buffer of element type " + element);
}

// A fusion's kernels, loaded (while it lives: the region holds it), and
// its plan.
struct CudaFusion {
  int device;
  mlir::ej::CudaFusionPlan plan;
  std::vector<mlir::ej::CudaKernelInfo> kernels;
  std::shared_ptr<cuda::Module> module;
  std::vector<cuda::Function> functions;

  void run(llvm::ArrayRef<const TensorImpl *> inputs,
           llvm::ArrayRef<TensorImpl *> outputs) const {
    // Every buffer of the plan by name; temporaries and matmul results are
    // held until the launches are issued (stream order keeps them alive
    // for the kernels after their release on the host).
    llvm::StringMap<const TensorImpl *> buffers;
    std::vector<Tensor> held;
    for (size_t i = 0; i < inputs.size(); ++i) {
      // The kernels read 16-byte vectors: an input that a view's offset
      // leaves unaligned is copied (fresh blocks are 256-byte aligned).
      const TensorImpl *t = inputs[i];
      if (reinterpret_cast<uintptr_t>(t->data()) % 16 != 0) {
        held.push_back(interpreted_copy(const_cast<TensorImpl *>(t)));
        t = held.back().impl();
      }
      buffers["in" + std::to_string(i)] = t;
    }
    for (size_t i = 0; i < outputs.size(); ++i)
      buffers["out" + std::to_string(i)] = outputs[i];
    for (const auto &[name, type] : plan.temporaries) {
      TensorImpl *t = new_impl(dtype_of_element(type.element), type.shape);
      held.emplace_back(t);
      t->device = int8_t(device);
      allocate(t);
      buffers[name] = t;
    }
    for (const mlir::ej::CudaStep &step : plan.steps) {
      if (step.kernel >= 0) {
        const mlir::ej::CudaKernelInfo &k = kernels[size_t(step.kernel)];
        std::vector<void *> pointers;
        for (const std::string &p : k.params)
          pointers.push_back(buffers.at(p)->data());
        std::vector<void *> params;
        for (void *&p : pointers)
          params.push_back(&p);
        cuda::launch(device, functions[size_t(step.kernel)],
                     {unsigned(k.grid), 1, 1}, {unsigned(k.block), 1, 1}, 0,
                     params.data());
        continue;
      }
      Record r(OpCode::MatMul);
      for (const std::string &x : step.operands)
        r.add_input(const_cast<TensorImpl *>(buffers.at(x)));
      const mlir::ej::CudaBufferType &type = type_of(step.result);
      r.result = new_impl(dtype_of_element(type.element), type.shape);
      held.emplace_back(r.result);
      r.result->device = int8_t(device);
      runtime::cuda_kernel(OpCode::MatMul)(r);
      auto out = buffers.find(step.result);
      if (out != buffers.end() && step.result.rfind("out", 0) == 0) {
        // A result of the fusion: its buffer is the caller's.
        cuda::copy_on_device(
            device, const_cast<TensorImpl *>(out->second)->data(),
            r.result->data(),
            size_t(r.result->numel) * dtype_size(r.result->dtype));
        continue;
      }
      buffers[step.result] = r.result;
    }
  }

  const mlir::ej::CudaBufferType &type_of(const std::string &name) const {
    for (const auto &[n, type] : plan.types)
      if (n == name)
        return type;
    fail("jit", "a CUDA kernel plan names an unknown buffer " + name);
  }
};

// The CUDA C of one ej.fusion, or an ej::Error.
mlir::ej::CudaSource emit_fusion(mlir::Operation *op) {
  mlir::FailureOr<mlir::ej::CudaSource> source = mlir::ej::emitCudaSource(op);
  if (mlir::failed(source) || source->fusions.size() != 1)
    fail("jit",
         "the CUDA C emitter cannot express the fusion " + kernel_label(op));
  return std::move(*source);
}

FusedKernel compile_cuda_kernel(int device, mlir::Operation *op) {
  mlir::ej::CudaSource source = emit_fusion(op);
  auto fusion = std::make_shared<CudaFusion>();
  fusion->device = device;
  fusion->plan = std::move(source.fusions.front());
  fusion->kernels = std::move(source.kernels);
  fusion->module = cuda::module(device, source.code);
  for (const mlir::ej::CudaKernelInfo &k : fusion->kernels)
    fusion->functions.push_back(fusion->module->function(k.name));
  return [fusion](llvm::ArrayRef<const TensorImpl *> inputs,
                  llvm::ArrayRef<TensorImpl *> outputs) {
    fusion->run(inputs, outputs);
  };
}

// Whether `got` holds the values of `want` (both on one device): floats
// within a relative 1e-4 (NaN where the other is NaN), other dtypes bit
// for bit.
bool same_values(const Tensor &got, const Tensor &want) {
  Tensor a = transfer(got.impl(), runtime::kHost),
         b = transfer(want.impl(), runtime::kHost);
  const TensorImpl *x = a.impl(), *y = b.impl();
  if (x->dtype != y->dtype || x->numel != y->numel)
    return false;
  auto close = [&](auto type) {
    using T = decltype(type);
    const T *p = x->data_as<T>(), *q = y->data_as<T>();
    for (int64_t i = 0; i < x->numel; ++i) {
      if (std::isnan(p[i]) != std::isnan(q[i]))
        return false;
      if (!std::isnan(q[i]) &&
          !(std::abs(p[i] - q[i]) <= T(1e-4) * std::max(T(1), std::abs(q[i]))))
        return false;
    }
    return true;
  };
  if (x->dtype == float32)
    return close(float{});
  if (x->dtype == float64)
    return close(double{});
  return std::memcmp(x->data(), y->data(),
                     size_t(x->numel) * dtype_size(x->dtype)) == 0;
}

// A compiled GPU region replayed as a CUDA graph: one launch for all its
// kernels and cuBLAS calls. The first runs go through the host program
// (its kernels load, cuBLAS starts); the third is captured, with copies of
// the arguments in device buffers of its own. The host arguments (a C++
// literal, a learning rate: their values may change from run to run) share
// one device block, filled by one copy per run, so that a replay launches
// the graph and no kernel of its own.
//
// A replay then rebinds the graph to its device arguments and to fresh
// result buffers (Graph::rebind: the addresses in its kernels' arguments,
// cuBLAS's included, and in its copies change), so that it copies nothing:
// a training step's variables go in and come out where they are. The
// first rebound replay is checked: the graph's own buffers are filled with
// NaN bytes first, and its results must match the host program's on the
// same arguments; an address the scan missed would read or write those
// buffers. A graph that fails the check, or whose work the driver cannot
// list, copies its arguments into its own buffers and its results out of
// them on every replay. An argument that is not 256-byte aligned (the
// alignment the capture's kernels were chosen for) is copied too.
//
// A region whose capture fails (it reads a value on the host: a random
// op's counter, gather's range check), or whose arguments are not
// row-major on the device or the host, runs its host program, as before.
class GraphProgram : public Executable {
public:
  GraphProgram(std::unique_ptr<Executable> program, int device)
      : program_(std::move(program)), device_(device) {}

  std::vector<Tensor> run(const std::vector<Tensor> &args) override {
    // Threads replaying one region take turns: the graph's buffers are
    // one, and stream order keeps a turn's copies apart from the next's.
    std::lock_guard<std::mutex> lock(mu_);
    if (failed_ || ++runs_ < kCaptureAt || !capturable(args))
      return program_->run(args);
    if (!graph_ && !capture(args))
      return program_->run(args);
    if (!placed_as_captured(args))
      return program_->run(args);
    if (binding_ != Binding::Copies)
      return run_rebound(args);
    for (size_t i = 0; i < args.size(); ++i) {
      const TensorImpl *a = args[i].impl();
      if (a->device == device_)
        copy_bytes(inputs_[i].impl(), a);
    }
    upload_host_args(args);
    graph_->launch();
    std::vector<Tensor> out;
    for (const Tensor &t : outputs_) {
      TensorImpl *o = new_impl(t.impl()->dtype, t.impl()->dims());
      out.emplace_back(o);
      o->device = int8_t(device_);
      allocate(o);
      if (t.impl()->contiguous) {
        copy_bytes(o, t.impl());
      } else {
        Tensor c = interpreted_copy(t.impl());
        copy_bytes(o, c.impl());
      }
    }
    return out;
  }

private:
  static constexpr int kCaptureAt = 3;
  static constexpr uintptr_t kBoundAlignment = 256;

  // Copies: arguments and results go through the graph's own buffers.
  // Unverified: rebinding is set up, and the next replay checks it.
  enum class Binding { Copies, Unverified, Rebound };

  bool capturable(const std::vector<Tensor> &args) const {
    for (const Tensor &t : args)
      if (!t.defined() ||
          (t.impl()->device != device_ && t.impl()->device != runtime::kHost) ||
          !t.impl()->contiguous || !t.impl()->storage)
        return false;
    return true;
  }

  // Whether each argument is where it was at the capture (on the device,
  // or on the host with a place in the host block): a scalar that the
  // region's caller computed on the host one time and on the device
  // another replays through the host program.
  bool placed_as_captured(const std::vector<Tensor> &args) const {
    for (size_t i = 0; i < args.size(); ++i)
      if ((args[i].impl()->device == device_) != (host_offsets_[i] < 0))
        return false;
    return true;
  }

  void copy_bytes(TensorImpl *to, const TensorImpl *from) const {
    cuda::copy_on_device(device_, to->data(), from->data(),
                         size_t(from->numel) * dtype_size(from->dtype));
  }

  // The host arguments' places in one device block, each 16-byte aligned
  // (the kernels' vector loads), as views of it in inputs_.
  void place_host_args(const std::vector<Tensor> &args) {
    host_offsets_.assign(args.size(), -1);
    size_t bytes = 0;
    for (size_t i = 0; i < args.size(); ++i) {
      const TensorImpl *a = args[i].impl();
      if (a->device == device_)
        continue;
      host_offsets_[i] = int64_t(bytes);
      bytes += (size_t(a->numel) * dtype_size(a->dtype) + 15) / 16 * 16;
    }
    host_block_.assign(bytes, 0);
    runtime::Storage *block =
        bytes ? cuda::allocate_storage(device_, bytes) : nullptr;
    host_device_block_ = block ? block->data : nullptr;
    for (size_t i = 0; i < args.size(); ++i) {
      const TensorImpl *a = args[i].impl();
      if (host_offsets_[i] < 0) {
        inputs_.push_back(interpreted_copy(const_cast<TensorImpl *>(a)));
        continue;
      }
      TensorImpl *view = new_impl(a->dtype, a->dims());
      inputs_.emplace_back(view);
      view->device = int8_t(device_);
      view->storage = block;
      runtime::retain(block);
      view->offset = host_offsets_[i] / int64_t(dtype_size(a->dtype));
    }
    if (block)
      runtime::release(block);
  }

  void upload_host_args(const std::vector<Tensor> &args) {
    if (host_block_.empty())
      return;
    for (size_t i = 0; i < args.size(); ++i) {
      if (host_offsets_[i] < 0)
        continue;
      const TensorImpl *a = args[i].impl();
      std::memcpy(host_block_.data() + host_offsets_[i], a->data(),
                  size_t(a->numel) * dtype_size(a->dtype));
    }
    cuda::copy_to_device(device_, host_device_block_, host_block_.data(),
                         host_block_.size());
  }

  bool capture(const std::vector<Tensor> &args) {
    place_host_args(args);
    upload_host_args(args);
    try {
      graph_ =
          cuda::capture(device_, [&] { outputs_ = program_->run(inputs_); });
      counters().regions_graphed++;
    } catch (const Error &e) {
      failed_ = true;
      inputs_.clear();
      outputs_.clear();
      host_block_.clear();
      mlir::ej::logJit(std::string("a GPU region runs without a CUDA graph: ") +
                       e.what());
      return false;
    }
    prepare_rebinding();
    return true;
  }

  // The graph's buffers that a replay rebinds: each device argument's
  // copy, then each block its results live in (results that share a block
  // share its buffer). A result in an argument's block (a view of an
  // argument) keeps the graph on copies.
  void prepare_rebinding() {
    buffers_.clear();
    input_buffer_.assign(inputs_.size(), -1);
    output_buffer_.clear();
    std::vector<const runtime::Storage *> argument_blocks;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const runtime::Storage *s = inputs_[i].impl()->storage;
      argument_blocks.push_back(s);
      if (host_offsets_[i] >= 0)
        continue;
      input_buffer_[i] = long(buffers_.size());
      buffers_.push_back({s->data, s->capacity});
    }
    first_output_buffer_ = buffers_.size();
    for (const Tensor &t : outputs_) {
      const runtime::Storage *s = t.impl()->storage;
      if (std::find(argument_blocks.begin(), argument_blocks.end(), s) !=
          argument_blocks.end())
        return;
      size_t k = first_output_buffer_;
      while (k < buffers_.size() && buffers_[k].first != s->data)
        ++k;
      if (k == buffers_.size())
        buffers_.push_back({s->data, s->capacity});
      output_buffer_.push_back(k);
    }
    if (graph_->find_references(buffers_))
      binding_ = Binding::Unverified;
  }

  void poison(const void *data, size_t bytes) const {
    std::vector<unsigned char> nan(bytes, 0xff);
    cuda::copy_to_device(device_, const_cast<void *>(data), nan.data(), bytes);
  }

  std::vector<Tensor> run_rebound(const std::vector<Tensor> &args) {
    bool verify = binding_ == Binding::Unverified;
    if (verify)
      for (const auto &[data, bytes] : buffers_)
        poison(data, bytes);
    for (size_t i = 0; i < args.size(); ++i) {
      if (input_buffer_[i] < 0)
        continue;
      const TensorImpl *a = args[i].impl();
      auto k = size_t(input_buffer_[i]);
      if (reinterpret_cast<uintptr_t>(a->data()) % kBoundAlignment == 0) {
        graph_->rebind(k, a->data());
      } else {
        graph_->rebind(k, buffers_[k].first);
        copy_bytes(inputs_[i].impl(), a);
      }
    }
    upload_host_args(args);
    // Fresh blocks for the results, held by the tensors handed out.
    std::vector<runtime::Storage *> blocks;
    for (size_t k = first_output_buffer_; k < buffers_.size(); ++k) {
      blocks.push_back(cuda::allocate_storage(device_, buffers_[k].second));
      graph_->rebind(k, blocks.back()->data);
      if (verify)
        poison(blocks.back()->data, buffers_[k].second);
    }
    graph_->launch();
    std::vector<Tensor> out;
    for (size_t j = 0; j < outputs_.size(); ++j) {
      const TensorImpl *t = outputs_[j].impl();
      TensorImpl *o = new_impl(t->dtype, t->dims());
      out.emplace_back(o);
      o->device = int8_t(device_);
      o->storage = blocks[output_buffer_[j] - first_output_buffer_];
      runtime::retain(o->storage);
      o->offset = t->offset;
      std::copy(t->strides, t->strides + t->rank, o->strides);
      update_contiguous(o);
    }
    for (runtime::Storage *b : blocks)
      runtime::release(b);
    if (!verify)
      return out;
    std::vector<Tensor> want = program_->run(args);
    bool same = true;
    for (size_t j = 0; j < out.size() && same; ++j)
      same = same_values(out[j], want[j]);
    if (same) {
      binding_ = Binding::Rebound;
      return out;
    }
    mlir::ej::logJit("a GPU region's graph copies its arguments and results: "
                     "rebound to other buffers, it did not match its "
                     "program");
    binding_ = Binding::Copies;
    for (size_t k = 0; k < buffers_.size(); ++k)
      graph_->rebind(k, buffers_[k].first);
    return want;
  }

  std::mutex mu_;
  std::unique_ptr<Executable> program_;
  int device_;
  int runs_ = 0;
  bool failed_ = false;
  std::vector<Tensor> inputs_, outputs_;
  // Each argument's byte offset in the block of host arguments (-1: a
  // device argument), the block's bytes as the host packs them, and the
  // block on the device (held by the views in inputs_).
  std::vector<int64_t> host_offsets_;
  std::vector<char> host_block_;
  void *host_device_block_ = nullptr;
  // Rebinding: the graph's own buffers (the capture's addresses), each
  // argument's (-1: a host argument), each result's, and where the
  // results' begin.
  Binding binding_ = Binding::Copies;
  std::vector<std::pair<const void *, size_t>> buffers_;
  std::vector<long> input_buffer_;
  std::vector<size_t> output_buffer_;
  size_t first_output_buffer_ = 0;
  // Last: destroyed first, after waiting for the device, before the
  // buffers it replays into are released.
  std::unique_ptr<cuda::Graph> graph_;
};

} // namespace

RegionCompiler cuda_compiler(int device) {
  return [device](mlir::Operation *module,
                  std::string &error) -> std::unique_ptr<Executable> {
    std::unique_ptr<Executable> program = fused_program(
        module,
        [device](mlir::Operation *op) {
          return compile_cuda_kernel(device, op);
        },
        error, device);
    if (!program)
      return nullptr;
    return std::make_unique<GraphProgram>(std::move(program), device);
  };
}

std::vector<std::string> cuda_region_sources(const std::string &region) {
  DiagnosedContext context(mlir::ej::registerCpuCodegenDialects);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(region, &context.ctx);
  if (!module)
    fail("jit", "the region does not parse: " + context.diagnostics);
  mlir::PassManager pm(&context.ctx);
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
  pm.addNestedPass<mlir::func::FuncOp>(mlir::ej::createEjFuse());
  if (mlir::failed(pm.run(*module)))
    fail("jit", "the region's passes failed: " + context.diagnostics);
  std::vector<std::string> sources;
  module->walk(
      [&](mlir::ej::FusionOp op) { sources.push_back(emit_fusion(op).code); });
  return sources;
}

} // namespace ej::detail
