//===- TraceToMLIR.cpp - Records as ej ops, and ej ops as records --------===//
//
// Each captured record becomes one ej op, named after its entry in
// lib/Ops.def, with the record's result type; `Converter::convert` writes the
// attributes an op carries and `decode` reads them back, side by side in this
// file. Values are found by the TensorImpl that holds them: a record's result
// defines it, a tensor nobody in the region made is a function argument.
//
//===----------------------------------------------------------------------===//
#include "ej/jit.h"
#include "lib/OpSupport.h"
#include "lib/Trace.h"
#include "lib/VariableImpl.h"

#include "dialects/Ej/IR/EjOps.h"
#include "dialects/Ej/EjRegistration.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <fstream>

namespace ej::jit {
using namespace detail;

namespace {

mlir::Type element_type(mlir::MLIRContext &ctx, DType t) {
  switch (t) {
  case DType::Bool:
    return mlir::IntegerType::get(&ctx, 1);
  case DType::Int32:
    return mlir::IntegerType::get(&ctx, 32);
  case DType::Int64:
    return mlir::IntegerType::get(&ctx, 64);
  case DType::Float32:
    return mlir::Float32Type::get(&ctx);
  case DType::Float64:
    return mlir::Float64Type::get(&ctx);
  }
  return {};
}

std::string type_str(mlir::Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

// "file:line:col: message\n", as mlir-opt writes diagnostics.
std::string located(mlir::Diagnostic &d) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto fl = mlir::dyn_cast<mlir::FileLineColLoc>(d.getLocation()))
    os << fl.getFilename().getValue() << ":" << fl.getLine() << ":"
       << fl.getColumn();
  else
    os << d.getLocation();
  os << ": " << d.str() << "\n";
  return s;
}

DType dtype_of_type(mlir::Type t) {
  if (t.isF32())
    return float32;
  if (t.isF64())
    return float64;
  if (t.isInteger(1))
    return bool_;
  if (t.isInteger(32))
    return int32;
  return int64;
}

mlir::RankedTensorType tensor_type(mlir::MLIRContext &ctx,
                                   const TensorImpl *t) {
  return mlir::RankedTensorType::get(llvm::ArrayRef<int64_t>(t->shape, t->rank),
                                     element_type(ctx, t->dtype));
}

// The elements of `t` (any strides) as a dense attribute.
mlir::DenseElementsAttr elements(mlir::RankedTensorType type, const Tensor &t) {
  switch (t.dtype()) {
  case DType::Bool: {
    std::vector<bool> v = t.to_vector<bool>();
    llvm::SmallVector<bool> b(v.begin(), v.end());
    return mlir::DenseElementsAttr::get(type, llvm::ArrayRef<bool>(b));
  }
  case DType::Int32:
    return mlir::DenseElementsAttr::get(type,
                                        llvm::ArrayRef(t.to_vector<int32_t>()));
  case DType::Int64:
    return mlir::DenseElementsAttr::get(type,
                                        llvm::ArrayRef(t.to_vector<int64_t>()));
  case DType::Float32:
    return mlir::DenseElementsAttr::get(type,
                                        llvm::ArrayRef(t.to_vector<float>()));
  case DType::Float64:
    return mlir::DenseElementsAttr::get(type,
                                        llvm::ArrayRef(t.to_vector<double>()));
  }
  return {};
}

class Converter {
public:
  Converter(mlir::MLIRContext &ctx, const std::string &name)
      : ctx_(ctx), b_(&ctx) {
    module_ = mlir::ModuleOp::create(b_.getUnknownLoc());
    b_.setInsertionPointToEnd(module_->getBody());
    func_ = mlir::func::FuncOp::create(b_, b_.getUnknownLoc(), name,
                                       b_.getFunctionType({}, {}));
    body_ = func_.addEntryBlock();
    b_.setInsertionPointToEnd(body_);
  }

  void add_argument(const TensorImpl *t) { value_of(t); }

  void convert(const std::vector<CapturedRecord> &records) {
    records_ = &records;
    for (size_t i = 0; i < records.size(); ++i) {
      // Constants and fills are written where they are first used, so that
      // values nobody reads (a literal re-made in another dtype) vanish.
      OpCode op = records[i].record.op;
      if (op == OpCode::Constant || op == OpCode::Fill) {
        deferred_[records[i].record.result] = i;
        continue;
      }
      convert(i);
    }
  }

