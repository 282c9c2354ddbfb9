//===- EjToCUDA.cpp - CUDA C from ej.fusion regions -----------------------===//
//
// A fusion is planned as a sequence of steps: row groups (reductions over
// the same rows, one kernel with one block per row), cuBLAS calls (matmul)
// and elementwise kernels (one per output shape) between them. Everything
// else is computed where it is used, by evaluating a value at an index: an
// elementwise op evaluates its operands at the broadcast index, a shape op
// maps the index (affine expressions, so that vector loads can be proven
// contiguous), a reduction is the row's register when the index is the
// kernel's own row, and a load of the buffer an earlier step wrote
// otherwise. The per-element math is codegen/ScalarMath's (CudaScalar.h).
//
//===----------------------------------------------------------------------===//
#include "codegen/EjToCUDA.h"
#include "codegen/CudaReduction.h"
#include "codegen/CudaScalar.h"
#include "codegen/Passes.h"
#include "codegen/ScalarMath.h"
#include "dialects/Ej/EjRegistration.h"
#include "dialects/Ej/IR/EjOps.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

#include <limits>
#include <optional>

using namespace mlir;
using namespace mlir::ej;
using cuda::cType;

namespace {

using Index = SmallVector<AffineExpr, 4>;

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

CudaBufferType bufferTypeOf(RankedTensorType t) {
  CudaBufferType b;
  llvm::raw_string_ostream os(b.element);
  t.getElementType().print(os);
  b.shape.assign(t.getShape().begin(), t.getShape().end());
  return b;
}

std::string shapeStr(RankedTensorType t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.getElementType().print(os);
  os << "[";
  llvm::interleave(t.getShape(), os, "x");
  os << "]";
  return s;
}

// Reductions accumulate as codegen/CudaReduction.h says.
using cuda::accumulatorType;
using cuda::initialValue;
using cuda::Reduction;

std::optional<Reduction> reductionOf(Operation *op) {
  if (!isa_and_nonnull<EjDialect>(op->getDialect()))
    return std::nullopt;
  return cuda::reductionOf(op->getName().stripDialect());
}

// Which axes of its operand a reduction reduces.
SmallVector<bool> reducedAxes(Operation *op) {
  int64_t rank = typeOf(op->getOperand(0)).getRank();
  SmallVector<bool> reduced(rank, false);
  if (auto axis = op->getAttrOfType<IntegerAttr>("axis")) {
    reduced[axis.getInt()] = true;
    return reduced;
  }
  ArrayRef<int64_t> axes =
      op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
  for (int64_t d = 0; d < rank; ++d)
    reduced[d] = axes.empty() || llvm::is_contained(axes, d);
  return reduced;
}

bool keepsDims(Operation *op) { return op->hasAttr("keepdims"); }

//===----------------------------------------------------------------------===//
// The plan of a fusion
//===----------------------------------------------------------------------===//

// Reductions over the same rows of the same operand shape, in one kernel.
struct RowGroup {
  SmallVector<int64_t> shape;
  SmallVector<bool> reduced;
  SmallVector<Operation *> reductions;
  // Values of the operand's shape, and values of one element per row (the
  // kept axes, with or without the reduced ones as 1s), written by it.
  SmallVector<std::pair<Value, std::string>> fullOutputs, rowOutputs;

  int64_t rows() const {
    int64_t n = 1;
    for (auto [d, r] : llvm::zip(shape, reduced))
      n *= r ? 1 : d;
    return n;
  }
  // Counted, not divided out of the size: no rows (a kept axis of 0)
  // leaves the columns as many as ever.
  int64_t cols() const {
    int64_t n = 1;
    for (auto [d, r] : llvm::zip(shape, reduced))
      n *= r ? d : 1;
    return n;
  }
};

struct Step {
  std::optional<RowGroup> group; // or a cuBLAS matmul
  Operation *matmul = nullptr;
};

struct ElementwiseKernel {
  int after; // runs after step `after` (-1: first)
  SmallVector<int64_t> shape;
  SmallVector<std::pair<Value, std::string>> outputs;
};

// What one kernel may read, and how its iteration is indexed.
struct KernelScope {
  // C names of the affine dims; `lane` (if set) is the vector lane dim,
  // replaced by the lane being emitted.
  SmallVector<std::string> dims;
  std::optional<unsigned> laneDim;
  unsigned lane = 0;
  // Values of barrier steps before this one can be loaded from memory.
  int before = 0;
  // A row group's kernel: its reductions before `available` are registers
  // named in `registers` when read at the row `rowIndex` (operand-shaped
  // index; only its kept axes matter).
  const RowGroup *group = nullptr;
  unsigned available = 0;
  DenseMap<Operation *, std::string> registers;
  Index rowIndex;
};

class FusionPlan;

//===----------------------------------------------------------------------===//
// Evaluating values at an index, as C statements
//===----------------------------------------------------------------------===//

class Evaluator {
public:
  Evaluator(FusionPlan &plan, KernelScope &scope, raw_ostream &os,
            raw_ostream &globals, unsigned &counter);

  std::string fresh() { return "t" + std::to_string(counter++); }
  void setIndent(unsigned n) {
    indent = n;
    scalars.setIndent(n);
  }
  std::string pad() const { return std::string(indent, ' '); }
  cuda::ScalarPrinter &math() { return scalars; }

  // A C scope of its own (a loop body, a guarded branch): what is computed
  // inside is not visible after it.
  void open() { memo.emplace_back(); }
  void close() { memo.pop_back(); }

  /// The C expression of `v` at `index`, or failure (see `error`).
  FailureOr<std::string> eval(Value v, const Index &index);

  /// Stores `values` (one per lane, lane order) of `v`'s type at `index`
  /// (taken at lane 0) of buffer `name`.
  void store(const std::string &name, RankedTensorType type, const Index &index,
             ArrayRef<std::string> values);

  /// `e` with the lane dim replaced by the current lane, simplified.
  AffineExpr atLane(AffineExpr e, unsigned lane) const;
  AffineExpr simplify(AffineExpr e) const {
    return simplifyAffineExpr(e, scope.dims.size(), 0);
  }
  std::string print(AffineExpr e) const;

  AffineExpr linearize(const Index &index, ArrayRef<int64_t> shape) const;

