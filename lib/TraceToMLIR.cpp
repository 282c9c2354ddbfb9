//===- TraceToMLIR.cpp - Records as ej ops --------------------------------===//
//
// Each captured record becomes one ej op, named after its entry in
// lib/Ops.def, with the record's result type; `TraceConverter::convert`
// writes the attributes an op carries and lib/Program.cpp reads them back.
// Values are found by the TensorImpl that holds them: a record's result
// defines it, a tensor nobody in the region made is a function argument.
//
//===----------------------------------------------------------------------===//
#include "lib/TraceToMLIR.h"
#include "ej/jit.h"
#include "lib/OpSupport.h"
#include "lib/Program.h"
#include "lib/VariableImpl.h"

#include "dialects/Ej/EjRegistration.h"
#include "dialects/Ej/IR/EjOps.h"

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

namespace ej::detail {

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
  if (t.isInteger(64))
    return int64;
  fail("mlir", "element type " + type_str(t) +
                   " is not one of f32, f64, i1, i32 and i64");
}

mlir::RankedTensorType tensor_type(mlir::MLIRContext &ctx,
                                   const TensorImpl *t) {
  return mlir::RankedTensorType::get(llvm::ArrayRef<int64_t>(t->shape, t->rank),
                                     element_type(ctx, t->dtype));
}

static mlir::DialectRegistry
ej_registry(void (*extra)(mlir::DialectRegistry &)) {
  mlir::DialectRegistry r;
  mlir::ej::registerAllEjDialects(r);
  if (extra)
    extra(r);
  return r;
}

DiagnosedContext::DiagnosedContext(void (*extra)(mlir::DialectRegistry &))
    : ctx(ej_registry(extra)), handler(&ctx, [this](mlir::Diagnostic &d) {
        diagnostics += located(d);
        return mlir::success();
      }) {
  // The ej set is small; a larger one (the code generator's) loads on use.
  if (!extra)
    ctx.loadAllAvailableDialects();
}

namespace {

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

} // namespace

TraceConverter::TraceConverter(mlir::MLIRContext &ctx, const std::string &name,
                               bool leaves_as_arguments)
    : ctx_(ctx), b_(&ctx), leaves_as_arguments_(leaves_as_arguments),
      loc_(mlir::UnknownLoc::get(&ctx)) {
  module_ = mlir::ModuleOp::create(b_.getUnknownLoc());
  b_.setInsertionPointToEnd(module_->getBody());
  func_ = mlir::func::FuncOp::create(b_, b_.getUnknownLoc(), name,
                                     b_.getFunctionType({}, {}));
  body_ = func_.addEntryBlock();
  b_.setInsertionPointToEnd(body_);
}

void TraceConverter::convert(const std::vector<CapturedRecord> &records) {
  records_ = &records;
  for (size_t i = 0; i < records.size(); ++i) {
    const Record &r = records[i].record;
    if (leaves_as_arguments_ && r.size() == 0 && !r.attrs.var)
      continue;
    // Constants and fills are written where they are first used, so that
    // values nobody reads (a literal re-made in another dtype) vanish.
    if (r.op == OpCode::Constant || r.op == OpCode::Fill) {
      deferred_[r.result] = i;
      continue;
    }
    convert(i);
  }
}

