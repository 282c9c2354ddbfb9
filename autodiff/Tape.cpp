//===- Tape.cpp - GradientTape: recorded calls to a gradient program ------===//
//
// A tape is a capture of the thread's trace. gradient() writes the captured
// records as an ej function (leaves -- constants, fills, random draws --
// become arguments), appends the reverse-mode gradient (buildGradients, the
// transformation behind ej-autodiff), and decodes the result into a Program
// whose inputs are forward values the tape holds. The program runs through
// the eager API, so outer tapes record it.
//
// Building that program takes MLIR and a few milliseconds; a loop takes the
// same gradient of the same computation many times. Programs are cached by
// the records' signature (ops, dtypes, shapes, attributes and which value
// feeds which), never by data, in a bounded LRU cache.
//
//===----------------------------------------------------------------------===//
#include "ej/autodiff.h"
#include "ej/ops.h"
#include "lib/Device.h"
#include "lib/OpSupport.h"
#include "lib/Program.h"
#include "lib/Signature.h"
#include "lib/TraceToMLIR.h"
#include "lib/VariableImpl.h"

#include "autodiff/Autodiff.h"
#include "dialects/Ej/EjRegistration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <cstring>
#include <list>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace ej {
using namespace detail;

namespace {

// A gradient program and where its inputs come from.
struct Compiled {
  Program program;
  std::vector<Ref> inputs;
  std::vector<bool> present; // per source: whether the program computes it
};

// The bounded cache of gradient programs, shared by all threads.
class ProgramCache {
public:
  static constexpr size_t kCapacity = 256;

  std::shared_ptr<const Compiled> find(const std::string &key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end())
      return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }
  void insert(const std::string &key, std::shared_ptr<const Compiled> p) {
    std::lock_guard<std::mutex> lock(mu_);
    if (index_.count(key))
      return;
    order_.emplace_front(key, std::move(p));
    index_[key] = order_.begin();
    if (order_.size() > kCapacity) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

private:
  std::mutex mu_;
  std::list<std::pair<std::string, std::shared_ptr<const Compiled>>> order_;
  std::unordered_map<std::string, decltype(order_)::iterator> index_;
};

ProgramCache &cache() {
  static ProgramCache c;
  return c;
}

// A gradient source: a tensor or a variable.
struct Source {
  const TensorImpl *tensor = nullptr;
  std::shared_ptr<VariableImpl> variable;
};

std::shared_ptr<const Compiled>
compile(const std::vector<CapturedRecord> &records, const Signature &sig,
        const Tensor &target, const std::vector<Source> &sources) {
  DiagnosedContext context;
  TraceConverter conv(context.ctx, "tape", /*leaves_as_arguments=*/true);
  conv.convert(records);
  mlir::OwningOpRef<mlir::ModuleOp> module = conv.finish({target});
  mlir::Block &body = conv.function().getBody().front();
  mlir::Operation *ret = body.getTerminator();

  std::vector<bool> is_present;
  llvm::SmallVector<mlir::Value> present;
  for (const Source &s : sources) {
    mlir::Value v =
        s.variable ? conv.lookup(s.variable.get()) : conv.lookup(s.tensor);
    is_present.push_back(bool(v));
    if (v)
      present.push_back(v);
  }
  mlir::OpBuilder b(ret);
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> grads =
      mlir::ej::buildGradients(b, ret->getLoc(), ret->getOperand(0), present);
  if (mlir::failed(grads))
    fail("gradient",
         "cannot differentiate the recorded calls:\n" + context.diagnostics);

  // Every value the tape holds is an input; the program reads those the
  // VJP rules need.
  llvm::SmallVector<mlir::Value> inputs;
  std::vector<Ref> refs;
  for (auto [i, arg] : llvm::enumerate(conv.arguments())) {
    inputs.push_back(body.getArgument(unsigned(i)));
    if (arg.variable)
      refs.push_back({Ref::Var, size_t(sig.find(arg.variable))});
    else
      refs.push_back(*sig.find(arg.tensor));
  }
  for (size_t i = 0; i < records.size(); ++i) {
    mlir::Value v = conv.lookup(records[i].record.result);
    if (v && mlir::isa<mlir::OpResult>(v)) {
      inputs.push_back(v);
      refs.push_back({Ref::Result, i});
    }
  }
  return std::make_shared<const Compiled>(
      Compiled{Program(body, inputs, *grads, "gradient"), std::move(refs),
               std::move(is_present)});
}

bool is_float(DType t) { return category(t) == Category::Float; }

// Bytes of distinct buffers: views share their base's.
struct BufferBytes {
  std::unordered_set<const void *> seen;
  size_t total = 0;
  // A value a compiled region defers has no buffer yet: its bytes count.
  void add(const Tensor &t) {
    const TensorImpl *impl = t.impl();
    if (const runtime::Storage *s = impl->storage) {
      if (seen.insert(s).second)
        total += s->capacity;
    } else if (seen.insert(impl).second) {
      total += size_t(impl->numel) * dtype_size(impl->dtype);
    }
  }
};

} // namespace

