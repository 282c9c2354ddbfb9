//===- KernelSource.cpp - CUDA C of the interpreter's kernels -------------===//
//
// A unit is a few generated lines, its op's functor (an elementwise op's
// scalar math, a reduction's fold) and one extern "C" entry per variant,
// over the loop templates that runtime/cuda/kernels/*.cuh define and the
// build embeds as text (runtime/cuda/KernelText.h, generated). Which dtypes
// each op takes comes from the CPU kernels' tables (runtime/cpu/Math.h and
// the dispatches of runtime/cpu/*Kernels.cpp), so that the GPU covers
// exactly what the CPU does.
//
//===----------------------------------------------------------------------===//
#include "runtime/cuda/KernelSource.h"
#include "codegen/CudaReduction.h"
#include "codegen/CudaScalar.h"
#include "runtime/cpu/Math.h"
#include "runtime/cuda/KernelText.h"
#include "runtime/cuda/kernels/Args.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <memory>
#include <mutex>

namespace ej::cuda {
using detail::OpCode;
namespace math = runtime::math;

namespace {

enum class Family {
  None, // no kernel of its own: a view, or a CPU-only op
  Map,
  Cast,
  Copy,
  Reduce,
  Arg,
  Fill,
  Range,
  Random,
  Gather,
  OneHot,
  MatMul,
  Window, // pooling, and the patches of a convolution's GEMMs
};

Family family_of(OpCode op) {
  switch (op) {
#define EJ_UNARY(Name, name) case OpCode::Name:
#define EJ_BINARY(Name, name) case OpCode::Name:
#define EJ_COMPARE(Name, name) case OpCode::Name:
#include "lib/Ops.def"
  case OpCode::Where:
    return Family::Map;
#define EJ_REDUCE(Name, name) case OpCode::Name:
#include "lib/Ops.def"
    return Family::Reduce;
  case OpCode::ArgMax:
  case OpCode::ArgMin:
    return Family::Arg;
  case OpCode::Cast:
    return Family::Cast;
  case OpCode::Copy:
    return Family::Copy;
  case OpCode::Fill:
    return Family::Fill;
  case OpCode::Arange:
  case OpCode::Linspace:
  case OpCode::Eye:
    return Family::Range;
  case OpCode::RandomUniform:
  case OpCode::RandomNormal:
    return Family::Random;
  case OpCode::Gather:
    return Family::Gather;
  case OpCode::OneHot:
    return Family::OneHot;
  case OpCode::MatMul:
    return Family::MatMul;
  // conv2d_backprop_filter multiplies conv2d's patches: no unit of its own.
  case OpCode::Conv2D:
  case OpCode::Conv2DBackpropInput:
  case OpCode::MaxPool:
  case OpCode::MaxPoolGrad:
  case OpCode::AvgPool:
  case OpCode::AvgPoolGrad:
    return Family::Window;
  default:
    return Family::None;
  }
}

// Inputs of an elementwise op.
int arity(OpCode op) {
  switch (op) {
#define EJ_UNARY(Name, name)                                                   \
  case OpCode::Name:                                                           \
    return 1;
#define EJ_BINARY(Name, name)                                                  \
  case OpCode::Name:                                                           \
    return 2;
#define EJ_COMPARE(Name, name)                                                 \
  case OpCode::Name:                                                           \
    return 2;
#include "lib/Ops.def"
  default:
    return 3; // where
  }
}

bool is_compare(OpCode op) {
  switch (op) {
#define EJ_COMPARE(Name, name)                                                 \
  case OpCode::Name:                                                           \
    return true;
#include "lib/Ops.def"
  default:
    return false;
  }
}

constexpr unsigned kBits = math::kBool | math::kInt32 | math::kInt64;

unsigned bit(DType t) { return 1u << unsigned(t); }
static_assert(math::kBool == 1u << unsigned(DType::Bool) &&
              math::kInt32 == 1u << unsigned(DType::Int32) &&
              math::kInt64 == 1u << unsigned(DType::Int64) &&
              math::kFloat32 == 1u << unsigned(DType::Float32) &&
              math::kFloat64 == 1u << unsigned(DType::Float64));

// The dtypes `a` may take, as math::k* masks.
unsigned a_types(OpCode op) {
  switch (op) {
#define EJ_UNARY(Name, name)                                                   \
  case OpCode::Name:                                                           \
    return math::Name::kTypes;
#define EJ_BINARY(Name, name)                                                  \
  case OpCode::Name:                                                           \
    return math::Name::kTypes;
#define EJ_COMPARE(Name, name)                                                 \
  case OpCode::Name:                                                           \
    return math::Name::kTypes;
#include "lib/Ops.def"
  case OpCode::ReduceMean:
    return math::kFloats;
  default:
    break;
  }
  switch (family_of(op)) {
  case Family::Map: // where
  case Family::Cast:
  case Family::Range:
    return math::kAll;
  case Family::Reduce:
  case Family::Arg:
    return math::kNumbers;
  case Family::Random:
  case Family::Window:
    return math::kFloats;
  case Family::MatMul:
    return math::kInts;
  case Family::Copy:
  case Family::Fill:
  case Family::Gather:
  case Family::OneHot:
    return kBits;
  case Family::None:
    break;
  }
  return 0;
}

// The dtypes `b` may take; float32 alone where the op does not use it.
unsigned b_types(OpCode op) {
  switch (family_of(op)) {
  case Family::Cast:
    return math::kAll;
  case Family::OneHot:
    return math::kInts;
  default:
    return math::kFloat32;
  }
}

bool uses_b(OpCode op) {
  Family f = family_of(op);
  return f == Family::Cast || f == Family::OneHot;
}

std::string prefix(const KernelSpec &s) {
  std::string p =
      std::string("ej_") + detail::op_name(s.op) + "_" + dtype_name(s.a);
  if (uses_b(s.op))
    p += std::string("_") + dtype_name(s.b);
  return p;
}

const char *suffix(Variant v) {
  switch (v) {
  case Variant::Linear:
    return "_linear";
  case Variant::Strided32:
    return "_strided32";
  case Variant::Strided64:
    return "_strided64";
  case Variant::Inner32:
    return "_inner32";
  case Variant::Inner64:
    return "_inner64";
  case Variant::Outer32:
    return "_outer32";
  case Variant::Outer64:
    return "_outer64";
  case Variant::MergeInner:
    return "_merge_inner";
  case Variant::MergeOuter:
    return "_merge_outer";
  case Variant::Single:
    break;
  }
  return "";
}

// The unsigned CUDA C type of a dtype's size.
const char *unsigned_type(DType t) {
  switch (dtype_size(t)) {
  case 1:
    return "unsigned char";
  case 4:
    return "unsigned int";
  default:
    return "unsigned long long";
  }
}

// Generation: the MLIR context the scalar printer builds its ops in, made
// on first use, and the texts made so far, under one lock.
class Generator {
public:
  const std::string &unit(const KernelSpec &s) {
    std::lock_guard<std::mutex> lock(mu);
    int key = int(s.op) * 64 + int(s.a) * 8 + int(s.b);
    auto it = texts.find(key);
    if (it != texts.end())
      return it->second;
    std::string text;
    llvm::raw_string_ostream os(text);
    write(os, s);
    return texts.emplace(key, std::move(text)).first->second;
  }

private:
  mlir::MLIRContext &context() {
    if (!ctx)
      ctx = std::make_unique<mlir::MLIRContext>(
          mlir::MLIRContext::Threading::DISABLED);
    return *ctx;
  }
  mlir::Type type(DType t) {
    mlir::MLIRContext *c = &context();
    switch (t) {
    case DType::Bool:
      return mlir::IntegerType::get(c, 1);
    case DType::Int32:
      return mlir::IntegerType::get(c, 32);
    case DType::Int64:
      return mlir::IntegerType::get(c, 64);
    case DType::Float32:
      return mlir::Float32Type::get(c);
    case DType::Float64:
      return mlir::Float64Type::get(c);
    }
    return {};
  }
  std::string c_type(DType t) { return mlir::ej::cuda::cType(type(t)); }
  mlir::ej::cuda::ScalarPrinter printer(llvm::raw_ostream &os) {
    auto counter = std::make_shared<unsigned>(0);
    mlir::ej::cuda::ScalarPrinter p(&context(), os, [counter] {
      return "v" + std::to_string((*counter)++);
    });
    p.setIndent(4);
    return p;
  }