  mlir::OwningOpRef<mlir::ModuleOp> finish(const std::vector<Tensor> &results) {
    llvm::SmallVector<mlir::Value> values;
    loc_ = b_.getUnknownLoc();
    for (const Tensor &r : results)
      values.push_back(value_of(r.impl()));
    // The generator's state comes last among the arguments.
    if (seed_)
      seed_.replaceAllUsesWith(body_->addArgument(seed_.getType(), loc_));
    if (offset_)
      offset_.replaceAllUsesWith(body_->addArgument(offset_.getType(), loc_));
    mlir::func::ReturnOp::create(b_, loc_, values);
    for (mlir::Value v : {seed_, offset_})
      if (v)
        v.getDefiningOp()->erase();
    func_.setType(b_.getFunctionType(body_->getArgumentTypes(),
                                     mlir::ValueRange(values).getTypes()));
    return std::move(module_);
  }

private:
  mlir::Value variable_of(const VariableImpl *v) {
    auto it = variables_.find(v);
    if (it != variables_.end())
      return it->second;
    auto value =
        mlir::RankedTensorType::get(v->shape, element_type(ctx_, v->dtype));
    mlir::Value arg = body_->addArgument(
        mlir::ej::VariableType::get(&ctx_, value), b_.getUnknownLoc());
    variables_[v] = arg;
    return arg;
  }

  mlir::Value value_of(const TensorImpl *t) {
    auto it = values_.find(t);
    if (it != values_.end())
      return it->second;
    auto deferred = deferred_.find(t);
    if (deferred != deferred_.end()) {
      mlir::Location use = loc_;
      convert(deferred->second);
      loc_ = use;
      return values_[t];
    }
    mlir::Value arg =
        body_->addArgument(tensor_type(ctx_, t), b_.getUnknownLoc());
    values_[t] = arg;
    return arg;
  }

  // Placeholders for the generator's seed and base offset; finish() turns
  // them into the last arguments.
  mlir::Value counter(mlir::Value &slot) {
    if (!slot) {
      mlir::OpBuilder::InsertionGuard guard(b_);
      b_.setInsertionPointToStart(body_);
      auto type = mlir::RankedTensorType::get({}, b_.getI64Type());
      slot = mlir::ej::ConstantOp::create(
          b_, loc_, mlir::DenseElementsAttr::get(type, int64_t(0)));
    }
    return slot;
  }