  std::string error;
  Operation *errorOp = nullptr;
  // Barrier values (reductions, matmuls) this kernel loads from memory.
  llvm::SetVector<Value> loads;
  llvm::StringSet<> reads;
  int guards = 0;

private:
  FailureOr<std::string> compute(Value v, const Index &index);
  std::string load(const std::string &name, RankedTensorType type,
                   const Index &index);
  std::optional<std::string> lookup(const std::string &key) const {
    for (auto &m : llvm::reverse(memo))
      if (auto it = m.find(key); it != m.end())
        return it->second;
    return std::nullopt;
  }
  FailureOr<std::string> fail(Operation *op, const Twine &why) {
    if (error.empty()) {
      error = why.str();
      errorOp = op;
    }
    return failure();
  }
  std::string key(const void *p, const Index &index) const;
  // Whether `offset` (lane 0 .. 3) is 4 consecutive elements starting at a
  // multiple of 4.
  bool contiguous(AffineExpr offset) const;

  FusionPlan &plan;
  KernelScope &scope;
  raw_ostream &os, &globals;
  unsigned &counter;
  cuda::ScalarPrinter scalars;
  SmallVector<llvm::StringMap<std::string>> memo;
  unsigned indent = 0;
};

class FusionPlan {
public:
  FusionPlan(FusionOp fusion, std::string prefix)
      : fusion(fusion), prefix(std::move(prefix)) {}

  MLIRContext *context() { return fusion.getContext(); }
  LogicalResult build();
  LogicalResult emit(raw_ostream &os, std::vector<CudaKernelInfo> &kernels,
                     CudaFusionPlan &run);

  // The step of a barrier value (a reduction or matmul result), if any.
  std::optional<int> stepOf(Value v) const {
    auto it = barrierStep.find(v);
    if (it == barrierStep.end())
      return std::nullopt;
    return it->second;
  }
  // The buffer holding `v`, without making one (dry runs).
  std::string nameOf(Value v) const {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return "in" + std::to_string(arg.getArgNumber());
    auto it = buffers.find(v);
    return it == buffers.end() ? std::string("pending") : it->second;
  }
  // Names for the dense constants of the fusion's kernels.
  std::string constantName() {
    return prefix + "_c" + std::to_string(constants++);
  }
  // The buffer holding `v` (an input, a result or a temporary).
  std::string bufferOf(Value v) {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return "in" + std::to_string(arg.getArgNumber());
    auto it = buffers.find(v);
    if (it != buffers.end())
      return it->second;
    std::string name = "tmp" + std::to_string(temps.size());
    temps.push_back(v);
    buffers[v] = name;
    return name;
  }
  RankedTensorType bufferType(StringRef name) {
    for (auto &[v, n] : buffers)
      if (n == name)
        return typeOf(v);
    unsigned i = 0;
    name.drop_front(2).getAsInteger(10, i);
    return typeOf(fusion.getBody().getArgument(i));
  }
  bool isWritten(StringRef name) const { return !name.starts_with("in"); }

private:
  // Dry runs: whether the kernel `scope` can compute `v` at `index`; on
  // success the barrier values it loads are marked materialized.
  LogicalResult tryEval(KernelScope &scope, Value v, const Index &index,
                        bool commit, Operation **errorOp = nullptr,
                        std::string *why = nullptr);
  LogicalResult placeOutput(Value v, const std::string &buffer);
  KernelScope groupScope(const RowGroup &g, int step, bool rowPhase,
                         unsigned available, unsigned width);
  KernelScope elementwiseScope(ArrayRef<int64_t> shape, int after,
                               unsigned width, Index &index);
  std::optional<Index> rowIndexOf(const RowGroup &g, Value v,
                                  const KernelScope &scope);

  void emitGroup(raw_ostream &os, raw_ostream &globals, RowGroup &g, int step,
                 CudaKernelInfo &info);
  void emitElementwise(raw_ostream &os, raw_ostream &globals,
                       ElementwiseKernel &k, CudaKernelInfo &info);
  void signature(raw_ostream &os, const CudaKernelInfo &info,
                 ArrayRef<std::string> writes, int64_t block);

  FusionOp fusion;
  std::string prefix;
  std::vector<Step> steps;
  std::vector<ElementwiseKernel> elementwise;
  DenseMap<Value, int> barrierStep;
  llvm::SetVector<Value> materialized;
  llvm::MapVector<Value, std::string> buffers;
  SmallVector<Value> temps;
  std::string indexType = "int";
  unsigned constants = 0;
};

Evaluator::Evaluator(FusionPlan &plan, KernelScope &scope, raw_ostream &os,
                     raw_ostream &globals, unsigned &counter)
    : plan(plan), scope(scope), os(os), globals(globals), counter(counter),
      scalars(plan.context(), os, [this] { return fresh(); }) {
  memo.emplace_back();
  setIndent(4);
}

std::string Evaluator::key(const void *p, const Index &index) const {
  std::string k;
  llvm::raw_string_ostream s(k);
  s << p;
  for (AffineExpr e : index)
    s << "," << print(atLane(e, scope.lane));
  return k;
}

AffineExpr Evaluator::atLane(AffineExpr e, unsigned lane) const {
  if (!scope.laneDim)
    return e;
  return simplify(e.replace(getAffineDimExpr(*scope.laneDim, e.getContext()),
                            getAffineConstantExpr(lane, e.getContext())));
}

std::string Evaluator::print(AffineExpr e) const {
  if (auto c = dyn_cast<AffineConstantExpr>(e)) {
    int64_t v = c.getValue();
    std::string s = std::to_string(v);
    if (v > std::numeric_limits<int32_t>::max() ||
        v < std::numeric_limits<int32_t>::min())
      s += "LL";
    return v < 0 ? "(" + s + ")" : s;
  }
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return scope.dims[d.getPosition()];
  auto bin = cast<AffineBinaryOpExpr>(e);
  std::string l = print(bin.getLHS());
  switch (e.getKind()) {
  case AffineExprKind::Add: {
    // a + b * -c prints as a - b * c.
    if (auto m = dyn_cast<AffineBinaryOpExpr>(bin.getRHS()))
      if (m.getKind() == AffineExprKind::Mul)
        if (auto c = dyn_cast<AffineConstantExpr>(m.getRHS()))
          if (c.getValue() < 0) {
            AffineExpr pos = m.getLHS() * -c.getValue();
            return "(" + l + " - " + print(pos) + ")";
          }
    if (auto c = dyn_cast<AffineConstantExpr>(bin.getRHS()))
      if (c.getValue() < 0)
        return "(" + l + " - " + std::to_string(-c.getValue()) + ")";
    return "(" + l + " + " + print(bin.getRHS()) + ")";
  }
  case AffineExprKind::Mul:
    return "(" + l + " * " + print(bin.getRHS()) + ")";
  // Indices are never negative where they are computed (guards first).
  case AffineExprKind::FloorDiv:
    return "(" + l + " / " + print(bin.getRHS()) + ")";
  case AffineExprKind::Mod:
    return "(" + l + " % " + print(bin.getRHS()) + ")";
  case AffineExprKind::CeilDiv:
    return "((" + l + " + " + print(bin.getRHS()) + " - 1) / " +
           print(bin.getRHS()) + ")";
  default:
    llvm_unreachable("no symbols in kernel indices");
  }
}

AffineExpr Evaluator::linearize(const Index &index,
                                ArrayRef<int64_t> shape) const {
  MLIRContext *ctx = plan.context();
  AffineExpr e = getAffineConstantExpr(0, ctx);
  int64_t stride = 1;
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
    if (shape[d] != 1)
      e = e + index[d] * stride;
    stride *= shape[d];
  }
  return simplify(e);
}

