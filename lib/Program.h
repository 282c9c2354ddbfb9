//===- Program.h - An ej function decoded for the interpreter -----*- C++
//-*-===//
//
// The ops of an ej function (or the part of one that some values need),
// decoded once into records and run many times through the eager kernels.
// run_mlir and the gradient programs of GradientTape run this way. Every
// op runs through the API's record path, so an active tape records it: a
// gradient program run under an outer tape can be differentiated again.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_LIB_PROGRAM_H
#define EJ_LIB_PROGRAM_H

#include "ej/Variable.h"
#include "lib/OpSupport.h"

#include "mlir/IR/Block.h"
#include "mlir/IR/Value.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ej::detail {

/// A compiled `ej.fusion`: reads its inputs (row-major) and writes its
/// results into the buffers given.
using FusedKernel =
    std::function<void(llvm::ArrayRef<const TensorImpl *> inputs,
                       llvm::ArrayRef<TensorImpl *> outputs)>;
/// Compiles the `ej.fusion` op given; throws ej::Error when it cannot.
using FusionCompiler = std::function<FusedKernel(mlir::Operation *fusion)>;

class Executable;

/// "kernel sub,exp,reduce_sum,div -> (256, 1024)": an ej.fusion's line in
/// the profile and in messages, its ops in order (repeats once) and its
/// first result's shape.
std::string kernel_label(mlir::Operation *fusion);

/// A region function (a module holding one `func.func`) as a host program:
/// its ops run one by one through the interpreter's kernels, not recorded,
/// on `device`;
/// ej.fusion ops run as the kernels `kernels` compiles (there are none
/// without it). Null, with `error` set, when a program cannot be made.
std::unique_ptr<Executable> host_program(mlir::Operation *module,
                                         const FusionCompiler *kernels,
                                         std::string &error,
                                         int device = runtime::kHost);

/// host_program() of the module after ej-fuse has grouped its ops into
/// ej.fusion kernels, which `kernels` compiles.
std::unique_ptr<Executable> fused_program(mlir::Operation *module,
                                          const FusionCompiler &kernels,
                                          std::string &error, int device);

class Program {
public:
  /// Computes `outputs` from `inputs`: values of `body` (block arguments or
  /// op results) that run() is given. Ops whose result is an input are not
  /// run; of the others, only those the outputs need and those that write a
  /// variable are kept. Throws ej::Error (op `what`) for an op the
  /// interpreter cannot run.
  /// `ej.fusion` ops run as the kernels `fusions` compiles them into
  /// (without it, a fusion is an error).
  Program(mlir::Block &body, llvm::ArrayRef<mlir::Value> inputs,
          llvm::ArrayRef<mlir::Value> outputs, const char *what,
          const FusionCompiler *fusions = nullptr);

  /// Runs the program. Input i is tensors[i], or variables[i] when it is a
  /// `!ej.variable`; entries the program does not read may be undefined.
  /// Each op is recorded like an API call (tapes see it) unless `record` is
  /// false: then the kernels run directly, as the inside of a compiled
  /// region, every op on `device` (the inputs are copied there first).
  /// `device` defaults to the inputs' (a GPU input's, if any).
  std::vector<Tensor> run(const std::vector<Tensor> &tensors,
                          const std::vector<Variable> &variables,
                          bool record = true, int device = kByInputs) const;

  /// Whether the program reads input i.
  bool reads(size_t input) const { return reads_[input]; }
  /// The number of ops it runs.
  size_t size() const { return steps_.size(); }

private:
  struct Step {
    Record record;         // opcode and attributes; inputs set by run()
    std::vector<int> in;   // value slots
    int var = -1;          // variable slot
    int out = 0;           // value slot
    int constant = -1;     // index in constants_
    bool counters = false; // a random op: the inputs are its seed and offset
    DType dtype = float32;
    Dims shape;
    // A compiled fusion: its kernel, result slots and types.
    std::shared_ptr<const FusedKernel> fused;
    std::vector<int> outs;
    std::vector<std::pair<DType, Dims>> out_types;
    std::string label; // its line in EJ_LOG=profile
    explicit Step(OpCode op) : record(op) {}
  };
  std::vector<Step> steps_;
  std::vector<std::vector<uint8_t>> constants_;
  std::vector<int> outputs_;
  std::vector<bool> reads_;
  size_t num_slots_ = 0;
  const char *what_;
};

} // namespace ej::detail

#endif // EJ_LIB_PROGRAM_H