  void convert(size_t index) {
    loc_ = mlir::FileLineColLoc::get(&ctx_, "trace", unsigned(index), 0);
    const CapturedRecord &c = (*records_)[index];
    const Record &r = c.record;
    const TensorImpl *out = r.result;
    mlir::RankedTensorType type = tensor_type(ctx_, out);
    mlir::OperationState state(loc_, std::string("ej.") + op_name(r.op));
    if (r.attrs.var)
      state.addOperands(variable_of(r.attrs.var));
    for (size_t i = 0; i < r.size(); ++i)
      state.addOperands(value_of(r.input(i)));
    const Attrs &a = r.attrs;
    auto i64s = [&](size_t from, size_t n) {
      return b_.getDenseI64ArrayAttr(llvm::ArrayRef<int64_t>(a.ints + from, n));
    };
    mlir::Type result = type;
    switch (r.op) {
    case OpCode::Constant:
      state.addAttribute("value", elements(type, c.refs.back()));
      break;
    case OpCode::Fill:
      state.addAttribute("value", b_.getF64FloatAttr(a.f[0]));
      break;
    case OpCode::Arange:
      state.addAttribute("start", b_.getF64FloatAttr(a.f[0]));
      state.addAttribute("step", b_.getF64FloatAttr(a.f[1]));
      break;
    case OpCode::Linspace:
      state.addAttribute("start", b_.getF64FloatAttr(a.f[0]));
      state.addAttribute("stop", b_.getF64FloatAttr(a.f[1]));
      break;
    case OpCode::RandomUniform:
    case OpCode::RandomNormal: {
      bool uniform = r.op == OpCode::RandomUniform;
      if (seed_value_ && *seed_value_ != a.u[0])
        fail("trace_to_mlir", "the seed changed inside the traced function");
      seed_value_ = a.u[0];
      if (!base_offset_)
        base_offset_ = a.u[1];
      mlir::Value offset = counter(offset_);
      if (a.u[1] != *base_offset_) {
        auto t = mlir::RankedTensorType::get({}, b_.getI64Type());
        mlir::Value delta = mlir::ej::ConstantOp::create(
            b_, loc_,
            mlir::DenseElementsAttr::get(t, int64_t(a.u[1] - *base_offset_)));
        offset = mlir::ej::AddOp::create(b_, loc_, offset, delta);
      }
      state.addOperands({counter(seed_), offset});
      state.addAttribute(uniform ? "minval" : "mean",
                         b_.getF64FloatAttr(a.f[0]));
      state.addAttribute(uniform ? "maxval" : "stddev",
                         b_.getF64FloatAttr(a.f[1]));
      break;
    }
#define EJ_REDUCE(Name, name) case OpCode::Name:
#include "lib/Ops.def"
      state.addAttribute("axes", i64s(0, a.num_ints));
      if (a.keepdims)
        state.addAttribute("keepdims", b_.getUnitAttr());
      break;
    case OpCode::ArgMax:
    case OpCode::ArgMin:
    case OpCode::Concat:
    case OpCode::Gather:
      state.addAttribute("axis", b_.getI64IntegerAttr(a.ints[0]));
      break;
    case OpCode::Transpose:
      state.addAttribute("perm", i64s(0, a.num_ints));
      break;
    case OpCode::OneHot:
      state.addAttribute("on", b_.getF64FloatAttr(a.f[0]));
      state.addAttribute("off", b_.getF64FloatAttr(a.f[1]));
      break;
    case OpCode::Pad: {
      const TensorImpl *x = r.input(0);
      llvm::SmallVector<int64_t> high;
      for (int d = 0; d < x->rank; ++d)
        high.push_back(out->shape[d] - x->shape[d] - a.ints[d]);
      state.addAttribute("low", i64s(0, size_t(x->rank)));
      state.addAttribute("high", b_.getDenseI64ArrayAttr(high));
      state.addAttribute("value", b_.getF64FloatAttr(a.f[0]));
      break;
    }
    case OpCode::Slice: {
      // An integer index (step 0) keeps a size-1 axis in ej.slice; an
      // ej.reshape then drops it.
      const TensorImpl *x = r.input(0);
      llvm::SmallVector<int64_t> steps, shape;
      int k = 0;
      for (int d = 0; d < x->rank; ++d) {
        int64_t step = a.ints[x->rank + d];
        steps.push_back(step ? step : 1);
        shape.push_back(step ? out->shape[k++] : 1);
      }
      state.addAttribute("starts", i64s(0, size_t(x->rank)));
      state.addAttribute("steps", b_.getDenseI64ArrayAttr(steps));
      result = mlir::RankedTensorType::get(shape, type.getElementType());
      break;
    }
    default: // no attributes: the result type says it all
      break;
    }
    state.addTypes(result);
    mlir::Value v = b_.create(state)->getResult(0);
    if (result != type)
      v = mlir::ej::ReshapeOp::create(b_, loc_, type, v);
    values_[out] = v;
  }

  mlir::MLIRContext &ctx_;
  mlir::OpBuilder b_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  mlir::func::FuncOp func_;
  mlir::Block *body_;
  mlir::Location loc_ = mlir::UnknownLoc::get(&ctx_);
  llvm::DenseMap<const TensorImpl *, mlir::Value> values_;
  const std::vector<CapturedRecord> *records_ = nullptr;
  llvm::DenseMap<const TensorImpl *, size_t> deferred_;
  llvm::DenseMap<const VariableImpl *, mlir::Value> variables_;
  mlir::Value seed_, offset_;
  std::optional<uint64_t> seed_value_, base_offset_;
};

// Clears a capture on every way out.
struct CaptureScope {
  std::vector<CapturedRecord> records;
  CaptureScope() { Trace::current().add_capture(&records); }
  ~CaptureScope() { Trace::current().remove_capture(&records); }
};

} // namespace

// --- ej ops as records ---------------------------------------------------