  void write(llvm::raw_ostream &os, const KernelSpec &s);
  void map_unit(llvm::raw_ostream &os, const KernelSpec &s);
  void reduce_unit(llvm::raw_ostream &os, const KernelSpec &s);

  std::mutex mu;
  std::unique_ptr<mlir::MLIRContext> ctx;
  std::map<int, std::string> texts;
};

// Kept for the process: kernels may be generated while it exits.
Generator &generator() {
  static Generator *g = new Generator;
  return *g;
}

// The entry of a kernel: `call` with the argument `p` of type `args`.
void entry(llvm::raw_ostream &os, const std::string &name, const char *args,
           const std::string &call) {
  os << "extern \"C\" __global__ void __launch_bounds__(256)\n"
     << name << "(const __grid_constant__ ej::cuda::" << args << " p) {\n  "
     << call << ";\n}\n";
}

// The functor F of Map.cuh: F::f(x0, x1, x2) -> R.
void Generator::map_unit(llvm::raw_ostream &os, const KernelSpec &s) {
  std::string p = prefix(s), f = p + "_f";
  Family family = family_of(s.op);
  int n = family == Family::Map ? arity(s.op) : 1;
  std::vector<std::string> in(3, "char");
  std::string result;
  if (family == Family::Copy) {
    in[0] = result = unsigned_type(s.a);
  } else if (family == Family::Cast) {
    in[0] = c_type(s.a);
    result = c_type(s.b);
  } else if (s.op == OpCode::Where) {
    in = {"bool", c_type(s.a), c_type(s.a)};
    result = c_type(s.a);
  } else {
    for (int k = 0; k < n; ++k)
      in[size_t(k)] = c_type(s.a);
    result = is_compare(s.op) ? "bool" : c_type(s.a);
  }
  os << "// " << detail::op_name(s.op) << " " << dtype_name(s.a);
  if (uses_b(s.op))
    os << " to " << dtype_name(s.b);
  os << "\nstruct " << f << " {\n  typedef " << result << " R;\n";
  for (int k = 0; k < 3; ++k)
    os << "  typedef " << in[size_t(k)] << " A" << k << ";\n";
  os << "  static constexpr int N = " << n << ";\n"
     << "  static __device__ __forceinline__ R f(A0 x0, A1 x1, A2 x2) {\n";
  std::string value = "x0";
  if (family == Family::Cast) {
    value = printer(os).convert("x0", type(s.a), type(s.b));
  } else if (family == Family::Map) {
    llvm::SmallVector<mlir::Type, 3> types(size_t(n), type(s.a));
    if (s.op == OpCode::Where)
      types[0] = type(DType::Bool);
    llvm::SmallVector<std::string, 3> operands = {"x0", "x1", "x2"};
    operands.resize(size_t(n));
    mlir::Type r = is_compare(s.op) ? type(DType::Bool) : type(s.a);
    value = printer(os).op(detail::op_name(s.op), operands, types, r);
  }
  os << "    return " << value << ";\n  }\n};\n";
  entry(os, p + suffix(Variant::Linear), "MapArgs",
        "ej::cuda::map_linear<" + f + ">(p)");
  entry(os, p + suffix(Variant::Strided32), "MapArgs",
        "ej::cuda::map_strided<" + f + ", int>(p)");
  entry(os, p + suffix(Variant::Strided64), "MapArgs",
        "ej::cuda::map_strided<" + f + ", long long>(p)");
}

// The Op of Reduce.cuh, and its second-pass form that reads accumulators.
void Generator::reduce_unit(llvm::raw_ostream &os, const KernelSpec &s) {
  std::string p = prefix(s), op = p + "_op", merge = p + "_merge";
  const char *name = detail::op_name(s.op);
  mlir::ej::cuda::Reduction red = *mlir::ej::cuda::reductionOf(name);
  os << "// " << name << " " << dtype_name(s.a) << "\n";
  if (red.arg) {
    std::string args =
        std::string(red.max ? "true" : "false") + ", " + c_type(s.a) + ">";
    os << "typedef ej::cuda::ArgOp<" << args << " " << op << ";\n"
       << "typedef ej::cuda::ArgMergeOp<" << args << " " << merge << ";\n";
  } else {
    mlir::Type element = type(s.a);
    mlir::Type acc = mlir::ej::cuda::accumulatorType(red, element);
    std::string A = mlir::ej::cuda::cType(acc);
    os << "struct " << op << " : ej::cuda::BlockFold<" << op << ", " << A
       << "> {\n  typedef " << c_type(s.a) << " In;\n  typedef " << A
       << " Acc;\n  typedef " << c_type(s.a) << " Out;\n"
       << "  static __device__ __forceinline__ Acc init() { return "
       << mlir::ej::cuda::literal(mlir::ej::cuda::initialValue(red, acc))
       << "; }\n"
       << "  static __device__ __forceinline__ Acc load(In x, long long) {\n";
    std::string value = printer(os).convert("x", element, acc);
    os << "    return " << value << ";\n  }\n"
       << "  static __device__ __forceinline__ Acc fold(Acc a, Acc b) {\n";
    value = printer(os).op(red.combine, {"a", "b"}, {acc, acc}, acc);
    os << "    return " << value << ";\n  }\n"
       << "  static __device__ __forceinline__ Out finish(Acc a, double "
          "scale) {\n";
    // The mean scales as the CPU kernel does: the float64 sum times
    // 1 / count, then rounded to the result's type.
    mlir::ej::cuda::ScalarPrinter finish = printer(os);
    value = red.mean ? finish.multiply("a", "scale", acc) : "a";
    value = finish.convert(value, acc, element);
    os << "    return " << value << ";\n  }\n};\n"
       << "struct " << merge << " : " << op << " {\n  typedef Acc In;\n"
       << "  static __device__ __forceinline__ Acc load(In x, long long) "
          "{ return x; }\n};\n";
  }
  auto kernel = [&](Variant v, const char *loop, const std::string &o,
                    const char *index) {
    entry(os, p + suffix(v), "ReduceArgs",
          std::string("ej::cuda::") + loop + "<" + o + ", " + index + ">(p)");
  };
  kernel(Variant::Inner32, "reduce_inner", op, "int");
  kernel(Variant::Inner64, "reduce_inner", op, "long long");
  kernel(Variant::Outer32, "reduce_outer", op, "int");
  kernel(Variant::Outer64, "reduce_outer", op, "long long");
  // Partial results number at most a few per thread of the GPU.
  kernel(Variant::MergeInner, "reduce_inner", merge, "int");
  kernel(Variant::MergeOuter, "reduce_outer", merge, "int");
}

void Generator::write(llvm::raw_ostream &os, const KernelSpec &s) {
  std::string p = prefix(s);
  std::string T = c_type(s.a), U = unsigned_type(s.a);
  switch (family_of(s.op)) {
  case Family::Map:
  case Family::Cast:
  case Family::Copy:
    return map_unit(os, s);
  case Family::Reduce:
  case Family::Arg:
    return reduce_unit(os, s);
  case Family::Fill:
    return entry(os, p, "CreateArgs", "ej::cuda::fill<" + U + ">(p)");
  case Family::Range: {
    const char *g = s.op == OpCode::Arange     ? "Arange"
                    : s.op == OpCode::Linspace ? "Linspace"
                                               : "Eye";
    return entry(os, p, "CreateArgs",
                 "ej::cuda::generate<" + T + ", ej::cuda::" + g + ">(p)");
  }
  case Family::Random:
    return entry(os, p, "CreateArgs",
                 "ej::cuda::random<" + T + ", " +
                     (s.op == OpCode::RandomNormal ? "true" : "false") +
                     ">(p)");
  case Family::Gather:
    entry(os, p + suffix(Variant::Strided32), "GatherArgs",
          "ej::cuda::gather<" + U + ", int>(p)");
    return entry(os, p + suffix(Variant::Strided64), "GatherArgs",
                 "ej::cuda::gather<" + U + ", long long>(p)");
  case Family::OneHot: {
    std::string types = U + ", " + c_type(s.b);
    entry(os, p + suffix(Variant::Strided32), "OneHotArgs",
          "ej::cuda::one_hot<" + types + ", int>(p)");
    return entry(os, p + suffix(Variant::Strided64), "OneHotArgs",
                 "ej::cuda::one_hot<" + types + ", long long>(p)");
  }
  case Family::MatMul:
    return entry(os, p, "MatMulArgs",
                 "ej::cuda::matmul_tiled<" + T + ", " + U + ">(p)");
  case Family::Window: {
    std::string call = s.op == OpCode::Conv2D                ? "patches<" + T
                       : s.op == OpCode::Conv2DBackpropInput ? "unpatches<" + T
                       : s.op == OpCode::MaxPool ? "pool<" + T + ", true"
                       : s.op == OpCode::AvgPool ? "pool<" + T + ", false"
                       : s.op == OpCode::MaxPoolGrad
                           ? "pool_grad<" + T + ", true"
                           : "pool_grad<" + T + ", false";
    return entry(os, p, "WindowArgs", "ej::cuda::" + call + ">(p)");
  }
  case Family::None:
    break;
  }
}

} // namespace

DType bits_dtype(DType t) {
  switch (dtype_size(t)) {
  case 1:
    return DType::Bool;
  case 4:
    return DType::Int32;
  default:
    return DType::Int64;
  }
}

bool has_kernel(const KernelSpec &s) {
  return family_of(s.op) != Family::None && (a_types(s.op) & bit(s.a)) &&
         (b_types(s.op) & bit(s.b));
}

std::vector<KernelSpec> all_kernel_specs() {
  std::vector<KernelSpec> all;
  for (int op = 0; op < detail::kNumOps; ++op)
    for (int a = 0; a < kNumDTypes; ++a)
      for (int b = 0; b < kNumDTypes; ++b) {
        KernelSpec s{OpCode(op), DType(a), DType(b)};
        if (has_kernel(s))
          all.push_back(s);
      }
  return all;
}

size_t accumulator_size(const KernelSpec &s) {
  mlir::ej::cuda::Reduction red =
      *mlir::ej::cuda::reductionOf(detail::op_name(s.op));
  if (red.arg) // ArgPair<T>: the value, then an 8-byte index
    return 16;
  if (!red.wide)
    return dtype_size(s.a);
  return 8; // float64 or int64
}

std::vector<Variant> variants(const KernelSpec &s) {
  switch (family_of(s.op)) {
  case Family::Map:
  case Family::Cast:
  case Family::Copy:
    return {Variant::Linear, Variant::Strided32, Variant::Strided64};
  case Family::Reduce:
  case Family::Arg:
    return {Variant::Inner32, Variant::Inner64,    Variant::Outer32,
            Variant::Outer64, Variant::MergeInner, Variant::MergeOuter};
  case Family::Gather:
  case Family::OneHot:
    return {Variant::Strided32, Variant::Strided64};
  case Family::None:
    return {};
  default:
    return {Variant::Single};
  }
}

std::string kernel_name(const KernelSpec &s, Variant v) {
  return prefix(s) + suffix(v);
}

std::string program_source(const std::vector<KernelSpec> &units) {
  bool map = false, reduce = false, create = false, shape = false,
       matmul = false, window = false;
  for (const KernelSpec &s : units) {
    Family f = family_of(s.op);
    map |= f == Family::Map || f == Family::Cast || f == Family::Copy;
    reduce |= f == Family::Reduce || f == Family::Arg;
    create |= f == Family::Fill || f == Family::Range || f == Family::Random;
    shape |= f == Family::Gather || f == Family::OneHot;
    matmul |= f == Family::MatMul;
    window |= f == Family::Window;
  }
  std::string source = "// The interpreter's CUDA kernels "
                       "(runtime/cuda/KernelSource.cpp).\n";
  source += text::kArgs;
  // The host compiler's layout of the arguments, checked by NVRTC.
  auto layout = [&](const char *name, size_t size, size_t align) {
    source += "static_assert(sizeof(ej::cuda::" + std::string(name) +
              ") == " + std::to_string(size) + " && alignof(ej::cuda::" + name +
              ") == " + std::to_string(align) + ", \"the host lays out " +
              name + " otherwise\");\n";
  };
  layout("MapArgs", sizeof(MapArgs), alignof(MapArgs));
  layout("ReduceArgs", sizeof(ReduceArgs), alignof(ReduceArgs));
  layout("CreateArgs", sizeof(CreateArgs), alignof(CreateArgs));
  layout("GatherArgs", sizeof(GatherArgs), alignof(GatherArgs));
  layout("OneHotArgs", sizeof(OneHotArgs), alignof(OneHotArgs));
  layout("MatMulArgs", sizeof(MatMulArgs), alignof(MatMulArgs));
  layout("WindowArgs", sizeof(WindowArgs), alignof(WindowArgs));
  source += text::kCommon;
  if (map)
    source += text::kMap;
  if (reduce) {
    source += mlir::ej::cuda::blockReductionSource();
    source += text::kReduce;
  }
  if (create || window)
    source += text::kHostDevice;
  if (create) {
    source += text::kRanges;
    source += text::kPhilox;
    source += text::kCreate;
  }
  if (window) {
    source += text::kWindow;
    source += text::kWindowKernels;
  }
  if (shape)
    source += text::kShape;
  if (matmul)
    source += text::kMatMul;
  for (const KernelSpec &s : units)
    source += "\n" + generator().unit(s);
  return source;
}

} // namespace ej::cuda