bool Evaluator::contiguous(AffineExpr offset) const {
  if (!scope.laneDim || guards > 0)
    return false;
  AffineExpr first = atLane(offset, 0);
  auto mod4 = dyn_cast<AffineConstantExpr>(simplify(first % 4));
  if (!mod4 || mod4.getValue() != 0)
    return false;
  for (unsigned k = 1; k < 4; ++k) {
    auto d = dyn_cast<AffineConstantExpr>(simplify(atLane(offset, k) - first));
    if (!d || d.getValue() != int64_t(k))
      return false;
  }
  return true;
}

// The C vector types that hold 4 elements: one 16-byte vector (4-byte
// elements), two (8-byte) or one 4-byte uchar4 (bools).
struct VectorType {
  StringRef name;
  unsigned parts;
};
VectorType vectorOf(Type t) {
  if (t.isF32())
    return {"float4", 1};
  if (t.isInteger(32))
    return {"int4", 1};
  if (t.isF64())
    return {"double2", 2};
  if (t.isInteger(64))
    return {"longlong2", 2};
  return {"uchar4", 1};
}
const char *component(unsigned lane, unsigned parts) {
  static const char *xyzw[] = {"x", "y", "z", "w"};
  return xyzw[parts == 2 ? lane % 2 : lane];
}

std::string Evaluator::load(const std::string &name, RankedTensorType type,
                            const Index &index) {
  reads.insert(name);
  AffineExpr offset = linearize(index, type.getShape());
  Type element = type.getElementType();
  std::string t = cType(element);
  if (contiguous(offset)) {
    // One vector load for the 4 lanes, kept for the lanes after this one.
    VectorType vt = vectorOf(element);
    AffineExpr base = simplify(atLane(offset, 0).floorDiv(4));
    std::string k = "vec:" + name + ":" + print(base);
    std::string v;
    if (auto found = lookup(k)) {
      v = *found;
    } else {
      v = fresh();
      for (unsigned p = 0; p < vt.parts; ++p) {
        std::string at = print(base);
        if (vt.parts > 1)
          at = "(" + at + ") * 2 + " + std::to_string(p);
        os << pad() << "const " << vt.name << " " << v << "_" << p
           << " = reinterpret_cast<const " << vt.name << " *>(" << name << ")["
           << at << "];\n";
      }
      memo.back()[k] = v;
    }
    unsigned part = vt.parts == 2 ? scope.lane / 2 : 0;
    std::string c =
        v + "_" + std::to_string(part) + "." + component(scope.lane, vt.parts);
    return element.isInteger(1) ? "(" + c + " != 0)" : c;
  }
  std::string at = print(atLane(offset, scope.lane));
  std::string k = "ld:" + name + ":" + at;
  if (auto found = lookup(k))
    return *found;
  std::string v = fresh();
  os << pad() << "const " << t << " " << v << " = " << name << "[" << at
     << "];\n";
  memo.back()[k] = v;
  return v;
}

void Evaluator::store(const std::string &name, RankedTensorType type,
                      const Index &index, ArrayRef<std::string> values) {
  AffineExpr offset = linearize(index, type.getShape());
  Type element = type.getElementType();
  if (values.size() == 4 && contiguous(offset)) {
    VectorType vt = vectorOf(element);
    std::string base = print(simplify(atLane(offset, 0).floorDiv(4)));
    std::string make = "make_" + vt.name.str();
    for (unsigned p = 0; p < vt.parts; ++p) {
      std::string at = base;
      if (vt.parts > 1)
        at = "(" + at + ") * 2 + " + std::to_string(p);
      os << pad() << "reinterpret_cast<" << vt.name << " *>(" << name << ")["
         << at << "] = " << make << "(";
      unsigned per = 4 / vt.parts;
      for (unsigned l = 0; l < per; ++l)
        os << (l ? ", " : "") << values[p * per + l];
      os << ");\n";
    }
    return;
  }
  for (auto [lane, value] : llvm::enumerate(values))
    os << pad() << name << "[" << print(atLane(offset, lane)) << "] = " << value
       << ";\n";
}

FailureOr<std::string> Evaluator::eval(Value v, const Index &index) {
  std::string k = key(v.getAsOpaquePointer(), index);
  if (auto found = lookup(k))
    return *found;
  FailureOr<std::string> r = compute(v, index);
  if (succeeded(r))
    memo.back()[k] = *r;
  return r;
}

// The index of a broadcast operand of shape `operand` in a result indexed
// by `index` (right-aligned; size-1 axes read element 0).
Index broadcastIndex(const Index &index, ArrayRef<int64_t> operand,
                     ArrayRef<int64_t> result, MLIRContext *ctx) {
  Index out;
  int64_t r = int64_t(result.size()), o = int64_t(operand.size());
  for (int64_t j = 0; j < o; ++j) {
    int64_t k = j + r - o;
    out.push_back(operand[j] == 1 ? getAffineConstantExpr(0, ctx) : index[k]);
  }
  return out;
}