namespace {

OpCode opcode_of(llvm::StringRef name) {
  static const llvm::StringMap<OpCode> codes = [] {
    llvm::StringMap<OpCode> m;
#define EJ_OP(Name, name) m[#name] = OpCode::Name;
#include "lib/Ops.def"
    return m;
  }();
  auto it = codes.find(name);
  if (it == codes.end())
    fail("run_mlir", "'" + name.str() + "' is not an ej op");
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

// Runs one ej op: its record, with the attributes `convert` wrote.
// `variable` is the op's variable operand, if it has one.
Tensor decode_and_run(mlir::Operation *op, const std::vector<Tensor> &inputs,
                      const Variable &variable) {
  OpCode code = opcode_of(op->getName().stripDialect());
  Record r(code);
  r.attrs.var = variable.impl();
  // A random op's seed and offset operands are attributes of its record.
  bool counters = code == OpCode::RandomUniform || code == OpCode::RandomNormal;
  for (const Tensor &t : inputs)
    if (!counters)
      r.add_input(t.impl());
  auto type = mlir::cast<mlir::RankedTensorType>(op->getResult(0).getType());
  DType dtype = dtype_of_type(type.getElementType());
  Attrs &a = r.attrs;
  a.dtype = dtype;
  auto ints = [&](llvm::ArrayRef<int64_t> v) {
    for (int64_t x : v)
      a.push(x);
  };
  auto i64s = [&](llvm::StringRef name) {
    return mlir::cast<mlir::DenseI64ArrayAttr>(op->getAttr(name)).asArrayRef();
  };
  std::vector<uint8_t> constant;
  switch (code) {
  case OpCode::Constant:
    constant = host_bytes(
        mlir::cast<mlir::DenseElementsAttr>(op->getAttr("value")), dtype);
    a.host = constant.data();
    break;
  case OpCode::Fill:
    a.f[0] = f64(op, "value");
    break;
  case OpCode::Arange:
    a.f[0] = f64(op, "start");
    a.f[1] = f64(op, "step");
    break;
  case OpCode::Linspace:
    a.f[0] = f64(op, "start");
    a.f[1] = f64(op, "stop");
    break;
  case OpCode::RandomUniform:
  case OpCode::RandomNormal: {
    bool uniform = code == OpCode::RandomUniform;
    a.u[0] = uint64_t(inputs[0].item<int64_t>());
    a.u[1] = uint64_t(inputs[1].item<int64_t>());
    a.f[0] = f64(op, uniform ? "minval" : "mean");
    a.f[1] = f64(op, uniform ? "maxval" : "stddev");
    break;
  }
#define EJ_REDUCE(Name, name) case OpCode::Name:
#include "lib/Ops.def"
    ints(i64s("axes"));
    a.keepdims = op->hasAttr("keepdims");
    for (int64_t d : i64s("axes"))
      if ((code == OpCode::ReduceMax || code == OpCode::ReduceMin) &&
          inputs[0].dim(d) == 0)
        fail(op->getName().getStringRef().data(),
             "cannot reduce an empty axis");
    break;
  case OpCode::ArgMax:
  case OpCode::ArgMin:
  case OpCode::Concat:
  case OpCode::Gather:
    a.push(mlir::cast<mlir::IntegerAttr>(op->getAttr("axis")).getInt());
    break;
  case OpCode::Transpose:
    ints(i64s("perm"));
    break;
  case OpCode::OneHot:
    a.push(type.getShape().back());
    a.f[0] = f64(op, "on");
    a.f[1] = f64(op, "off");
    break;
  case OpCode::Pad:
    ints(i64s("low"));
    a.f[0] = f64(op, "value");
    break;
  case OpCode::Slice:
    ints(i64s("starts"));
    ints(i64s("steps"));
    break;
  default:
    break;
  }
  return run(r, dtype, IntList(type.getShape().data(), type.getShape().size()));
}

struct Program {
  mlir::MLIRContext ctx;
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp func;

  static mlir::DialectRegistry registry() {
    mlir::DialectRegistry r;
    mlir::ej::registerAllEjDialects(r);
    return r;
  }

  Program(const std::string &text, const std::string &name,
          const std::string &source, const char *op)
      : ctx(registry()), handler(&ctx, [this](mlir::Diagnostic &d) {
          diagnostics += located(d);
          return mlir::success();
        }) {
    module = mlir::parseSourceString<mlir::ModuleOp>(text, &ctx, source);
    if (!module || mlir::failed(mlir::verify(*module)))
      fail(op, "the program does not parse or verify:\n" + diagnostics);
    module->walk([&](mlir::func::FuncOp f) {
      if (!func && (name.empty() || f.getSymName() == name))
        func = f;
    });
    if (!func)
      fail(op, name.empty() ? std::string("the program has no function")
                            : "the program has no function @" + name);
  }
};

} // namespace

std::vector<TensorType> mlir_arguments(const std::string &text,
                                       const std::string &name,
                                       const std::string &source) {
  Program p(text, name, source, "mlir_arguments");
  std::vector<TensorType> types;
  for (mlir::Type t : p.func.getArgumentTypes()) {
    auto var = mlir::dyn_cast<mlir::ej::VariableType>(t);
    auto rt =
        var ? var.getValueType() : mlir::dyn_cast<mlir::RankedTensorType>(t);
    if (!rt)
      fail("mlir_arguments",
           "argument types must be ranked tensors or variables");
    types.push_back(
        {rt.getShape().vec(), dtype_of_type(rt.getElementType()), bool(var)});
  }
  return types;
}

std::vector<Tensor> run_mlir(const std::string &text,
                             const std::vector<Tensor> &inputs,
                             const std::string &name,
                             const std::string &source) {
  Program p(text, name, source, "run_mlir");
  mlir::Block &body = p.func.getBody().front();
  if (inputs.size() != body.getNumArguments())
    fail("run_mlir", "@" + p.func.getSymName().str() + " takes " +
                         std::to_string(body.getNumArguments()) +
                         " arguments, got " + std::to_string(inputs.size()));
  llvm::DenseMap<mlir::Value, Tensor> values;
  llvm::DenseMap<mlir::Value, Variable> variables;
  std::vector<Variable> variable_args;
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    TensorImpl *t = need(inputs[i], "run_mlir", "inputs");
    mlir::Type want = arg.getType();
    if (auto v = mlir::dyn_cast<mlir::ej::VariableType>(want))
      want = v.getValueType();
    if (tensor_type(p.ctx, t) != want) {
      fail("run_mlir", "input " + std::to_string(i) + " has shape " +
                           shape_of(t) + " and dtype " + dtype_name(t->dtype) +
                           ", but the argument is " + type_str(arg.getType()));
    }
    if (mlir::isa<mlir::ej::VariableType>(arg.getType())) {
      variables[arg] = Variable(inputs[i]);
      variable_args.push_back(variables[arg]);
    } else {
      values[arg] = inputs[i];
    }
  }
  for (mlir::Operation &op : body) {
    std::vector<Tensor> in;
    Variable variable;
    for (mlir::Value v : op.getOperands()) {
      if (mlir::isa<mlir::ej::VariableType>(v.getType()))
        variable = variables.lookup(v);
      else
        in.push_back(values.lookup(v));
    }
    if (mlir::isa<mlir::func::ReturnOp>(op)) {
      for (const Variable &v : variable_args)
        in.push_back(v.read());
      return in;
    }
    if (op.getDialect() == nullptr || op.getDialect()->getNamespace() != "ej" ||
        op.getNumResults() != 1)
      fail("run_mlir", "cannot run '" + op.getName().getStringRef().str() +
                           "': only ej ops run in the interpreter");
    values[op.getResult(0)] = decode_and_run(&op, in, variable);
  }
  fail("run_mlir", "@" + p.func.getSymName().str() + " has no return");
}