struct GradientTape::Impl {
  std::vector<CapturedRecord> records;
  Trace *trace = &Trace::current();
  bool persistent = false;
  bool recording = true;
  bool used = false;
  std::vector<Tensor> watched; // held, so that the pointers stay unique
  std::vector<std::shared_ptr<VariableImpl>> watched_variables;
  GradientTape::Memory memory;

  void stop() {
    if (recording)
      trace->remove_capture(&records);
    recording = false;
  }

  bool is_watched(const TensorImpl *t) const {
    return std::any_of(watched.begin(), watched.end(),
                       [&](const Tensor &w) { return w.impl() == t; });
  }
  bool is_watched(const VariableImpl *v) const {
    return v->trainable ||
           std::any_of(watched_variables.begin(), watched_variables.end(),
                       [&](const auto &w) { return w.get() == v; });
  }

  std::vector<Tensor> gradient(const Tensor &target,
                               const std::vector<Source> &sources);
};

GradientTape::GradientTape(bool persistent) : impl_(std::make_unique<Impl>()) {
  impl_->persistent = persistent;
  impl_->trace->add_capture(&impl_->records);
}

GradientTape::~GradientTape() { impl_->stop(); }

void GradientTape::watch(const Tensor &t) {
  need(t, "watch", "t");
  impl_->watched.push_back(t);
}

void GradientTape::watch(const Variable &v) {
  if (!v.defined())
    fail("watch", "the variable is undefined");
  impl_->watched_variables.push_back(v.impl()->shared_from_this());
}