FailureOr<std::string> Evaluator::compute(Value v, const Index &index) {
  MLIRContext *ctx = plan.context();
  auto type = typeOf(v);
  Type element = type.getElementType();
  if (type.getNumElements() == 0) // never read
    return cuda::literal(scalarAttr(element, 0));
  if (isa<BlockArgument>(v))
    return load(plan.nameOf(v), type, index);
  Operation *op = v.getDefiningOp();

  if (std::optional<int> step = plan.stepOf(v)) {
    // A reduction of this kernel's row group, read at the row: its register.
    if (scope.group) {
      const auto &rs = scope.group->reductions;
      auto it = llvm::find(rs, op);
      if (it != rs.end() && unsigned(it - rs.begin()) < scope.available) {
        SmallVector<bool> reduced = reducedAxes(op);
        bool keep = keepsDims(op);
        bool sameRow = true;
        unsigned k = 0;
        for (auto [d, r] : llvm::enumerate(reduced)) {
          if (r) {
            k += keep;
            continue;
          }
          AffineExpr want = atLane(scope.rowIndex[d], scope.lane);
          AffineExpr got = atLane(index[k++], scope.lane);
          sameRow &= simplify(want - got) == getAffineConstantExpr(0, ctx);
        }
        if (sameRow)
          return scope.registers.lookup(op);
      }
    }
    if (*step < scope.before) {
      loads.insert(v);
      return load(plan.nameOf(v), type, index);
    }
    return fail(op, "needs a value the kernel computes itself");
  }

  if (auto c = dyn_cast<ConstantOp>(op)) {
    auto dense = cast<DenseElementsAttr>(c.getValue());
    if (dense.isSplat())
      return cuda::literal(cast<TypedAttr>(dense.getSplatValue<Attribute>()));
    // A table in constant memory, written once per kernel that reads it.
    std::string name = plan.constantName();
    globals << "__device__ const " << cType(element) << " " << name << "["
            << dense.getNumElements() << "] = {";
    for (auto [i, a] : llvm::enumerate(dense.getValues<Attribute>()))
      globals << (i ? ", " : "") << cuda::literal(cast<TypedAttr>(a));
    globals << "};\n";
    std::string v = fresh();
    os << pad() << "const " << cType(element) << " " << v << " = " << name
       << "[" << print(atLane(linearize(index, type.getShape()), scope.lane))
       << "];\n";
    return v;
  }
  if (auto f = dyn_cast<FillOp>(op))
    return cuda::literal(scalarAttr(element, f.getValue().convertToDouble()));
  if (isa<CopyOp, StopGradientOp>(op))
    return eval(op->getOperand(0), index);

  // Shape ops: the operand at a mapped index.
  if (auto t = dyn_cast<TransposeOp>(op)) {
    Index in(index.size());
    for (auto [i, p] : llvm::enumerate(t.getPerm()))
      in[p] = index[i];
    return eval(t.getOperand(), in);
  }
  if (auto r = dyn_cast<ReshapeOp>(op)) {
    auto from = typeOf(r.getOperand());
    AffineExpr flat = linearize(index, type.getShape());
    Index in;
    int64_t stride = product(from.getShape());
    for (int64_t d : from.getShape()) {
      stride /= std::max<int64_t>(d, 1);
      if (d == 1) {
        in.push_back(getAffineConstantExpr(0, ctx));
        continue;
      }
      AffineExpr e = stride == 1 ? flat : flat.floorDiv(stride);
      if (stride * d != product(from.getShape()))
        e = e % d;
      in.push_back(simplify(e));
    }
    return eval(r.getOperand(), in);
  }
  if (auto s = dyn_cast<SliceOp>(op)) {
    Index in;
    for (auto [i, e] : llvm::enumerate(index))
      in.push_back(simplify(e * s.getSteps()[i] + s.getStarts()[i]));
    return eval(s.getOperand(), in);
  }
  if (isa<PadOp, ConcatOp>(op)) {
    // Guarded reads: the value is picked by branches, each with its own C
    // scope, so that no read happens outside the operand.
    std::string v = fresh();
    os << pad() << cType(element) << " " << v << ";\n";
    auto branch = [&](Value operand, const Index &in) -> LogicalResult {
      ++guards;
      open();
      setIndent(indent + 2);
      FailureOr<std::string> x = eval(operand, in);
      if (succeeded(x))
        os << pad() << v << " = " << *x << ";\n";
      setIndent(indent - 2);
      close();
      --guards;
      return success(succeeded(x));
    };
    if (auto p = dyn_cast<PadOp>(op)) {
      auto in = typeOf(p.getOperand());
      std::string cond;
      Index shifted;
      for (auto [d, e] : llvm::enumerate(index)) {
        int64_t lo = p.getLow()[d];
        std::string at = print(atLane(e, scope.lane));
        cond += (d ? " && " : "") + at + " >= " + std::to_string(lo) + " && " +
                at + " < " + std::to_string(lo + in.getDimSize(d));
        shifted.push_back(simplify(e - lo));
      }
      os << pad() << "if (" << (cond.empty() ? "true" : cond) << ") {\n";
      if (failed(branch(p.getOperand(), shifted)))
        return failure();
      os << pad() << "} else {\n"
         << pad() << "  " << v << " = "
         << cuda::literal(scalarAttr(element, p.getValue().convertToDouble()))
         << ";\n"
         << pad() << "}\n";
      return v;
    }
    auto c = cast<ConcatOp>(op);
    int64_t axis = int64_t(c.getAxis()), offset = 0;
    std::string at = print(atLane(index[axis], scope.lane));
    auto inputs = c.getInputs();
    for (auto [i, x] : llvm::enumerate(inputs)) {
      int64_t size = typeOf(x).getDimSize(axis);
      Index in(index);
      in[axis] = simplify(index[axis] - offset);
      offset += size;
      if (i + 1 < inputs.size())
        os << pad() << (i ? "} else if (" : "if (") << at << " < " << offset
           << ") {\n";
      else
        os << pad() << (i ? "} else {\n" : "{\n");
      if (failed(branch(x, in)))
        return failure();
    }
    os << pad() << "}\n";
    return v;
  }

  StringRef name = op->getName().stripDialect();
  if (isa<EjDialect>(op->getDialect()) && hasScalarMath(name)) {
    SmallVector<std::string> operands;
    for (Value x : op->getOperands()) {
      FailureOr<std::string> e = eval(
          x, broadcastIndex(index, typeOf(x).getShape(), type.getShape(), ctx));
      if (failed(e))
        return failure();
      operands.push_back(*e);
    }
    SmallVector<Type> types;
    for (Value x : op->getOperands())
      types.push_back(typeOf(x).getElementType());
    return scalars.op(name, operands, types, element);
  }
  return fail(op, "has no CUDA C form (the emitter takes elementwise ops, "
                  "reductions, shape ops, constants and matmul)");
}

//===----------------------------------------------------------------------===//
// Planning
//===----------------------------------------------------------------------===//