// --- records as ej ops -------------------------------------------------------

std::string trace_to_mlir(const TracedFn &fn, const std::vector<Tensor> &args,
                          const std::string &name) {
  for (const Tensor &a : args)
    need(a, "trace_to_mlir", "args");
  std::vector<Tensor> results;
  std::vector<CapturedRecord> records;
  {
    CaptureScope scope;
    results = fn(args);
    records = std::move(scope.records);
  }
  for (const Tensor &r : results)
    need(r, "trace_to_mlir", "the function's results");

  mlir::DialectRegistry registry;
  mlir::ej::registerAllEjDialects(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    diagnostics += located(d);
    return mlir::success();
  });
  Converter conv(ctx, name);
  for (const Tensor &a : args)
    conv.add_argument(a.impl());
  conv.convert(records);
  mlir::OwningOpRef<mlir::ModuleOp> module = conv.finish(results);
  if (mlir::failed(mlir::verify(*module)))
    fail("trace_to_mlir", "the trace does not verify: " + diagnostics);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, mlir::OpPrintingFlags().enableDebugInfo(/*enable=*/true,
                                                            /*pretty=*/false));
  return text;
}

void dump_trace(const TracedFn &fn, const std::vector<Tensor> &args,
                const std::string &path, const std::string &name) {
  std::string text = trace_to_mlir(fn, args, name);
  std::ofstream f(path, std::ios::binary);
  if (!(f << text) || !f.flush())
    fail("dump_trace", "cannot write " + path);
}

} // namespace ej::jit