mlir::OwningOpRef<mlir::ModuleOp>
TraceConverter::finish(const std::vector<Tensor> &results) {
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

mlir::Value TraceConverter::variable_of(const VariableImpl *v) {
  auto it = variables_.find(v);
  if (it != variables_.end())
    return it->second;
  auto value =
      mlir::RankedTensorType::get(v->shape, element_type(ctx_, v->dtype));
  mlir::Value arg = body_->addArgument(
      mlir::ej::VariableType::get(&ctx_, value), b_.getUnknownLoc());
  variables_[v] = arg;
  arguments_.push_back({nullptr, v});
  return arg;
}

mlir::Value TraceConverter::value_of(const TensorImpl *t) {
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
  arguments_.push_back({t, nullptr});
  return arg;
}

// Placeholders for the generator's seed and base offset; finish() turns
// them into the last arguments.
mlir::Value TraceConverter::counter(mlir::Value &slot) {
  if (!slot) {
    mlir::OpBuilder::InsertionGuard guard(b_);
    b_.setInsertionPointToStart(body_);
    auto type = mlir::RankedTensorType::get({}, b_.getI64Type());
    slot = mlir::ej::ConstantOp::create(
        b_, loc_, mlir::DenseElementsAttr::get(type, int64_t(0)));
  }
  return slot;
}

void TraceConverter::convert(size_t index) {
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
    state.addAttribute(uniform ? "minval" : "mean", b_.getF64FloatAttr(a.f[0]));
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
  case OpCode::Conv2D:
  case OpCode::Conv2DBackpropInput:
  case OpCode::Conv2DBackpropFilter:
    state.addAttribute("strides", i64s(0, 2));
    state.addAttribute("padding", i64s(2, 4));
    break;
  case OpCode::MaxPool:
  case OpCode::MaxPoolGrad:
  case OpCode::AvgPool:
  case OpCode::AvgPoolGrad:
    state.addAttribute("window", i64s(0, 2));
    state.addAttribute("strides", i64s(2, 2));
    state.addAttribute("padding", i64s(4, 4));
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

namespace {

// Clears a capture on every way out.
struct CaptureScope {
  std::vector<CapturedRecord> records;
  CaptureScope() { Trace::current().add_capture(&records); }
  ~CaptureScope() { Trace::current().remove_capture(&records); }
};

} // namespace
} // namespace ej::detail

// --- ej programs run by the interpreter ----------------------------------

namespace ej::jit {
using namespace detail;

namespace {

// A program's text, parsed and verified, and the function asked for.
struct Parsed : DiagnosedContext {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp func;

  Parsed(const std::string &text, const std::string &name,
         const std::string &source, const char *op) {
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
    if (!func.getBody().hasOneBlock())
      fail(op,
           "@" + func.getSymName().str() + " has no body or several blocks");
  }
};

} // namespace

std::vector<TensorType> mlir_arguments(const std::string &text,
                                       const std::string &name,
                                       const std::string &source) {
  Parsed p(text, name, source, "mlir_arguments");
  std::vector<TensorType> types;
  for (mlir::Type t : p.func.getArgumentTypes()) {
    auto var = mlir::dyn_cast<mlir::ej::VariableType>(t);
    auto rt =
        var ? var.getValueType() : mlir::dyn_cast<mlir::RankedTensorType>(t);
    if (!rt)
      fail("mlir_arguments",
           "argument types must be ranked tensors or variables");
    if (!rt.hasStaticShape())
      fail("mlir_arguments", "argument " + std::to_string(types.size()) +
                                 " has the dynamic shape " + type_str(t) +
                                 "; arguments need static shapes");
    types.push_back(
        {rt.getShape().vec(), dtype_of_type(rt.getElementType()), bool(var)});
  }
  return types;
}

std::vector<Tensor> run_mlir(const std::string &text,
                             const std::vector<Tensor> &inputs,
                             const std::string &name,
                             const std::string &source) {
  Parsed p(text, name, source, "run_mlir");
  mlir::Block &body = p.func.getBody().front();
  if (inputs.size() != body.getNumArguments())
    fail("run_mlir", "@" + p.func.getSymName().str() + " takes " +
                         std::to_string(body.getNumArguments()) +
                         " arguments, got " + std::to_string(inputs.size()));
  std::vector<Variable> variables(inputs.size());
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
      variables[i] = Variable(inputs[i]);
      variable_args.push_back(variables[i]);
    }
  }
  auto ret = mlir::dyn_cast<mlir::func::ReturnOp>(body.getTerminator());
  if (!ret)
    fail("run_mlir", "@" + p.func.getSymName().str() + " has no return");
  llvm::SmallVector<mlir::Value> args(body.getArguments());
  llvm::SmallVector<mlir::Value> results(ret.getOperands());
  Program program(body, args, results, "run_mlir");
  std::vector<Tensor> out = program.run(inputs, variables);
  for (const Variable &v : variable_args)
    out.push_back(v.read());
  return out;
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

  DiagnosedContext context;
  TraceConverter conv(context.ctx, name);
  for (const Tensor &a : args)
    conv.add_argument(a.impl());
  conv.convert(records);
  mlir::OwningOpRef<mlir::ModuleOp> module = conv.finish(results);
  if (mlir::failed(mlir::verify(*module)))
    fail("trace_to_mlir", "the trace does not verify: " + context.diagnostics);
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
