//===- ej.h - The EagerJIT public API ------------------------------*- C++
//-*-===//
//
// #include <ej/ej.h> and write eager tensor code:
//
//   ej::Tensor x = ej::constant({{1, 2}, {3, 4}});
//   std::cout << ej::matmul(x, x) + 1 << "\n";
//
//===----------------------------------------------------------------------===//
#ifndef EJ_EJ_H
#define EJ_EJ_H

#include "ej/DType.h"
#include "ej/Error.h"
#include "ej/autodiff.h"
#include "ej/checkpoint.h"
#include "ej/data.h"
#include "ej/Tensor.h"
#include "ej/Variable.h"
#include "ej/device.h"
#include "ej/jit.h"
#include "ej/metrics.h"
#include "ej/nn.h"
#include "ej/ops.h"
#include "ej/optim.h"

#endif // EJ_EJ_H