// `n` as `dims` C variables of the given extents (row-major), declared
// into `os`.
void delinearize(raw_ostream &os, const std::string &pad,
                 const std::string &type, const std::string &counter,
                 ArrayRef<int64_t> extents, ArrayRef<std::string> names) {
  int64_t stride = product(extents);
  // No elements: the loop around never runs (and a stride may be 0).
  bool empty = stride == 0;
  for (auto [i, e] : llvm::enumerate(extents)) {
    stride /= std::max<int64_t>(e, 1);
    os << pad << "const " << type << " " << names[i] << " = ";
    if (e == 1 || empty)
      os << "0";
    else if (i == 0)
      os << (stride == 1 ? counter : counter + " / " + std::to_string(stride));
    else if (stride == 1)
      os << counter << " % " << e;
    else
      os << "(" << counter << " / " << stride << ") % " << e;
    os << ";\n";
  }
}

KernelScope FusionPlan::groupScope(const RowGroup &g, int step, bool rowPhase,
                                   unsigned available, unsigned width) {
  KernelScope s;
  MLIRContext *ctx = context();
  s.group = &g;
  s.before = step;
  s.available = available;
  for (auto [d, r] : llvm::enumerate(g.reduced)) {
    if (rowPhase && r) {
      s.rowIndex.push_back(getAffineConstantExpr(0, ctx));
      continue;
    }
    s.rowIndex.push_back(getAffineDimExpr(s.dims.size(), ctx));
    s.dims.push_back((r ? "c" : "k") + std::to_string(d));
  }
  if (width == 4 && !rowPhase) {
    // The innermost axis (reduced) is 4 * c + lane.
    s.laneDim = s.dims.size();
    s.dims.push_back("lane");
    AffineExpr &last = s.rowIndex.back();
    last = last * 4 + getAffineDimExpr(*s.laneDim, ctx);
  }
  for (auto [i, r] : llvm::enumerate(g.reductions))
    s.registers[r] = "red" + std::to_string(i);
  return s;
}

KernelScope FusionPlan::elementwiseScope(ArrayRef<int64_t> shape, int after,
                                         unsigned width, Index &index) {
  KernelScope s;
  MLIRContext *ctx = context();
  s.before = after + 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    index.push_back(getAffineDimExpr(d, ctx));
    s.dims.push_back("i" + std::to_string(d));
  }
  if (width == 4) {
    s.laneDim = s.dims.size();
    s.dims.push_back("lane");
    index.back() = index.back() * 4 + getAffineDimExpr(*s.laneDim, ctx);
  }
  return s;
}

LogicalResult FusionPlan::tryEval(KernelScope &scope, Value v,
                                  const Index &index, bool commit,
                                  Operation **errorOp, std::string *why) {
  std::string body, globals;
  llvm::raw_string_ostream os(body), gs(globals);
  unsigned counter = 0;
  Evaluator ev(*this, scope, os, gs, counter);
  if (failed(ev.eval(v, index))) {
    if (errorOp)
      *errorOp = ev.errorOp;
    if (why)
      *why = ev.error;
    return failure();
  }
  if (commit)
    for (Value l : ev.loads)
      if (!isa<MatMulOp>(l.getDefiningOp())) {
        materialized.insert(l);
        bufferOf(l);
      }
  return success();
}

// The row-phase index of `v` in group `g` (one element per row), if `v` has
// the kept axes' shape, with or without the reduced ones as 1s.
std::optional<Index> FusionPlan::rowIndexOf(const RowGroup &g, Value v,
                                            const KernelScope &scope) {
  ArrayRef<int64_t> shape = typeOf(v).getShape();
  Index kept, keptDims;
  SmallVector<int64_t> keptShape, onesShape;
  for (auto [d, r] : llvm::enumerate(g.reduced)) {
    onesShape.push_back(r ? 1 : g.shape[d]);
    if (!r) {
      keptShape.push_back(g.shape[d]);
      kept.push_back(scope.rowIndex[d]);
    }
  }
  if (shape == ArrayRef<int64_t>(keptShape))
    return kept;
  if (shape == ArrayRef<int64_t>(onesShape))
    return Index(scope.rowIndex);
  return std::nullopt;
}

LogicalResult FusionPlan::placeOutput(Value v, const std::string &buffer) {
  if (std::optional<int> step = stepOf(v)) {
    // A reduction is written by its group, a matmul by cuBLAS (a second
    // buffer of the same value is a copy, below).
    if (!isa<MatMulOp>(v.getDefiningOp())) {
      steps[*step].group->rowOutputs.push_back({v, buffer});
      return success();
    }
    if (nameOf(v) == buffer)
      return success();
  }
  auto shape = typeOf(v).getShape();
  // Everything it needs, if it could load everything.
  KernelScope any;
  Index index;
  any = elementwiseScope(shape, std::numeric_limits<int>::max() - 1, 1, index);
  std::string body, globals;
  llvm::raw_string_ostream os(body), gs(globals);
  unsigned counter = 0;
  int after = -1;
  {
    Evaluator ev(*this, any, os, gs, counter);
    if (failed(ev.eval(v, index)))
      return (ev.errorOp ? ev.errorOp : fusion.getOperation())
          ->emitOpError(ev.error);
    for (Value l : ev.loads)
      after = std::max(after, *stepOf(l));
  }
  // Into the row group it follows, when it has the group's rows.
  if (after >= 0 && steps[after].group) {
    RowGroup &g = *steps[after].group;
    bool full = shape == ArrayRef<int64_t>(g.shape);
    KernelScope s = groupScope(g, after, !full, g.reductions.size(), 1);
    std::optional<Index> at =
        full ? std::optional<Index>(s.rowIndex) : rowIndexOf(g, v, s);
    if (at && succeeded(tryEval(s, v, *at, /*commit=*/true))) {
      (full ? g.fullOutputs : g.rowOutputs).push_back({v, buffer});
      return success();
    }
  }
  ElementwiseKernel *k = nullptr;
  for (ElementwiseKernel &e : elementwise)
    if (e.after == after && e.shape == ArrayRef<int64_t>(shape))
      k = &e;
  if (!k) {
    elementwise.push_back({after, SmallVector<int64_t>(shape), {}});
    k = &elementwise.back();
  }
  k->outputs.push_back({v, buffer});
  Index at;
  KernelScope s = elementwiseScope(shape, after, 1, at);
  return tryEval(s, v, at, /*commit=*/true);
}

