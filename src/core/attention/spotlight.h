// The whole attention core in one include.
#pragma once

#include "attention/attention.h"
#include "attention/designed_heads.h"
#include "attention/embeddings.h"
#include "attention/multi_head.h"
#include "attention/scaling_study.h"
#include "base/errors.h"
#include "base/matrix.h"
#include "base/random.h"
#include "kernels/attention_kernels.h"
#include "kernels/gemm.h"
#include "kernels/masks.h"
#include "kernels/softmax.h"
