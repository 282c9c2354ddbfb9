//===- RandomProgram.h - Random eager programs for the JIT's tests -*- C++
//-*-===//
//
// A generator of random programs: sequences of eager ops (elementwise unary
// and binary ops with broadcasting and literals, comparisons and select,
// casts, reductions over random axes, argmax, matmul, reshape, transpose,
// slice, concat, broadcast, random draws) over random shapes and the five
// dtypes, run in a loop -- with ej::Step scopes or with no markers -- that
// carries a state tensor and a variable from one iteration to the next, so
// that the loop body gets hot.
//
// The generator knows which values are exact (computed without rounding:
// inputs are multiples of 1/8, and sums and products of them that fit in
// the mantissa), and only those feed discontinuous ops (comparisons, floor,
// casts to integers, argmax): two correct runs of a program agree exactly on
// integers, bools and exact floats. For the other floats it carries a bound
// of the error that rounding may make, propagated op by op through bounds of
// the values and of the derivatives (a few ulps per transcendental, more for
// sums in another order), and through the loop's carried values.
//
//===----------------------------------------------------------------------===//
#ifndef EJ_TEST_UNIT_RANDOMPROGRAM_H
#define EJ_TEST_UNIT_RANDOMPROGRAM_H

#include <ej/ej.h>

#include <string>
#include <vector>

namespace ejtest::fuzz {

using Shape = std::vector<int64_t>;

enum class Kind {
  Unary,
  Binary,
  Scalar,
  Compare,
  Select,
  Logical,
  Cast,
  Reduce,
  ArgMax,
  MatMul,
  Reshape,
  Transpose,
  Slice,
  Concat,
  Broadcast,
  ExpandDims,
  Random,
};

struct Op {
  Kind kind;
  int code = 0;
  std::vector<int> args;
  double scalar = 0; // Scalar: the literal
  ej::DType dtype = ej::float32;
  Shape ints; // axes, perm, shape
  bool keepdims = false;
  int64_t axis = 0;
  std::vector<ej::Index> index;
};

// What the generator knows of a value.
struct Info {
  Shape shape;
  ej::DType dtype = ej::float32;
  double bound = 0; // |x| <= bound
  bool exact = false;
  int frac = 0; // an exact float is a multiple of 2^-frac
  // The two runs may differ by err + gain * E, where E bounds the
  // difference of the carried state and variable at the iteration's start.
  double err = 0, gain = 0;
};

struct Program {
  unsigned seed = 0;
  bool steps = true;          // ej::Step per iteration, or a plain loop
  bool observe_setup = false; // an observation between set-up and loop
  int iterations = 0;
  std::vector<Info> values;
  std::vector<Op> ops;                     // ops[i] makes values[first_op + i]
  std::vector<std::vector<double>> inputs; // values[0..) made before the loop
  int state = -1, var = -1;                // the carried values
  int first_op = 0;
  int carry_state = -1, carry_var = -1;
  std::vector<int> outputs;
  std::string describe() const;
};

/// A random program; the same seed gives the same program.
Program random_program(unsigned seed);

/// Runs `p` (with the JIT as it is set); returns the observed values, then
/// the carried state and the variable.
std::vector<std::vector<double>> run(const Program &p);

/// E[k]: how far the carried state and variable of two runs may be apart
/// after k iterations.
std::vector<double> carried_errors(const Program &p);

/// Bits of the mantissa; half an ulp of 1.
int mantissa(ej::DType t);
double eps(ej::DType t);

} // namespace ejtest::fuzz

#endif // EJ_TEST_UNIT_RANDOMPROGRAM_H