LogicalResult FusionPlan::build() {
  Block &body = fusion.getBody().front();
  SmallVector<std::pair<Value, std::string>> outputs;
  auto yield = cast<YieldOp>(body.getTerminator());
  for (auto [i, v] : llvm::enumerate(yield.getValues())) {
    std::string name = "out" + std::to_string(i);
    if (!buffers.count(v) && !isa<BlockArgument>(v))
      buffers[v] = name;
    outputs.push_back({v, name});
  }
  for (Operation &op : body.without_terminator()) {
    if (isa<MatMulOp>(op)) {
      barrierStep[op.getResult(0)] = steps.size();
      steps.push_back(Step{std::nullopt, &op});
      bufferOf(op.getResult(0));
      for (Value x : op.getOperands())
        if (!isa<BlockArgument>(x))
          outputs.push_back({x, ""});
      continue;
    }
    if (!reductionOf(&op))
      continue;
    Value x = op.getOperand(0);
    SmallVector<bool> reduced = reducedAxes(&op);
    auto shape = typeOf(x).getShape();
    int step = int(steps.size()) - 1;
    if (step >= 0 && steps[step].group &&
        steps[step].group->shape == ArrayRef<int64_t>(shape) &&
        steps[step].group->reduced == reduced) {
      RowGroup &g = *steps[step].group;
      g.reductions.push_back(&op);
      KernelScope s =
          groupScope(g, step, false, g.reductions.size() - 1, /*width=*/1);
      if (succeeded(tryEval(s, x, s.rowIndex, /*commit=*/true))) {
        barrierStep[op.getResult(0)] = step;
        continue;
      }
      g.reductions.pop_back();
    }
    RowGroup g;
    g.shape.assign(shape.begin(), shape.end());
    g.reduced = reduced;
    g.reductions.push_back(&op);
    step = int(steps.size());
    steps.push_back(Step{std::move(g), nullptr});
    barrierStep[op.getResult(0)] = step;
    RowGroup &placed = *steps[step].group;
    KernelScope s = groupScope(placed, step, false, 0, /*width=*/1);
    Operation *bad = nullptr;
    std::string why;
    if (failed(tryEval(s, x, s.rowIndex, /*commit=*/true, &bad, &why)))
      return (bad ? bad : &op)->emitOpError(why);
  }
  for (auto &[v, name] : outputs) {
    if (name.empty()) {
      // A matmul operand: written once, wherever it is computed.
      if (buffers.count(v) || isa<BlockArgument>(v))
        continue;
      name = bufferOf(v);
    }
    if (failed(placeOutput(v, name)))
      return failure();
  }
  // Reductions that later kernels load are written by their groups too.
  for (size_t i = 0; i < materialized.size(); ++i) {
    Value v = materialized[i];
    RowGroup &g = *steps[*stepOf(v)].group;
    std::string name = bufferOf(v);
    if (!llvm::any_of(g.rowOutputs, [&](auto &o) {
          return o.first == v && o.second == name;
        }))
      g.rowOutputs.push_back({v, name});
  }
  int64_t largest = 0;
  for (Value a : body.getArguments())
    largest = std::max(largest, typeOf(a).getNumElements());
  body.walk([&](Operation *op) {
    for (Value r : op->getResults())
      if (auto t = dyn_cast<RankedTensorType>(r.getType()))
        largest = std::max(largest, t.getNumElements());
  });
  if (largest >= std::numeric_limits<int32_t>::max() / 2)
    indexType = "long long";
  return success();
}

//===----------------------------------------------------------------------===//
// Emission
//===----------------------------------------------------------------------===//

void FusionPlan::signature(raw_ostream &os, const CudaKernelInfo &info,
                           ArrayRef<std::string> writes, int64_t block) {
  os << "extern \"C\" __global__ void __launch_bounds__(" << block << ")\n"
     << info.name << "(";
  bool first = true;
  for (const std::string &p : info.params) {
    bool written = llvm::is_contained(writes, p);
    os << (first ? "" : ", ") << (written ? "" : "const ")
       << cType(bufferType(p).getElementType()) << " *__restrict__ " << p;
    first = false;
  }
  os << ") {\n";
}

static SmallVector<std::string> paramsOf(const Evaluator &ev,
                                         ArrayRef<std::string> writes) {
  SmallVector<std::string> params;
  for (auto &r : ev.reads)
    params.push_back(r.getKey().str());
  llvm::sort(params, [](const std::string &a, const std::string &b) {
    // in < out < tmp, then by number.
    auto rank = [](const std::string &s) {
      int kind = s[0] == 'i' ? 0 : s[0] == 'o' ? 1 : 2;
      return std::make_pair(kind, std::stoi(s.substr(kind == 0   ? 2
                                                     : kind == 1 ? 3
                                                                 : 3)));
    };
    return rank(a) < rank(b);
  });
  for (const std::string &w : writes)
    if (!llvm::is_contained(params, w))
      params.push_back(w);
  return params;
}

// The lanes of a loop body: each output (or the reduction's operand)
// evaluated once per lane.
void FusionPlan::emitElementwise(raw_ostream &out, raw_ostream &globals,
                                 ElementwiseKernel &k, CudaKernelInfo &info) {
  int64_t n = product(k.shape);
  unsigned width = !k.shape.empty() && k.shape.back() % 4 == 0 && n > 0 ? 4 : 1;
  Index index;
  KernelScope scope = elementwiseScope(k.shape, k.after, width, index);
  std::string body;
  llvm::raw_string_ostream os(body);
  unsigned counter = 0;
  Evaluator ev(*this, scope, os, globals, counter);
  const int64_t block = 256;
  int64_t work = n / width;
  info.block = block;
  info.grid = std::clamp<int64_t>((work + block - 1) / block, 1, 65536);
  const std::string &I = indexType;
  os << "  for (" << I << " f = " << I << "(blockIdx.x) * " << block
     << " + threadIdx.x; f < " << work << "; f += " << I << "(gridDim.x) * "
     << block << ") {\n";
  SmallVector<int64_t> extents(k.shape);
  if (width == 4)
    extents.back() /= 4;
  delinearize(os, "    ", I, "f", extents,
              ArrayRef<std::string>(scope.dims).take_front(extents.size()));
  ev.open();
  SmallVector<SmallVector<std::string>> values(k.outputs.size());
  for (unsigned lane = 0; lane < width; ++lane) {
    scope.lane = lane;
    for (auto [i, o] : llvm::enumerate(k.outputs)) {
      Index at =
          broadcastIndex(index, typeOf(o.first).getShape(), k.shape, context());
      values[i].push_back(*ev.eval(o.first, at));
    }
  }
  scope.lane = 0;
  SmallVector<std::string> writes;
  for (auto [i, o] : llvm::enumerate(k.outputs)) {
    ev.store(o.second, typeOf(o.first), index, values[i]);
    writes.push_back(o.second);
  }
  ev.close();
  os << "  }\n}\n\n";
  for (const std::string &p : paramsOf(ev, writes))
    info.params.push_back(p);
  signature(out, info, writes, block);
  out << body;
}

