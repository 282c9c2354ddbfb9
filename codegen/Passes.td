//===- Passes.td - The code generation passes -------------*- tablegen -*-===//
#ifndef EJ_CODEGEN_PASSES_TD
#define EJ_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertEjToLinalg : Pass<"convert-ej-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Lowers ej ops to linalg, tensor, arith and math";
  let description = [{
    Elementwise ops, casts and `where` (NumPy broadcasting as indexing maps),
    fills, constants, broadcast_to, transpose and reversed slices become
    `linalg.generic` / `linalg.fill` on tensors, with scalar bodies that
    compute what the interpreter's kernels compute (NaN-propagating relu,
    sign, maximum and minimum; float-to-integer casts that truncate,
    saturate and send NaN to 0; integer powers by squaring). Reductions
    (sum, mean, max, min, prod, argmax, argmin) are generics with reduction
    iterators that accumulate float32 sums in float64 and integer sums in
    int64, as the kernels do. matmul is `linalg.matmul` (batch axes folded
    into rows) or `linalg.batch_matmul`; reshape, slice, concat and pad are
    `tensor` ops. `ej.fusion` regions are inlined.

    Any other ej op (random draws, variables, gather, one_hot, arange, ...)
    is reported with an error at the op and the pass fails: the JIT leaves
    such a function on the interpreter.

    ```mlir
    %0 = ej.add %a, %b : tensor<2x3xf32>, tensor<3xf32>
    // becomes
    %e = tensor.empty() : tensor<2x3xf32>
    %0 = linalg.generic {indexing_maps = [(d0, d1) -> (d0, d1), (d0, d1) -> (d1),
        (d0, d1) -> (d0, d1)], ...} ins(%a, %b) outs(%e) { arith.addf ... }
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect"];
}

def EjFuseElementwise : Pass<"ej-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "linalg elementwise fusion that keeps matmuls named";
  let description = [{
    The patterns of upstream `linalg-fuse-elementwise-ops` (producer into
    consumer when the producer has one use, reshapes propagated by
    expansion, constant folding), except that no fusion or reshape
    propagation touches `linalg.matmul` / `linalg.batch_matmul`: upstream
    would rewrite them as generics, and they must stay BLAS calls.

    ```mlir
    %1 = linalg.generic ... ins(%a) { math.exp }
    %2 = linalg.generic ... ins(%1) { math.tanh }
    // becomes one linalg.generic computing tanh(exp(a))
    ```

    A cheap elementwise producer (at most two arithmetic operations, no
    division) whose every use is an input of a different generic it can
    fuse into is computed again in each of them instead of being written
    once and read back, where the consumers reading its inputs read no
    more than its result would cost: layernorm's `x - mean` feeds the
    variance's sum and the output without a pass of its own. A producer
    read broadcast (a row's mean) is not fused.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect"];
}

def EjLinalgToBlas : Pass<"ej-linalg-to-blas", "::mlir::ModuleOp"> {
  let summary = "Bufferized f32/f64 matmuls become calls of the BLAS helpers";
  let description = [{
    Runs after bufferization: each `linalg.matmul` and `linalg.batch_matmul`
    on f32 or f64 memrefs becomes a call of `ej_blas_sgemm` / `ej_blas_dgemm`
    (`ej_blas_sgemm_batched` / `ej_blas_dgemm_batched`) with strided memref
    descriptors (`llvm.emit_c_interface`). The helpers (codegen/BlasRuntime)
    call cblas_sgemm / cblas_dgemm, passing a transposed layout as a
    transpose flag; CpuCompiler registers them with the JIT. Integer
    matmuls stay linalg and become loops.

    ```mlir
    linalg.matmul ins(%a, %b : memref<4x3xf32>, memref<3x2xf32>)
                  outs(%c : memref<4x2xf32>)
    // becomes
    %0 = memref.cast %a : memref<4x3xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
    ...
    call @ej_blas_sgemm(%0, %1, %2) : (...) -> ()
    ```
  }];
  let statistics = [
    Statistic<"numCalls", "blas-calls", "matmuls turned into BLAS calls">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect"];
}

def EjFuse : Pass<"ej-fuse", "::mlir::func::FuncOp"> {
  let summary = "Groups runs of fusible ej ops into ej.fusion regions";
  let description = [{
    Each maximal run of consecutive ops that convert-ej-to-linalg lowers
    (elementwise ops, broadcasts, reshapes, fills and the reductions)
    becomes one `ej.fusion`: one kernel for the CPU code generator. Its
    inputs are the values the run reads from outside, its results the values
    used after it. Everything else (matmul, data movement, random draws,
    variables) stays outside, to run as a library call or an interpreter
    kernel between the fused kernels.

    ```mlir
    %0 = ej.matmul %a, %b : ...
    %1 = ej.add %0, %bias : ...
    %2 = ej.relu %1 : ...
    // becomes
    %0 = ej.matmul %a, %b : ...
    %2 = ej.fusion (%0, %bias) : (...) -> tensor<...> {
    ^bb0(%x: ..., %y: ...):
      %s = ej.add %x, %y : ...
      %r = ej.relu %s : ...
      ej.yield %r : ...
    }
    ```
  }];
  let options = [
    Option<"minOps", "min-ops", "unsigned", "1",
           "The fewest ops a run needs to become a fusion">
  ];
  let statistics = [
    Statistic<"numFusions", "fusions", "ej.fusion regions made">,
    Statistic<"numFused", "fused-ops", "ops moved into them">
  ];
  let dependentDialects = ["::mlir::ej::EjDialect"];
}

def EjApproximateMath : Pass<"ej-approximate-math", "::mlir::func::FuncOp"> {
  let summary = "Polynomial approximations of f32 transcendentals";
  let description = [{
    Rewrites f32 `math.log`, `log1p`, `tanh`, `sin`, `cos` and friends
    into arithmetic (MLIR's polynomial approximations, a few ulp from the
    exact values), so that loops over them vectorize instead of calling
    libm element by element. f32 `math.exp` is ours: a range reduction to
    |r| <= ln 2 / 2, a polynomial of degree 6, and a scale by two powers of
    two (23 instructions, no selects after clamping the input; within 0.9
    ulp over every float, subnormal results included, where MLIR's
    flushes them to 0). f32 `math.erf` becomes one rational function of
    the input clamped to [-4, 4] (11 FMAs and a division, no selects;
    within 6 ulp). f64 ops stay calls of libm's functions, which LLVM's
    loop vectorizer replaces with their libmvec versions (see
    LlvmOptimize.cpp).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def EjParallelize : Pass<"ej-parallelize", "::mlir::func::FuncOp"> {
  let summary = "Keeps the outer dimension of large loop nests parallel";
  let description = [{
    Runs on the `scf.parallel` nests of `convert-linalg-to-parallel-loops`.
    A nest whose iterations (the product of its static trip counts, inner
    loops included) reach `min-iterations` keeps one parallel dimension, its
    outermost, which `convert-scf-to-openmp` then splits over threads; every
    other parallel dimension, and every nest below the threshold, becomes
    `scf.for` loops, so that the innermost loop stays a plain loop that LLVM
    vectorizes and small kernels pay no threading cost.

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%c1024, %c1024) step (%c1, %c1) {
      ...
    }
    // becomes
    scf.parallel (%i) = (%c0) to (%c1024) step (%c1) {
      scf.for %j = %c0 to %c1024 step %c1 {
        ...
      }
    }
    ```

    A parallel loop that is itself the innermost (an elementwise nest over
    one dimension) and computes no transcendental (whose polynomial's
    constants LLVM would hoist out of the block's loop, where they spill)
    runs in blocks of `block` iterations (fewer, down to a
    quarter, where that divides the trip count), and the iterations past
    the last whole block in a plain loop after it. The loop over a block
    has a static trip count that whole vectors cover; over a thread's share
    of the iterations, known only at run time, LLVM's vectorizer also wrote
    a vectorized epilogue and a scalar remainder, copies of the body that
    every kernel paid to compile.

    ```mlir
    scf.parallel (%i) = (%c0) to (%c1048576) step (%c1) {
      ...
    }
    // becomes
    scf.parallel (%b) = (%c0) to (%c1048576) step (%c4096) {
      %e = arith.addi %b, %c4096 : index
      scf.for %i = %b to %e step %c1 {
        ...
      }
    }
    ```
  }];
  let options = [
    Option<"minIterations", "min-iterations", "int64_t", "65536",
           "The fewest innermost iterations a nest needs to run in parallel">,
    Option<"block", "block", "int64_t", "4096",
           "Iterations per block of a parallel innermost loop (a power of "
           "two)">
  ];
  let statistics = [
    Statistic<"numParallel", "parallel-nests", "nests left parallel">,
    Statistic<"numBlocked", "blocked-loops",
              "parallel innermost loops run in blocks">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def EjHoistCapturedFields
    : Pass<"ej-hoist-captured-fields", "::mlir::LLVM::LLVMFuncOp"> {
  let summary = "Parallel regions capture the fields of memref descriptors "
                "they read, not the descriptors";
  let description = [{
    Runs on the llvm dialect, before translation outlines each `omp.parallel`
    region into a function of its own. The outlined function receives every
    value the region uses from outside, by address: a memref descriptor is
    stored whole (allocated and aligned pointers, offset, sizes, strides)
    and read back, although the region reads only its aligned pointer (the
    shapes are static). An `llvm.extractvalue` in the region whose aggregate
    is defined outside it moves before the region, which then captures the
    field. A training step's kernel, with a few dozen parallel loop nests
    and a hundred buffers, shrank from 5409 to 3732 LLVM instructions, and
    LLVM took a third less time over it.

    ```mlir
    omp.parallel {
      %p = llvm.extractvalue %desc[1] : !llvm.struct<(ptr, ptr, i64, ...)>
      ...
    }
    // becomes
    %p = llvm.extractvalue %desc[1] : !llvm.struct<(ptr, ptr, i64, ...)>
    omp.parallel {
      ...
    }
    ```
  }];
  let statistics = [
    Statistic<"numHoisted", "hoisted", "extractvalue ops moved out of "
              "parallel regions">
  ];
}

def EjElementwiseInPlace
    : Pass<"ej-elementwise-in-place", "::mlir::func::FuncOp"> {
  let summary = "Elementwise generics write over an input nothing reads "
                "after them";
  let description = [{
    An elementwise `linalg.generic` (every loop parallel, its one output
    indexed as its loops and not read by its body) takes as its output an
    input of the same type that it reads elementwise, that an op of the
    same block computed (a temporary of the kernel), and that no later op
    reads. Bufferization then computes the result in that input's buffer,
    element by element after reading it, instead of in a buffer of its
    own; and when the result is written into a kernel's output,
    `eliminate-empty-tensors` builds the input there already. Softmax's
    exponentials go straight into the output and are scaled there: the
    block's temporary goes, and the last pass rewrites lines that are in
    the cache.

    ```mlir
    %e = linalg.generic ... ins(%x, %m) outs(%empty) { exp(x - m) }
    %s = linalg.generic ... ins(%e) outs(%zero) { sum }
    %q = linalg.generic ... ins(%e, %s) outs(%empty) { e / s }
    // %q's output becomes %e
    %q = linalg.generic ... ins(%e, %s) outs(%e) { e / s }
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
  let statistics = [Statistic<"numInPlace", "in-place",
                              "Generics given an input as their output">];
}

def EjSeparateDestinations
    : Pass<"ej-separate-destinations", "::mlir::func::FuncOp"> {
  let summary = "A use of a tensor.empty that several written results "
                "build on becomes an allocation";
  let description = [{
    Runs before `eliminate-empty-tensors`. That pass builds a result in
    place in its output buffer by replacing the `tensor.empty` the result
    is built on with the buffer. When two results written by
    `bufferization.materialize_in_destination` into buffers share a prefix
    built on one empty tensor (two concats of the same first operand, after
    CSE), the empty tensor became the first result's buffer, and writing
    that result clobbered the second before it was copied out. Such a use
    of the empty tensor (followed through destination operands and views:
    `extract_slice`, `expand_shape`, `collapse_shape`, `cast`, `reshape`)
    takes a `bufferization.alloc_tensor` instead, which the elimination
    leaves alone: bufferization gives it a buffer of its own. Uses that
    each lead to one result (CSE merges the empty tensors of all results of
    one type) stay, and each result is built in its output buffer.

    ```mlir
    %e = tensor.empty() : tensor<258xi64>
    %p = tensor.insert_slice %a into %e[0] [256] [1] : ...
    %0 = tensor.insert_slice %b into %p[256] [2] [1] : ...
    %1 = tensor.insert_slice %c into %p[256] [2] [1] : ...
    bufferization.materialize_in_destination %0 in restrict writable %o0 : ...
    bufferization.materialize_in_destination %1 in restrict writable %o1 : ...
    // %e becomes
    %e = bufferization.alloc_tensor() : tensor<258xi64>
    ```
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
  let statistics = [Statistic<"numSeparated", "separated",
                              "Empty tensors made allocations">];
}

def EjInvertSoftmaxDenominators
    : Pass<"ej-invert-softmax-denominators", "::mlir::func::FuncOp"> {
  let summary = "A softmax multiplies by the reciprocal of its denominator";
  let description = [{
    `e / s` with `s = reduce_sum(e)` and `e = exp(x - reduce_max(x))`, both
    reductions over the same axes with `keepdims` (the max through a
    `stop_gradient` or not), becomes `e * (1 / s)`: one division per row
    instead of one per element, which took an eighth of a softmax's time
    over rows in the cache. It is safe because of where `s` lies: one term
    of the sum is exp(0) = 1 and none exceeds 1, so `s` is in [1, n] (n
    terms) or NaN, and its reciprocal is a normal float, never infinite or
    subnormal. The product is within 1.5 ulp of the exact quotient (the
    division is within half an ulp). Other divisions are left alone: for a
    divisor below about 2^-128 in magnitude, `1 / s` overflows to
    infinity.

    ```mlir
    %m = ej.reduce_max %x axes = [1] keepdims : tensor<4x8xf32>
    %d = ej.sub %x, %m : tensor<4x8xf32>, tensor<4x1xf32>
    %e = ej.exp %d : tensor<4x8xf32>
    %s = ej.reduce_sum %e axes = [1] keepdims : tensor<4x8xf32>
    %q = ej.div %e, %s : tensor<4x8xf32>, tensor<4x1xf32>
    // becomes
    %one = ej.constant dense<1.000000e+00> : tensor<f32>
    %r = ej.div %one, %s : tensor<f32>, tensor<4x1xf32>
    %q = ej.mul %e, %r : tensor<4x8xf32>, tensor<4x1xf32>
    ```
  }];
  let dependentDialects = ["::mlir::ej::EjDialect"];
  let statistics = [
    Statistic<"numInverted", "inverted-denominators",
              "softmax divisions made multiplications">
  ];
}

def EjTileRows : Pass<"ej-tile-rows", "::mlir::func::FuncOp"> {
  let summary = "Row reductions and their elementwise neighbours as one "
                "loop over blocks of rows";
  let description = [{
    Softmax, layernorm and their kin reduce along the trailing axes and
    combine the reductions with the rows again. Lowered op by op, each
    reduction and each elementwise nest between them is a loop over the
    whole tensor, and every intermediate makes a round trip through memory
    (layernorm: the input read three times, a difference written and read
    twice). When every `ej` op of a function that touches a row-shaped
    value (rank `r`, leading dimension `N`, the shape of its row
    reductions' operands) is elementwise, a copy, or a reduction with
    `keepdims` over axes other than the first, those ops move into one
    `scf.forall` over blocks of rows: row-shaped operands from outside are
    sliced, smaller ones (a `gamma` of the row's length, a scalar) are read
    whole, and the results are inserted into the full tensors. A block's
    intermediates stay in the cache, and the loop over blocks runs on
    threads. A block is the most rows that take at most `block-bytes`; the
    rows past the last whole block are one more block, in a second loop. A
    function whose ops do not all qualify, whose rows fit in one block, or
    whose tensors have no elements is left as it is.

    ```mlir
    %m = ej.reduce_max %x axes = [1] keepdims : tensor<256x1024xf32>
    %d = ej.sub %x, %m : tensor<256x1024xf32>, tensor<256x1xf32>
    // becomes
    %r = scf.forall (%i) = (0) to (256) step (8)
        shared_outs(%o = %empty) -> (tensor<256x1024xf32>) {
      %xs = tensor.extract_slice %x[%i, 0] [8, 1024] [1, 1] : ...
      %m = ej.reduce_max %xs axes = [1] keepdims : tensor<8x1024xf32>
      %d = ej.sub %xs, %m : tensor<8x1024xf32>, tensor<8x1xf32>
      scf.forall.in_parallel {
        tensor.parallel_insert_slice %d into %o[%i, 0] [8, 1024] [1, 1] : ...
      }
    }
    ```
  }];
  let options = [
    Option<"blockBytes", "block-bytes", "int64_t", "32768",
           "The most bytes of a row-shaped tensor one block holds">
  ];
  let statistics = [
    Statistic<"numTiled", "tiled-functions", "functions made a loop over "
              "row blocks">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // EJ_CODEGEN_PASSES_TD
