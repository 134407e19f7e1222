// The whole attention core in one include.
#pragma once

#include "attention.h"
#include "designed_heads.h"
#include "embeddings.h"
#include "errors.h"
#include "gemm.h"
#include "kernels.h"
#include "masks.h"
#include "matrix.h"
#include "multi_head.h"
#include "random.h"
#include "scaling_study.h"
#include "softmax.h"