void FusionPlan::emitGroup(raw_ostream &out, raw_ostream &globals, RowGroup &g,
                           int step, CudaKernelInfo &info) {
  int64_t rows = g.rows(), cols = g.cols();
  // Vector lanes along the row when the innermost axis is reduced and holds
  // a multiple of 4.
  unsigned width = !g.shape.empty() && g.reduced.back() &&
                           g.shape.back() % 4 == 0 && g.shape.back() > 0
                       ? 4
                       : 1;
  int64_t work = cols / width;
  int64_t block =
      std::min<int64_t>(512, std::max<int64_t>(32, (work + 31) / 32 * 32));
  info.block = block;
  info.grid = std::clamp<int64_t>(rows, 1, std::numeric_limits<int32_t>::max());
  const std::string &I = indexType;

  std::string body;
  llvm::raw_string_ostream os(body);
  unsigned counter = 0;
  KernelScope scope = groupScope(g, step, false, 0, width);
  KernelScope rowScope = groupScope(g, step, true, 0, 1);
  Evaluator ev(*this, scope, os, globals, counter);
  Evaluator rowEv(*this, rowScope, os, globals, counter);

  SmallVector<int64_t> keptExtents, reducedExtents;
  SmallVector<std::string> keptNames, reducedNames;
  for (auto [d, r] : llvm::enumerate(g.reduced)) {
    (r ? reducedExtents : keptExtents).push_back(g.shape[d]);
    (r ? reducedNames : keptNames)
        .push_back((r ? "c" : "k") + std::to_string(d));
  }
  if (width == 4)
    reducedExtents.back() /= 4;
  // Column loop over the reduced axes (4 lanes per iteration when vectorized)
  // with `each(lane)` emitting the per-lane work.
  auto columns = [&](llvm::function_ref<void(unsigned)> each,
                     llvm::function_ref<void()> finish = nullptr) {
    os << "    for (" << I << " col = threadIdx.x; col < " << work
       << "; col += " << block << ") {\n";
    delinearize(os, "      ", I, "col", reducedExtents, reducedNames);
    ev.setIndent(6);
    ev.math().setIndent(6);
    ev.open();
    for (unsigned lane = 0; lane < width; ++lane) {
      scope.lane = lane;
      each(lane);
    }
    scope.lane = 0;
    if (finish)
      finish();
    ev.close();
    os << "    }\n";
  };

  for (auto [i, op] : llvm::enumerate(g.reductions)) {
    Reduction red = *reductionOf(op);
    Type element = typeOf(op->getOperand(0)).getElementType();
    Type acc = accumulatorType(red, element);
    std::string A = cType(acc), r = "red" + std::to_string(i),
                a = "acc" + std::to_string(i);
    scope.available = rowScope.available = i;
    os << "    // " << op->getName().getStringRef() << "\n";
    if (red.arg) {
      os << "    " << A << " " << a << " = "
         << cuda::literal(scalarAttr(acc, 0)) << ";\n    long long " << a
         << "_index = -1;\n";
      unsigned axis = 0;
      for (auto [d, rr] : llvm::enumerate(g.reduced))
        if (rr)
          axis = d;
      columns([&](unsigned lane) {
        std::string x = *ev.eval(op->getOperand(0), scope.rowIndex);
        os << "      ej_arg_combine<" << (red.max ? "true" : "false") << ">("
           << a << ", " << a << "_index, " << x << ", (long long)"
           << ev.print(ev.atLane(scope.rowIndex[axis], lane)) << ");\n";
      });
      os << "    ej_block_arg_reduce<" << (red.max ? "true" : "false") << ">("
         << a << ", " << a << "_index, s_" << a << ", s_" << a << "_index);\n"
         << "    const long long " << r << " = " << a << "_index;\n";
      continue;
    }
    // The fold as a lambda, for the loop and for the shuffles.
    os << "    auto " << a << "_fold = [](" << A << " a, " << A << " b) {\n";
    ev.math().setIndent(6);
    std::string folded = ev.math().op(red.combine, {"a", "b"}, {acc, acc}, acc);
    os << "      return " << folded << ";\n    };\n";
    os << "    " << A << " " << a << " = "
       << cuda::literal(initialValue(red, acc)) << ";\n";
    columns([&](unsigned) {
      std::string x = *ev.eval(op->getOperand(0), scope.rowIndex);
      std::string w = ev.math().convert(x, element, acc);
      os << "      " << a << " = " << a << "_fold(" << a << ", " << w << ");\n";
    });
    os << "    " << a << " = ej_block_reduce(" << a << ", " << a << "_fold, s_"
       << a << ");\n";
    ev.math().setIndent(4);
    std::string value = a;
    // The mean of no elements is 0 * inf, NaN, as the interpreter's.
    if (red.mean)
      value = ev.math().multiply(
          a,
          cuda::literal(FloatAttr::get(
              acc, cols ? 1.0 / double(cols)
                        : std::numeric_limits<double>::infinity())),
          acc);
    value = ev.math().convert(value, acc, element);
    os << "    const " << cType(element) << " " << r << " = " << value << ";\n";
  }
  scope.available = rowScope.available = g.reductions.size();

  SmallVector<std::string> writes;
  if (!g.fullOutputs.empty()) {
    SmallVector<SmallVector<std::string>> values(g.fullOutputs.size());
    os << "    // outputs, one element per column\n";
    columns(
        [&](unsigned) {
          for (auto [i, o] : llvm::enumerate(g.fullOutputs))
            values[i].push_back(*ev.eval(o.first, scope.rowIndex));
        },
        [&] {
          for (auto [i, o] : llvm::enumerate(g.fullOutputs)) {
            ev.store(o.second, typeOf(o.first), scope.rowIndex, values[i]);
            writes.push_back(o.second);
          }
        });
  }
  if (!g.rowOutputs.empty()) {
    os << "    if (threadIdx.x == 0) {\n";
    rowEv.setIndent(6);
    rowEv.open();
    for (auto &[v, name] : g.rowOutputs) {
      Index at = *rowIndexOf(g, v, rowScope);
      std::string x = *rowEv.eval(v, at);
      rowEv.store(name, typeOf(v), at, {x});
      writes.push_back(name);
    }
    rowEv.close();
    os << "    }\n";
  }
  os << "  }\n}\n\n";

  for (auto &r : rowEv.reads)
    ev.reads.insert(r.getKey());
  info.params.clear();
  for (const std::string &p : paramsOf(ev, writes))
    info.params.push_back(p);
  signature(out, info, writes, block);
  for (auto [i, op] : llvm::enumerate(g.reductions)) {
    Reduction red = *reductionOf(op);
    Type acc = accumulatorType(red, typeOf(op->getOperand(0)).getElementType());
    out << "  __shared__ " << cType(acc) << " s_acc" << i << "[32];\n";
    if (red.arg)
      out << "  __shared__ long long s_acc" << i << "_index[32];\n";
  }
  out << "  for (" << I << " row = blockIdx.x; row < " << rows
      << "; row += gridDim.x) {\n";
  delinearize(out, "    ", I, "row", keptExtents, keptNames);
  out << body;
}

