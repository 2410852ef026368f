/* The one header a TA includes: the whole GP TEE Internal Core API as far as it is implemented. */
#ifndef TEE_INTERNAL_API_H
#define TEE_INTERNAL_API_H

#include <tee_api_defines.h>
#include <tee_api_types.h>
#include <tee_api.h>
#include "tee_api_crypto.h"
#include "tee_api_storage.h"
#include <tee_ta_api.h>
#include <trace.h>

#endif /* TEE_INTERNAL_API_H */
