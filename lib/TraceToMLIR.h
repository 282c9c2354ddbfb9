//===- TraceToMLIR.h - Captured records as an ej function ---------*- C++
//-*-===//
//
// The converter behind trace_to_mlir and GradientTape, and the type
// mappings between the API and MLIR that lib/Program.cpp shares.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_TRACETOMLIR_H
#define EJ_LIB_TRACETOMLIR_H

#include "lib/Trace.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>
#include <string>

namespace ej::detail {

mlir::Type element_type(mlir::MLIRContext &ctx, DType t);
DType dtype_of_type(mlir::Type t);
mlir::RankedTensorType tensor_type(mlir::MLIRContext &ctx, const TensorImpl *t);
std::string type_str(mlir::Type t);
/// "file:line:col: message\n", as mlir-opt writes diagnostics.
std::string located(mlir::Diagnostic &d);

/// A context with the ej dialects (loaded; with those `extra` registers,
/// loaded on use), collecting its diagnostics as located lines.
struct DiagnosedContext {
  explicit DiagnosedContext(void (*extra)(mlir::DialectRegistry &) = nullptr);
  mlir::MLIRContext ctx;
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler;
};

/// Writes captured records as one ej `func.func`: a record becomes the op
/// of its name in lib/Ops.def, a tensor no record made becomes an argument
/// (in order of first use), a variable an `!ej.variable` argument.
class TraceConverter {
public:
  /// With `leaves_as_arguments`, records without inputs (constants, fills,
  /// random draws, ...) are not written: their results become arguments like
  /// any outside tensor. A gradient program wants their values, not how they
  /// were made.
  TraceConverter(mlir::MLIRContext &ctx, const std::string &name,
                 bool leaves_as_arguments = false);

  void add_argument(const TensorImpl *t) { value_of(t); }
  void convert(const std::vector<CapturedRecord> &records);
  /// The value of `t` in the function, or null if the records neither made
  /// nor read it.
  mlir::Value lookup(const TensorImpl *t) const { return values_.lookup(t); }
  mlir::Value lookup(const VariableImpl *v) const {
    return variables_.lookup(v);
  }
  /// What argument i is: a tensor, or a variable (the other is null). The
  /// random generator's seed and offset, added by finish(), are not listed.
  struct Argument {
    const TensorImpl *tensor = nullptr;
    const VariableImpl *variable = nullptr;
  };
  const std::vector<Argument> &arguments() const { return arguments_; }
  mlir::func::FuncOp function() { return func_; }
  /// Returns `results` and hands the module over.
  mlir::OwningOpRef<mlir::ModuleOp> finish(const std::vector<Tensor> &results);

private:
  mlir::Value variable_of(const VariableImpl *v);
  mlir::Value value_of(const TensorImpl *t);
  mlir::Value counter(mlir::Value &slot);
  void convert(size_t index);

  mlir::MLIRContext &ctx_;
  mlir::OpBuilder b_;
  bool leaves_as_arguments_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  mlir::func::FuncOp func_;
  mlir::Block *body_;
  mlir::Location loc_;
  llvm::DenseMap<const TensorImpl *, mlir::Value> values_;
  const std::vector<CapturedRecord> *records_ = nullptr;
  llvm::DenseMap<const TensorImpl *, size_t> deferred_;
  llvm::DenseMap<const VariableImpl *, mlir::Value> variables_;
  std::vector<Argument> arguments_;
  mlir::Value seed_, offset_;
  std::optional<uint64_t> seed_value_, base_offset_;
};

} // namespace ej::detail

#endif // EJ_LIB_TRACETOMLIR_H