LogicalResult FusionPlan::emit(raw_ostream &out,
                               std::vector<CudaKernelInfo> &kernels,
                               CudaFusionPlan &run) {
  std::string code, globals;
  llvm::raw_string_ostream os(code), gs(globals);
  SmallVector<std::string> plan;
  unsigned n = 0;
  auto launch = [&](const CudaKernelInfo &k) {
    std::string line = "//   " + k.name + "<<<" + std::to_string(k.grid) +
                       ", " + std::to_string(k.block) + ">>>(";
    for (auto [i, p] : llvm::enumerate(k.params))
      line += (i ? ", " : "") + p;
    plan.push_back(line + ")");
    run.steps.push_back({int(kernels.size()), "", {}});
    kernels.push_back(k);
  };
  auto elementwiseAfter = [&](int step) {
    for (ElementwiseKernel &k : elementwise) {
      if (k.after != step)
        continue;
      CudaKernelInfo info;
      info.name = prefix + "_k" + std::to_string(n++);
      emitElementwise(os, gs, k, info);
      launch(info);
    }
  };
  elementwiseAfter(-1);
  for (auto [i, s] : llvm::enumerate(steps)) {
    if (s.group) {
      CudaKernelInfo info;
      info.name = prefix + "_k" + std::to_string(n++);
      emitGroup(os, gs, *s.group, int(i), info);
      launch(info);
    } else {
      Value r = s.matmul->getResult(0);
      CudaStep step{-1, bufferOf(r), {}};
      std::string line = "//   cublas: " + step.result + " = matmul(";
      for (auto [j, x] : llvm::enumerate(s.matmul->getOperands())) {
        step.operands.push_back(bufferOf(x));
        line += (j ? ", " : "") + step.operands.back();
      }
      plan.push_back(line + ")");
      run.steps.push_back(std::move(step));
    }
    elementwiseAfter(int(i));
  }
  out << "// " << prefix << ": (";
  for (auto [i, a] : llvm::enumerate(fusion.getBody().getArguments()))
    out << (i ? ", " : "") << "in" << i << ": " << shapeStr(typeOf(a));
  out << ") -> (";
  for (auto [i, r] : llvm::enumerate(fusion.getResults()))
    out << (i ? ", " : "") << "out" << i << ": " << shapeStr(typeOf(r));
  out << ")\n";
  if (!temps.empty()) {
    out << "//   temporaries:";
    for (Value t : temps) {
      out << " " << bufferOf(t) << ": " << shapeStr(typeOf(t));
      run.temporaries.emplace_back(bufferOf(t), bufferTypeOf(typeOf(t)));
    }
    out << "\n";
  }
  for (auto [i, a] : llvm::enumerate(fusion.getBody().getArguments()))
    run.types.emplace_back("in" + std::to_string(i), bufferTypeOf(typeOf(a)));
  for (auto [i, r] : llvm::enumerate(fusion.getResults()))
    run.types.emplace_back("out" + std::to_string(i), bufferTypeOf(typeOf(r)));
  for (auto &[v, name] : buffers)
    run.types.emplace_back(name, bufferTypeOf(typeOf(v)));
  for (const std::string &line : plan)
    out << line << "\n";
  out << globals << code;
  return success();
}

//===----------------------------------------------------------------------===//
// The source
//===----------------------------------------------------------------------===//

const char *const kPrelude =
    R"cuda(// CUDA C emitted by ej-to-cuda from ej.fusion regions.
// Buffers are device pointers aligned to 16 bytes.

)cuda";

} // namespace

FailureOr<CudaSource> mlir::ej::emitCudaSource(Operation *root) {
  CudaSource source;
  llvm::raw_string_ostream os(source.code);
  os << kPrelude << cuda::blockReductionSource() << "\n";
  llvm::StringMap<unsigned> perFunction;
  bool ok = true;
  root->walk([&](FusionOp fusion) -> WalkResult {
    auto func = fusion->getParentOfType<FunctionOpInterface>();
    std::string base = func ? func.getName().str() : "fusion";
    for (char &c : base)
      if (!llvm::isAlnum(c))
        c = '_';
    std::string prefix = base + "_f" + std::to_string(perFunction[base]++);
    FusionPlan plan(fusion, prefix);
    source.fusions.emplace_back();
    if (failed(plan.build()) ||
        failed(plan.emit(os, source.kernels, source.fusions.back()))) {
      ok = false;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (!ok)
    return failure();
  return source;
}

LogicalResult mlir::ej::translateEjToCuda(Operation *root, raw_ostream &os) {
  // ej-fuse leaves existing fusions as they are and groups the rest, so a
  // trace as the JIT dumps it and a hand-fused function both work.
  PassManager pm(root->getContext(), root->getName().getStringRef());
  pm.addNestedPass<func::FuncOp>(createEjFuse());
  if (failed(pm.run(root)))
    return failure();
  FailureOr<CudaSource> source = emitCudaSource(root);
  if (failed(source))
    return failure();
  os << source->code;
  return success();
}

void mlir::ej::registerEjToCudaTranslation() {
  static TranslateFromMLIRRegistration registration(
      "ej-to-cuda", "CUDA C kernels from the ej.fusion regions of ej functions",
      [](Operation *op, raw_ostream &os) { return translateEjToCuda(op, os); },
      [](DialectRegistry &registry) {
        registerAllEjDialects(registry);
        registry
            .insert<arith::ArithDialect, math::MathDialect, scf::SCFDialect>();
      });
}
