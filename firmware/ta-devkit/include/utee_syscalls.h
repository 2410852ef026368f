/*
 * One C prototype per utee syscall stub in lib/syscalls_a64.S (numbers in tee_syscall_numbers.h).
 * Pointer arguments are TA virtual addresses; "uint64_t *" lengths are 64-bit in/out values and
 * handles are 32-bit values chosen by the core. Nothing here validates anything: these are the
 * raw doors, the GP functions in tee_api.h are the checked ones.
 * The retired Secure Element syscalls (55..69) have no stubs.
 */
#ifndef UTEE_SYSCALLS_H
#define UTEE_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>
#include <tee_api_types.h>
#include <utee_types.h>

void _utee_return(unsigned long ret) __attribute__((noreturn));
void _utee_log(const void *buf, size_t len);
/* Sends the caller's SP as the second argument so the core can unwind. */
void _utee_panic(unsigned long code) __attribute__((noreturn));
TEE_Result _utee_get_property(unsigned long prop_set, unsigned long index, void *name,
			      uint32_t *name_len, void *buf, uint32_t *blen, uint32_t *prop_type);
TEE_Result _utee_get_property_name_to_index(unsigned long prop_set, const void *name,
					    unsigned long name_len, uint32_t *index);
TEE_Result _utee_open_ta_session(const TEE_UUID *dest, unsigned long cancel_req_to,
				 struct utee_params *params, uint32_t *sess, uint32_t *ret_orig);
TEE_Result _utee_close_ta_session(unsigned long sess);
TEE_Result _utee_invoke_ta_command(unsigned long sess, unsigned long cancel_req_to,
				   unsigned long cmd_id, struct utee_params *params,
				   uint32_t *ret_orig);
TEE_Result _utee_check_access_rights(uint32_t flags, const void *buf, size_t len);
TEE_Result _utee_get_cancellation_flag(uint32_t *cancel);
TEE_Result _utee_unmask_cancellation(uint32_t *old_mask);
TEE_Result _utee_mask_cancellation(uint32_t *old_mask);
TEE_Result _utee_wait(unsigned long timeout_ms);
TEE_Result _utee_get_time(unsigned long cat, TEE_Time *time);
TEE_Result _utee_set_ta_time(const TEE_Time *time);
TEE_Result _utee_cryp_state_alloc(unsigned long algo, unsigned long op_mode, unsigned long key1,
				  unsigned long key2, uint32_t *state);
TEE_Result _utee_cryp_state_copy(unsigned long dst, unsigned long src);
TEE_Result _utee_cryp_state_free(unsigned long state);
TEE_Result _utee_hash_init(unsigned long state, const void *iv, size_t iv_len);
TEE_Result _utee_hash_update(unsigned long state, const void *chunk, size_t chunk_size);
TEE_Result _utee_hash_final(unsigned long state, const void *chunk, size_t chunk_size, void *hash,
			    uint64_t *hash_len);
TEE_Result _utee_cipher_init(unsigned long state, const void *iv, size_t iv_len);
TEE_Result _utee_cipher_update(unsigned long state, const void *src, size_t src_len, void *dest,
			       uint64_t *dest_len);
TEE_Result _utee_cipher_final(unsigned long state, const void *src, size_t src_len, void *dest,
			      uint64_t *dest_len);
TEE_Result _utee_cryp_obj_get_info(unsigned long obj, struct utee_object_info *info);
TEE_Result _utee_cryp_obj_restrict_usage(unsigned long obj, unsigned long usage);
TEE_Result _utee_cryp_obj_get_attr(unsigned long obj, unsigned long attr_id, void *buffer,
				   uint64_t *size);
TEE_Result _utee_cryp_obj_alloc(unsigned long obj_type, unsigned long max_size_bits,
				uint32_t *obj);
TEE_Result _utee_cryp_obj_close(unsigned long obj);
TEE_Result _utee_cryp_obj_reset(unsigned long obj);
TEE_Result _utee_cryp_obj_populate(unsigned long obj, struct utee_attribute *attrs,
				   unsigned long attr_count);
TEE_Result _utee_cryp_obj_copy(unsigned long dst_obj, unsigned long src_obj);
TEE_Result _utee_cryp_derive_key(unsigned long state, const struct utee_attribute *params,
				 unsigned long param_count, unsigned long derived_key);
TEE_Result _utee_cryp_random_number_generate(void *buf, size_t blen);
/* tag_len is in bytes here (GP's TEE_AEInit takes bits). */
TEE_Result _utee_authenc_init(unsigned long state, const void *nonce, size_t nonce_len,
			      size_t tag_len, size_t aad_len, size_t payload_len);
TEE_Result _utee_authenc_update_aad(unsigned long state, const void *aad, size_t aad_len);
TEE_Result _utee_authenc_update_payload(unsigned long state, const void *src, size_t len,
					void *dst, uint64_t *dst_len);
TEE_Result _utee_authenc_enc_final(unsigned long state, const void *src, size_t len, void *dst,
				   uint64_t *dst_len, void *tag, uint64_t *tag_len);
TEE_Result _utee_authenc_dec_final(unsigned long state, const void *src, size_t len, void *dst,
				   uint64_t *dst_len, const void *tag, size_t tag_len);
TEE_Result _utee_asymm_operate(unsigned long state, const struct utee_attribute *params,
			       unsigned long num_params, const void *src, size_t src_len,
			       void *dst, uint64_t *dst_len);
TEE_Result _utee_asymm_verify(unsigned long state, const struct utee_attribute *params,
			      unsigned long num_params, const void *data, size_t data_len,
			      const void *sig, size_t sig_len);
TEE_Result _utee_storage_obj_open(unsigned long storage_id, const void *object_id,
				  size_t object_id_len, unsigned long flags, uint32_t *obj);
TEE_Result _utee_storage_obj_create(unsigned long storage_id, const void *object_id,
				    size_t object_id_len, unsigned long flags,
				    unsigned long attr_obj, const void *data, size_t len,
				    uint32_t *obj);
TEE_Result _utee_storage_obj_del(unsigned long obj);
TEE_Result _utee_storage_obj_rename(unsigned long obj, const void *new_id, size_t new_id_len);
TEE_Result _utee_storage_alloc_enum(uint32_t *obj_enum);
TEE_Result _utee_storage_free_enum(unsigned long obj_enum);
TEE_Result _utee_storage_reset_enum(unsigned long obj_enum);
TEE_Result _utee_storage_start_enum(unsigned long obj_enum, unsigned long storage_id);
TEE_Result _utee_storage_next_enum(unsigned long obj_enum, struct utee_object_info *info,
				   void *obj_id, uint64_t *len);
TEE_Result _utee_storage_obj_read(unsigned long obj, void *data, size_t len, uint64_t *count);
TEE_Result _utee_storage_obj_write(unsigned long obj, const void *data, size_t len);
TEE_Result _utee_storage_obj_trunc(unsigned long obj, size_t len);
TEE_Result _utee_storage_obj_seek(unsigned long obj, int32_t offset, unsigned long whence);
TEE_Result _utee_cryp_obj_generate_key(unsigned long obj, unsigned long key_size,
				       const struct utee_attribute *params,
				       unsigned long param_count);
/* op: 0 clean, 1 flush, 2 invalidate; needs TA_FLAG_CACHE_MAINTENANCE. */
TEE_Result _utee_cache_operation(void *va, size_t len, unsigned long op);

#endif /* UTEE_SYSCALLS_H */