std::vector<Tensor>
GradientTape::Impl::gradient(const Tensor &target,
                             const std::vector<Source> &sources) {
  // The forward values that a compiled region defers stay deferred: the
  // gradient program's ops join the same region (a training step's forward
  // pass, backward pass and update are one region).
  TensorImpl *t = need(target, "gradient", "target");
  if (used && !persistent)
    fail("gradient", "this tape already computed a gradient; make it "
                     "GradientTape(/*persistent=*/true) to take several");
  if (!is_float(t->dtype))
    fail("gradient", std::string("the target has dtype ") +
                         dtype_name(t->dtype) +
                         "; only float32 and float64 values are "
                         "differentiable");
  Signature sig;
  for (const CapturedRecord &c : records)
    sig.add(c.record);
  for (size_t i = 0; i < sources.size(); ++i) {
    const Source &s = sources[i];
    DType dtype = s.variable ? s.variable->dtype : s.tensor->dtype;
    std::string which = "source " + std::to_string(i);
    if (!is_float(dtype))
      fail("gradient", which + " has dtype " + dtype_name(dtype) +
                           "; only float32 and float64 values are "
                           "differentiable");
    if (s.variable && !is_watched(s.variable.get()))
      fail("gradient", which + " is the variable '" + s.variable->name +
                           "', which is not trainable and was not watched");
    if (s.tensor) {
      const Ref *ref = sig.find(s.tensor);
      bool made_here = ref && ref->kind == Ref::Result;
      if (!made_here && !is_watched(s.tensor))
        fail("gradient", which + " was made before the tape and not watched "
                                 "(call watch() on it first)");
    }
  }
  // A target the tape never saw made has no recorded path to anything:
  // zeros would be silently wrong where it does depend on a source.
  const Ref *made = sig.find(t);
  bool is_source = std::any_of(sources.begin(), sources.end(),
                               [&](const Source &s) { return s.tensor == t; });
  if (!(made && made->kind == Ref::Result) && !is_source && !is_watched(t))
    fail("gradient", "the target was not computed under this tape (it was "
                     "made before the tape began, or by another thread)");

  // The program runs outside this tape (outer tapes record it).
  bool was_recording = recording;
  if (recording)
    trace->remove_capture(&records);
  recording = false;
  used = true;
  struct Resume {
    Impl &tape;
    bool again;
    ~Resume() {
      if (again) {
        tape.trace->add_capture(&tape.records);
        tape.recording = true;
      } else {
        tape.records.clear();
        tape.records.shrink_to_fit();
      }
    }
  } resume{*this, was_recording && persistent};

  // Sources as the signature numbers them.
  for (const Source &s : sources) {
    if (s.variable) {
      sig.put(uint8_t(1));
      sig.put(sig.find(s.variable.get()));
    } else {
      sig.put(uint8_t(0));
      const Ref *ref = sig.find(s.tensor);
      sig.put(ref ? ref->kind : Ref::Kind(0xff));
      sig.put(ref ? ref->index : ~size_t(0));
    }
  }
  sig.put(uint8_t(2));
  sig.put_tensor(target.impl());

  std::shared_ptr<const Compiled> program = cache().find(sig.key);
  if (!program) {
    program = compile(records, sig, target, sources);
    cache().insert(sig.key, program);
  }
  std::vector<Tensor> tensors;
  std::vector<Variable> variables;
  BufferBytes held, read;
  for (const CapturedRecord &c : records)
    for (const Tensor &t : c.refs)
      held.add(t);
  for (const Ref &ref : program->inputs) {
    switch (ref.kind) {
    case Ref::Result:
      tensors.push_back(records[ref.index].refs.back());
      variables.emplace_back();
      break;
    case Ref::External:
      tensors.push_back(sig.externals[ref.index]);
      variables.emplace_back();
      break;
    case Ref::Var:
      tensors.emplace_back();
      variables.push_back(sig.variables[ref.index]);
      break;
    }
  }
  for (size_t i = 0; i < tensors.size(); ++i)
    if (program->program.reads(i) && tensors[i].defined())
      read.add(tensors[i]);
  memory = {held.total, read.total};
  std::vector<Tensor> computed = program->program.run(tensors, variables);
  std::vector<Tensor> grads;
  size_t next = 0;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (program->present[i]) {
      // A source moved to another device (x.gpu()) gets its gradient where
      // it lives.
      int device = sources[i].variable ? sources[i].variable->device
                                       : sources[i].tensor->device;
      grads.push_back(copy_to(computed[next++].impl(), device));
      continue;
    }
    const Source &s = sources[i];
    DeviceIndexScope on(s.variable ? s.variable->device : s.tensor->device);
    grads.push_back(s.variable ? zeros(s.variable->shape, s.variable->dtype)
                               : zeros(s.tensor->dims(), s.tensor->dtype));
  }
  return grads;
}

std::vector<Tensor> GradientTape::gradient(const Tensor &target,
                                           const std::vector<Tensor> &sources) {
  std::vector<Source> s;
  for (const Tensor &x : sources)
    s.push_back({need(x, "gradient", "sources"), nullptr});
  return impl_->gradient(target, s);
}

Tensor GradientTape::gradient(const Tensor &target, const Tensor &source) {
  return gradient(target, std::vector<Tensor>{source})[0];
}

std::vector<Tensor>
GradientTape::gradient(const Tensor &target,
                       const std::vector<Variable> &sources) {
  std::vector<Source> s;
  for (const Variable &v : sources) {
    if (!v.defined())
      fail("gradient", "a source variable is undefined");
    s.push_back({nullptr, v.impl()->shared_from_this()});
  }
  return impl_->gradient(target, s);
}

GradientTape::Memory GradientTape::last_gradient_memory() const {
  return impl_->memory;
}

std::vector<Variable> GradientTape::watched_variables() const {
  std::vector<Variable> out;
  std::vector<const VariableImpl *> seen;
  for (const CapturedRecord &c : impl_->records) {
    if (c.record.op != OpCode::VariableRead || !impl_->is_watched(c.var.get()))
      continue;
    if (std::find(seen.begin(), seen.end(), c.var.get()) != seen.end())
      continue;
    seen.push_back(c.var.get());
    out.emplace_back(c.var);
  }
  return out;
}

namespace detail {
Tensor as_source(const Tensor &t) {
  need(t, "gradients_function", "args");
  return reshape(t, t.impl()->dims());
}
} // namespace detail

} // namespace ej
