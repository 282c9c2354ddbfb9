//===- Program.cpp - An ej function decoded for the interpreter ----------===//
//
// `decode` reads back the attributes that TraceToMLIR.cpp's converter
// writes: the two are each other's inverse, op by op.
//
//===----------------------------------------------------------------------===//
#include "lib/Program.h"
#include "lib/Device.h"
#include "lib/OpSupport.h"
#include "lib/Profile.h"
#include "lib/ShapeRules.h"
#include "lib/Trace.h"
#include "lib/TraceToMLIR.h"
#include "lib/VariableImpl.h"

#include "dialects/Ej/IR/EjOps.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

namespace ej::detail {

namespace {

OpCode opcode_of(llvm::StringRef name, const char *what) {
  // Never destroyed: a region's compile may still run while the process
  // exits.
  static const llvm::StringMap<OpCode> &codes =
      *new llvm::StringMap<OpCode>([] {
        llvm::StringMap<OpCode> m;
#define EJ_OP(Name, name) m[#name] = OpCode::Name;
#include "lib/Ops.def"
        return m;
      }());
  auto it = codes.find(name);
  if (it == codes.end())
    fail(what, "'" + name.str() + "' is not an ej op");
  return it->second;
}

// The bytes of a dense attribute in the storage type of `dtype`.
std::vector<uint8_t> host_bytes(mlir::DenseElementsAttr attr, DType dtype) {
  std::vector<uint8_t> bytes;
  auto append = [&](auto v) {
    const auto *p = reinterpret_cast<const uint8_t *>(&v);
    bytes.insert(bytes.end(), p, p + sizeof(v));
  };
  switch (dtype) {
  case DType::Bool:
    for (bool v : attr.getValues<bool>())
      append(v);
    break;
  case DType::Int32:
    for (const llvm::APInt &v : attr.getValues<llvm::APInt>())
      append(int32_t(v.getSExtValue()));
    break;
  case DType::Int64:
    for (const llvm::APInt &v : attr.getValues<llvm::APInt>())
      append(int64_t(v.getSExtValue()));
    break;
  case DType::Float32:
    for (float v : attr.getValues<float>())
      append(v);
    break;
  case DType::Float64:
    for (double v : attr.getValues<double>())
      append(v);
    break;
  }
  return bytes;
}

double f64(mlir::Operation *op, llvm::StringRef name) {
  return mlir::cast<mlir::FloatAttr>(op->getAttr(name)).getValueAsDouble();
}

} // namespace

// "kernel sub,exp,reduce_sum,div -> (256, 1024)": a compiled fusion's line
// in the profile, its ops in order (repeats once) and its first result's
// shape.
std::string kernel_label(mlir::Operation *op) {
  auto fusion = mlir::cast<mlir::ej::FusionOp>(op);
  std::string ops;
  llvm::StringRef last;
  for (mlir::Operation &op : fusion.getBody().front().without_terminator()) {
    llvm::StringRef name = op.getName().stripDialect();
    if (name == last)
      continue;
    last = name;
    ops += (ops.empty() ? "" : ",") + name.str();
  }
  if (ops.size() > 90) // whole op names only
    ops = ops.substr(0, ops.rfind(',', 87)) + ",...";
  auto type = mlir::cast<mlir::RankedTensorType>(fusion.getResult(0).getType());
  return "kernel " + ops + " -> " +
         shape_str(IntList(type.getShape().data(), type.getShape().size()));
}

Program::Program(mlir::Block &body, llvm::ArrayRef<mlir::Value> inputs,
                 llvm::ArrayRef<mlir::Value> outputs, const char *what,
                 const FusionCompiler *fusions)
    : reads_(inputs.size(), false), what_(what) {
  llvm::DenseMap<mlir::Value, int> slots;
  for (auto [i, v] : llvm::enumerate(inputs))
    slots.try_emplace(v, int(i));
  num_slots_ = inputs.size();

  // The ops to run: those the outputs need, and assignments, back to the
  // inputs.
  llvm::DenseSet<mlir::Value> needed(outputs.begin(), outputs.end());
  llvm::DenseSet<mlir::Operation *> keep;
  for (mlir::Operation &op : llvm::reverse(body)) {
    if (op.hasTrait<mlir::OpTrait::IsTerminator>())
      continue;
    bool given = llvm::all_of(op.getResults(),
                              [&](mlir::Value r) { return slots.count(r); });
    if (given)
      continue;
    bool writes = !mlir::isMemoryEffectFree(&op) &&
                  mlir::hasEffect<mlir::MemoryEffects::Write>(&op);
    if (!writes && llvm::none_of(op.getResults(), [&](mlir::Value r) {
          return needed.contains(r);
        }))
      continue;
    keep.insert(&op);
    for (mlir::Value v : op.getOperands())
      needed.insert(v);
  }
  for (auto [i, v] : llvm::enumerate(inputs))
    if (needed.contains(v))
      reads_[i] = true;

  for (mlir::Operation &op : body) {
    if (!keep.contains(&op))
      continue;
    if (auto fusion = mlir::dyn_cast<mlir::ej::FusionOp>(op)) {
      if (!fusions)
        fail(what, "cannot run 'ej.fusion' without a code generator");
      Step s(OpCode::Copy);
      s.fused = std::make_shared<const FusedKernel>((*fusions)(&op));
      s.label = kernel_label(fusion);
      for (mlir::Value v : fusion.getInputs())
        s.in.push_back(slots.at(v));
      for (mlir::Value r : fusion.getResults()) {
        auto type = mlir::cast<mlir::RankedTensorType>(r.getType());
        Dims shape;
        for (int64_t d : type.getShape())
          shape.push(d);
        s.out_types.push_back({dtype_of_type(type.getElementType()), shape});
        s.outs.push_back(int(num_slots_));
        slots[r] = int(num_slots_++);
      }
      steps_.push_back(std::move(s));
      continue;
    }
    if (op.getDialect() == nullptr || op.getDialect()->getNamespace() != "ej" ||
        op.getNumResults() != 1 || op.getNumRegions() != 0)
      fail(what, "cannot run '" + op.getName().getStringRef().str() +
                     "': only ej ops run in the interpreter");
    OpCode code = opcode_of(op.getName().stripDialect(), what);
    Step s(code);
    s.counters = code == OpCode::RandomUniform || code == OpCode::RandomNormal;
    for (mlir::Value v : op.getOperands()) {
      auto it = slots.find(v);
      if (it == slots.end())
        fail(what, "an operand of '" + op.getName().getStringRef().str() +
                       "' is defined outside the function");
      if (mlir::isa<mlir::ej::VariableType>(v.getType()))
        s.var = it->second;
      else
        s.in.push_back(it->second);
    }
    auto type = mlir::cast<mlir::RankedTensorType>(op.getResult(0).getType());
    s.dtype = dtype_of_type(type.getElementType());
    for (int64_t d : type.getShape())
      s.shape.push(d);
    Attrs &a = s.record.attrs;
    a.dtype = s.dtype;
    auto ints = [&](llvm::ArrayRef<int64_t> v) {
      for (int64_t x : v)
        a.push(x);
    };
    auto i64s = [&](llvm::StringRef name) {
      return mlir::cast<mlir::DenseI64ArrayAttr>(op.getAttr(name)).asArrayRef();
    };
    switch (code) {
    case OpCode::Constant:
      s.constant = int(constants_.size());
      constants_.push_back(host_bytes(
          mlir::cast<mlir::DenseElementsAttr>(op.getAttr("value")), s.dtype));
      break;
    case OpCode::Fill:
      a.f[0] = f64(&op, "value");
      break;
    case OpCode::Arange:
      a.f[0] = f64(&op, "start");
      a.f[1] = f64(&op, "step");
      break;
    case OpCode::Linspace:
      a.f[0] = f64(&op, "start");
      a.f[1] = f64(&op, "stop");
      break;
    case OpCode::RandomUniform:
    case OpCode::RandomNormal: {
      bool uniform = code == OpCode::RandomUniform;
      a.f[0] = f64(&op, uniform ? "minval" : "mean");
      a.f[1] = f64(&op, uniform ? "maxval" : "stddev");
      break;
    }
#define EJ_REDUCE(Name, name) case OpCode::Name:
#include "lib/Ops.def"
      {
        // As the API's reductions read their axes (an empty list is every
        // axis); a record names each reduced axis.
        auto x = mlir::cast<mlir::RankedTensorType>(op.getOperand(0).getType());
        llvm::ArrayRef<int64_t> axes = i64s("axes");
        bool reduced[kMaxRank];
        if (x.getRank() > kMaxRank ||
            rules::reduced_axes(axes.data(), axes.size(), x.getRank(), reduced)
                    .kind != rules::AxesCheck::Ok)
          fail(what, op.getName().getStringRef().str() +
                         ": its axes do not fit its operand");
        for (int64_t d = 0; d < x.getRank(); ++d)
          if (reduced[d])
            a.push(d);
        a.keepdims = op.hasAttr("keepdims");
        for (int64_t d : a.int_list())
          if ((code == OpCode::ReduceMax || code == OpCode::ReduceMin) &&
              x.getDimSize(d) == 0)
            fail(what, op.getName().getStringRef().str() +
                           ": cannot reduce an empty axis");
        break;
      }
    case OpCode::ArgMax:
    case OpCode::ArgMin:
    case OpCode::Concat:
    case OpCode::Gather:
      a.push(mlir::cast<mlir::IntegerAttr>(op.getAttr("axis")).getInt());
      break;
    case OpCode::Transpose:
      ints(i64s("perm"));
      break;
    case OpCode::MaxPool:
    case OpCode::MaxPoolGrad:
    case OpCode::AvgPool:
    case OpCode::AvgPoolGrad:
      ints(i64s("window"));
      [[fallthrough]];
    case OpCode::Conv2D:
    case OpCode::Conv2DBackpropInput:
    case OpCode::Conv2DBackpropFilter:
      ints(i64s("strides"));
      ints(i64s("padding"));
      break;
    case OpCode::OneHot:
      a.push(type.getShape().back());
      a.f[0] = f64(&op, "on");
      a.f[1] = f64(&op, "off");
      break;
    case OpCode::Pad:
      ints(i64s("low"));
      a.f[0] = f64(&op, "value");
      break;
    case OpCode::Slice:
      ints(i64s("starts"));
      ints(i64s("steps"));
      break;
    default:
      break;
    }
    s.out = int(num_slots_++);
    slots[op.getResult(0)] = s.out;
    steps_.push_back(std::move(s));
  }
  for (mlir::Value v : outputs)
    outputs_.push_back(slots.at(v));
}

std::vector<Tensor> Program::run(const std::vector<Tensor> &tensors,
                                 const std::vector<Variable> &variables,
                                 bool record, int device) const {
  // By default a program runs where its inputs are: its constants and
  // fills too (a gradient program of a tape on a GPU stays on that GPU).
  // A program without inputs uses the thread's current device.
  if (device == kByInputs) {
    device = current_device_index();
    bool inputs = false;
    for (const Tensor &t : tensors)
      if (t.defined() && (!inputs || t.impl()->device != runtime::kHost)) {
        device = t.impl()->device;
        inputs = true;
      }
    for (const Variable &v : variables)
      if (v.defined() && (!inputs || v.impl()->device != runtime::kHost)) {
        device = v.impl()->device;
        inputs = true;
      }
  }
  DeviceIndexScope on(device);
  // On the stack for the small programs of replayed regions.
  llvm::SmallVector<Tensor, 32> values(num_slots_);
  llvm::SmallVector<VariableImpl *, 32> vars(num_slots_, nullptr);
  for (size_t i = 0; i < reads_.size(); ++i) {
    if (!reads_[i])
      continue;
    if (i < variables.size() && variables[i].defined())
      vars[i] = variables[i].impl();
    else if (!record)
      // A compiled region's ops all run on its device (lib/Jit.cpp).
      values[i] = transfer(tensors.at(i).impl(), device);
    else
      values[i] = tensors.at(i);
  }
  for (const Step &s : steps_) {
    if (s.fused) {
      std::vector<Tensor> held; // row-major copies of strided inputs
      llvm::SmallVector<const TensorImpl *, 8> ins;
      for (int slot : s.in) {
        TensorImpl *t = values[slot].impl();
        if (!t->contiguous) {
          held.push_back(interpreted_copy(t));
          t = held.back().impl();
        }
        ins.push_back(t);
      }
      llvm::SmallVector<TensorImpl *, 4> outs;
      for (size_t k = 0; k < s.outs.size(); ++k) {
        TensorImpl *t =
            new_impl(s.out_types[k].first, s.out_types[k].second.list());
        values[s.outs[k]] = Tensor(t);
        t->device = int8_t(device);
        allocate(t);
        outs.push_back(t);
      }
      if (profiling()) {
        ProfileScope timed(s.label);
        (*s.fused)(ins, outs);
      } else {
        (*s.fused)(ins, outs);
      }
      continue;
    }
    Record r = s.record;
    if (s.var >= 0)
      r.attrs.var = vars[s.var];
    if (s.constant >= 0)
      r.attrs.host = constants_[s.constant].data();
    if (s.counters) {
      r.attrs.u[0] = uint64_t(values[s.in[0]].item<int64_t>());
      r.attrs.u[1] = uint64_t(values[s.in[1]].item<int64_t>());
    } else {
      for (int slot : s.in)
        r.add_input(values[slot].impl());
    }
    if (record) {
      values[s.out] = ej::detail::run(r, s.dtype, s.shape.list());
    } else {
      r.result = new_impl(s.dtype, s.shape.list());
      r.result->device = int8_t(device);
      values[s.out] = Tensor(r.result);
      interpret(r);
    }
  }
  std::vector<Tensor> out;
  out.reserve(outputs_.size());
  for (int slot : outputs_)
    out.push_back(values[slot]);
  return out;
}

} // namespace ej::detail
