/*
 * cryptest: drives the GP crypto API with client-supplied keys and data (see
 * include/cryptest_ta.h for the parameter ABI). Test-only; every buffer the client gives is
 * used in place.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <cryptest_ta.h>
#include <utee_syscalls.h>

#define MAX_ATTRS 16

struct blob {
	TEE_Attribute attrs[MAX_ATTRS];
	uint32_t count;
	const uint8_t *iv, *aad, *tag, *data, *key2;
	size_t iv_len, aad_len, tag_len, data_len, key2_len;
	uint32_t tag_bits, tag_buf;
	uint32_t key_type, key_bits;
	uint32_t dk_bits;
};

static TEE_Result parse(const void *buf, size_t size, struct blob *b)
{
	const uint8_t *p = buf;
	size_t off = 0;

	memset(b, 0, sizeof(*b));
	while (off + 8 <= size) {
		uint32_t id, len;

		memcpy(&id, p + off, 4);
		memcpy(&len, p + off + 4, 4);
		off += 8;
		if (len > size - off)
			return TEE_ERROR_BAD_PARAMETERS;
		const uint8_t *d = p + off;

		switch (id) {
		case CT_IV: b->iv = d; b->iv_len = len; break;
		case CT_AAD: b->aad = d; b->aad_len = len; break;
		case CT_TAG: b->tag = d; b->tag_len = len; break;
		case CT_DATA: b->data = d; b->data_len = len; break;
		case CT_KEY2: b->key2 = d; b->key2_len = len; break;
		case CT_TAGLEN:
			if (len != 8)
				return TEE_ERROR_BAD_PARAMETERS;
			memcpy(&b->tag_bits, d, 4);
			memcpy(&b->tag_buf, d + 4, 4);
			break;
		case CT_KEYTYPE:
			if (len != 8)
				return TEE_ERROR_BAD_PARAMETERS;
			memcpy(&b->key_type, d, 4);
			memcpy(&b->key_bits, d + 4, 4);
			break;
		case CT_DKSIZE:
			if (len != 8)
				return TEE_ERROR_BAD_PARAMETERS;
			memcpy(&b->dk_bits, d, 4);
			break;
		default:
			if (id < 0x100 || b->count >= MAX_ATTRS)
				return TEE_ERROR_BAD_PARAMETERS;
			if (id & TEE_ATTR_FLAG_VALUE) {
				uint32_t v[2];

				if (len != 8)
					return TEE_ERROR_BAD_PARAMETERS;
				memcpy(v, d, 8);
				TEE_InitValueAttribute(&b->attrs[b->count++], id, v[0], v[1]);
			} else {
				TEE_InitRefAttribute(&b->attrs[b->count++], id, d, len);
			}
		}
		off += (len + 3) & ~3u;
	}
	return off == size || size - off < 8 ? TEE_SUCCESS : TEE_ERROR_BAD_PARAMETERS;
}

struct call {
	uint32_t algo, mode, chunk, arg;
	struct blob key, op;
	bool has_key;
	void *out;
	size_t out_size;
	TEE_Param *params;
};

static TEE_Result unpack(uint32_t types, TEE_Param params[4], struct call *c)
{
	TEE_Result res;
	uint32_t t1 = TEE_PARAM_TYPE_GET(types, 1);
	uint32_t t2 = TEE_PARAM_TYPE_GET(types, 2);

	memset(c, 0, sizeof(*c));
	if (TEE_PARAM_TYPE_GET(types, 0) != TEE_PARAM_TYPE_VALUE_INPUT ||
	    TEE_PARAM_TYPE_GET(types, 3) != TEE_PARAM_TYPE_MEMREF_OUTPUT ||
	    (t1 != TEE_PARAM_TYPE_NONE && t1 != TEE_PARAM_TYPE_MEMREF_INPUT) ||
	    (t2 != TEE_PARAM_TYPE_NONE && t2 != TEE_PARAM_TYPE_MEMREF_INPUT))
		return TEE_ERROR_BAD_PARAMETERS;
	c->algo = params[0].value.a;
	c->arg = params[0].value.b;
	c->mode = params[0].value.b & 0xff;
	c->chunk = params[0].value.b >> 16;
	if (t1 == TEE_PARAM_TYPE_MEMREF_INPUT) {
		res = parse(params[1].memref.buffer, params[1].memref.size, &c->key);
		if (res)
			return res;
		c->has_key = true;
	}
	if (t2 == TEE_PARAM_TYPE_MEMREF_INPUT) {
		res = parse(params[2].memref.buffer, params[2].memref.size, &c->op);
		if (res)
			return res;
	}
	c->out = params[3].memref.buffer;
	c->out_size = params[3].memref.size;
	c->params = params;
	return TEE_SUCCESS;
}

static TEE_Result make_key(const struct blob *k, TEE_ObjectHandle *obj)
{
	TEE_Result res = TEE_AllocateTransientObject(k->key_type, k->key_bits, obj);

	if (res)
		return res;
	res = TEE_PopulateTransientObject(*obj, k->attrs, k->count);
	if (res) {
		TEE_FreeTransientObject(*obj);
		*obj = TEE_HANDLE_NULL;
	}
	return res;
}

/*
 * Allocates the operation and sets key 1 (and key 2 from CT_KEY2: a secret for XTS, a key blob
 * when key 1 is a key pair, as SM2 KEP's ephemeral key; the operation's size is then both keys').
 */
static TEE_Result prepare(struct call *c, TEE_OperationHandle *op)
{
	TEE_ObjectHandle k1 = TEE_HANDLE_NULL;
	TEE_ObjectHandle k2 = TEE_HANDLE_NULL;
	bool pair2 = c->op.key2 && (c->key.key_type & 0xFF000000) == 0xA1000000;
	TEE_Result res = TEE_AllocateOperation(op, c->algo, c->mode,
					       c->has_key ? c->key.key_bits * (pair2 ? 2 : 1) : 0);

	if (res || !c->has_key)
		return res;
	res = make_key(&c->key, &k1);
	if (res)
		goto out;
	if (pair2) {
		struct blob kb;

		res = parse(c->op.key2, c->op.key2_len, &kb);
		if (!res)
			res = make_key(&kb, &k2);
		if (!res)
			res = TEE_SetOperationKey2(*op, k1, k2);
	} else if (c->op.key2) {
		TEE_Attribute a;

		res = TEE_AllocateTransientObject(c->key.key_type, c->key.key_bits, &k2);
		if (res)
			goto out;
		TEE_InitRefAttribute(&a, TEE_ATTR_SECRET_VALUE, c->op.key2, c->op.key2_len);
		res = TEE_PopulateTransientObject(k2, &a, 1);
		if (res)
			goto out;
		res = TEE_SetOperationKey2(*op, k1, k2);
	} else {
		res = TEE_SetOperationKey(*op, k1);
	}
out:
	TEE_FreeTransientObject(k1);
	TEE_FreeTransientObject(k2);
	if (res) {
		TEE_FreeOperation(*op);
		*op = TEE_HANDLE_NULL;
	}
	return res;
}

static TEE_Result finish(struct call *c, TEE_OperationHandle op, TEE_Result res, size_t len)
{
	if (res == TEE_SUCCESS || res == TEE_ERROR_SHORT_BUFFER)
		c->params[3].memref.size = len;
	TEE_FreeOperation(op);
	return res;
}

static TEE_Result cmd_digest(struct call *c)
{
	TEE_OperationHandle op;
	TEE_Result res = prepare(c, &op);
	size_t off = 0, len = c->out_size;

	if (res)
		return res;
	while (c->chunk && c->op.data_len - off > c->chunk) {
		TEE_DigestUpdate(op, c->op.data + off, c->chunk);
		off += c->chunk;
	}
	res = TEE_DigestDoFinal(op, c->op.data + off, c->op.data_len - off, c->out, &len);
	return finish(c, op, res, len);
}

static TEE_Result cmd_mac(struct call *c)
{
	TEE_OperationHandle op;
	TEE_Result res = prepare(c, &op);
	size_t off = 0, len = c->out_size;

	if (res)
		return res;
	TEE_MACInit(op, c->op.iv, c->op.iv_len);
	while (c->chunk && c->op.data_len - off > c->chunk) {
		TEE_MACUpdate(op, c->op.data + off, c->chunk);
		off += c->chunk;
	}
	if (c->op.tag) {
		res = TEE_MACCompareFinal(op, c->op.data + off, c->op.data_len - off, c->op.tag,
					  c->op.tag_len);
		return finish(c, op, res, 0);
	}
	res = TEE_MACComputeFinal(op, c->op.data + off, c->op.data_len - off, c->out, &len);
	return finish(c, op, res, len);
}

static TEE_Result cmd_cipher(struct call *c)
{
	TEE_OperationHandle op;
	TEE_Result res = prepare(c, &op);
	size_t in = 0, out = 0, len;
	uint8_t *dst = c->out;

	if (res)
		return res;
	TEE_CipherInit(op, c->op.iv, c->op.iv_len);
	while (c->chunk && c->op.data_len - in > c->chunk) {
		len = c->out_size - out;
		res = TEE_CipherUpdate(op, c->op.data + in, c->chunk, dst + out, &len);
		if (res)
			return finish(c, op, res, out + len);
		in += c->chunk;
		out += len;
	}
	len = c->out_size - out;
	res = TEE_CipherDoFinal(op, c->op.data + in, c->op.data_len - in, dst + out, &len);
	return finish(c, op, res, out + len);
}

static TEE_Result cmd_ae(struct call *c)
{
	TEE_OperationHandle op;
	TEE_Result res = prepare(c, &op);
	size_t in = 0, out = 0, len;
	uint8_t *dst = c->out;

	if (res)
		return res;
	res = TEE_AEInit(op, c->op.iv, c->op.iv_len, c->op.tag_bits, c->op.aad_len, c->op.data_len);
	if (res)
		return finish(c, op, res, 0);
	if (c->op.aad_len)
		TEE_AEUpdateAAD(op, c->op.aad, c->op.aad_len);
	while (c->chunk && c->op.data_len - in > c->chunk) {
		len = c->out_size - out;
		res = TEE_AEUpdate(op, c->op.data + in, c->chunk, dst + out, &len);
		if (res)
			return finish(c, op, res, out + len);
		in += c->chunk;
		out += len;
	}
	len = c->out_size - out;
	if (c->mode == TEE_MODE_DECRYPT) {
		res = TEE_AEDecryptFinal(op, c->op.data + in, c->op.data_len - in, dst + out, &len,
					 (void *)c->op.tag, c->op.tag_len);
		return finish(c, op, res, out + len);
	}
	/* Encrypt: the tag (into a local buffer, CT_TAGLEN b overrides its size) follows the ciphertext. */
	{
		uint8_t tagbuf[16];
		size_t tl = c->op.tag_buf ? c->op.tag_buf : sizeof(tagbuf);

		if (tl > sizeof(tagbuf))
			tl = sizeof(tagbuf);
		res = TEE_AEEncryptFinal(op, c->op.data + in, c->op.data_len - in, dst + out, &len,
					 tagbuf, &tl);
		if (res == TEE_SUCCESS && out + len + tl > c->out_size)
			res = TEE_ERROR_SHORT_BUFFER;
		else if (res == TEE_SUCCESS)
			memcpy(dst + out + len, tagbuf, tl);
		if (res == TEE_ERROR_SHORT_BUFFER && c->op.tag_buf) {
			/* Report the tag size the TEE asked for. */
			c->params[3].memref.size = tl;
			TEE_FreeOperation(op);
			return res;
		}
		return finish(c, op, res, out + len + tl);
	}
}

static TEE_Result cmd_asym(struct call *c)
{
	TEE_OperationHandle op;
	TEE_Result res = prepare(c, &op);
	size_t len = c->out_size;

	if (res)
		return res;
	switch (c->mode) {
	case TEE_MODE_ENCRYPT:
		res = TEE_AsymmetricEncrypt(op, c->op.attrs, c->op.count, c->op.data, c->op.data_len,
					    c->out, &len);
		break;
	case TEE_MODE_DECRYPT:
		res = TEE_AsymmetricDecrypt(op, c->op.attrs, c->op.count, c->op.data, c->op.data_len,
					    c->out, &len);
		break;
	case TEE_MODE_SIGN:
		res = TEE_AsymmetricSignDigest(op, c->op.attrs, c->op.count, c->op.data,
					       c->op.data_len, c->out, &len);
		break;
	default:
		res = TEE_AsymmetricVerifyDigest(op, c->op.attrs, c->op.count, c->op.data,
						 c->op.data_len, c->op.tag, c->op.tag_len);
		len = 0;
	}
	return finish(c, op, res, len);
}

static TEE_Result cmd_derive(struct call *c)
{
	TEE_OperationHandle op;
	TEE_ObjectHandle out = TEE_HANDLE_NULL;
	TEE_Result res = prepare(c, &op);
	size_t len = c->out_size;
	uint8_t conf[64];
	size_t conf_len = 0;
	uint32_t n;

	if (res)
		return res;
	/* SM2 KEP's confirmation value goes to a buffer of ours (the blob is input), then after the secret */
	for (n = 0; n < c->op.count; n++) {
		if (c->op.attrs[n].attributeID != TEE_ATTR_SM2_KEP_CONFIRMATION_OUT)
			continue;
		conf_len = c->op.attrs[n].content.ref.length;
		if (conf_len > sizeof(conf))
			conf_len = sizeof(conf);
		TEE_InitRefAttribute(&c->op.attrs[n], TEE_ATTR_SM2_KEP_CONFIRMATION_OUT, conf, conf_len);
	}
	res = TEE_AllocateTransientObject(TEE_TYPE_GENERIC_SECRET,
					  c->op.dk_bits ? c->op.dk_bits : c->out_size * 8, &out);
	if (res)
		return finish(c, op, res, 0);
	TEE_DeriveKey(op, c->op.attrs, c->op.count, out);
	res = TEE_GetObjectBufferAttribute(out, TEE_ATTR_SECRET_VALUE, c->out, &len);
	TEE_FreeTransientObject(out);
	if (!res && conf_len) {
		if (c->out_size - len < conf_len)
			return finish(c, op, TEE_ERROR_SHORT_BUFFER, len + conf_len);
		memcpy((uint8_t *)c->out + len, conf, conf_len);
		len += conf_len;
	}
	return finish(c, op, res, len);
}

static const uint32_t known_attrs[] = {
	TEE_ATTR_SECRET_VALUE, TEE_ATTR_RSA_MODULUS, TEE_ATTR_RSA_PUBLIC_EXPONENT,
	TEE_ATTR_RSA_PRIVATE_EXPONENT, TEE_ATTR_RSA_PRIME1, TEE_ATTR_RSA_PRIME2,
	TEE_ATTR_RSA_EXPONENT1, TEE_ATTR_RSA_EXPONENT2, TEE_ATTR_RSA_COEFFICIENT,
	TEE_ATTR_ECC_PRIVATE_VALUE, TEE_ATTR_ECC_PUBLIC_VALUE_X, TEE_ATTR_ECC_PUBLIC_VALUE_Y,
	TEE_ATTR_ECC_CURVE, TEE_ATTR_ED25519_PUBLIC_VALUE, TEE_ATTR_ED25519_PRIVATE_VALUE,
	TEE_ATTR_X25519_PUBLIC_VALUE, TEE_ATTR_X25519_PRIVATE_VALUE, TEE_ATTR_DH_PRIME, TEE_ATTR_DH_BASE,
	TEE_ATTR_DH_SUBPRIME, TEE_ATTR_DH_PUBLIC_VALUE, TEE_ATTR_DH_PRIVATE_VALUE,
	TEE_ATTR_DSA_PRIME, TEE_ATTR_DSA_SUBPRIME, TEE_ATTR_DSA_BASE, TEE_ATTR_DSA_PUBLIC_VALUE,
	TEE_ATTR_DSA_PRIVATE_VALUE,
};

/* Writes the key as a blob (CT_KEYTYPE first) that CT_CMD_ASYM and friends accept back. */
static TEE_Result cmd_generate(struct call *c)
{
	TEE_ObjectHandle obj;
	TEE_ObjectInfo info;
	uint8_t *out = c->out;
	size_t off = 0;
	TEE_Result res = TEE_AllocateTransientObject(c->algo, c->arg, &obj);
	size_t n;

	if (res)
		return res;
	res = TEE_GenerateKey(obj, c->arg, c->op.attrs, c->op.count);
	if (res)
		goto out;
	TEE_GetObjectInfo1(obj, &info);
	if (c->out_size < 16) {
		res = TEE_ERROR_SHORT_BUFFER;
		goto out;
	}
	{
		uint32_t hdr[4] = { CT_KEYTYPE, 8, info.objectType, info.objectSize };

		memcpy(out, hdr, 16);
		off = 16;
	}
	for (n = 0; n < sizeof(known_attrs) / sizeof(known_attrs[0]); n++) {
		uint32_t id = known_attrs[n];
		size_t len;

		if (c->out_size - off < 8) {
			res = TEE_ERROR_SHORT_BUFFER;
			goto out;
		}
		if (id & TEE_ATTR_FLAG_VALUE) {
			uint32_t v[2];

			if (TEE_GetObjectValueAttribute(obj, id, &v[0], &v[1]) != TEE_SUCCESS)
				continue;
			if (c->out_size - off < 16) {
				res = TEE_ERROR_SHORT_BUFFER;
				goto out;
			}
			len = 8;
			memcpy(out + off + 8, v, 8);
		} else {
			len = c->out_size - off - 8;
			res = TEE_GetObjectBufferAttribute(obj, id, out + off + 8, &len);
			if (res == TEE_ERROR_ITEM_NOT_FOUND) {
				res = TEE_SUCCESS;
				continue;
			}
			if (res)
				goto out;
		}
		{
			uint32_t hdr[2] = { id, (uint32_t)len };

			memcpy(out + off, hdr, 8);
		}
		off += 8 + ((len + 3) & ~(size_t)3);
		if (off > c->out_size)
			off = c->out_size;
	}
	c->params[3].memref.size = off;
out:
	TEE_FreeTransientObject(obj);
	return res;
}

static TEE_ObjectHandle secret_key(uint32_t type, uint32_t bits, uint32_t usage_mask)
{
	static const uint8_t zeros[64];
	TEE_ObjectHandle obj;
	TEE_Attribute a;

	if (TEE_AllocateTransientObject(type, bits, &obj))
		TEE_Panic(TEE_ERROR_GENERIC);
	TEE_InitRefAttribute(&a, TEE_ATTR_SECRET_VALUE, zeros, bits / 8);
	if (TEE_PopulateTransientObject(obj, &a, 1))
		TEE_Panic(TEE_ERROR_GENERIC);
	if (usage_mask != TEE_USAGE_DEFAULT)
		TEE_RestrictObjectUsage1(obj, usage_mask);
	return obj;
}

static TEE_Result cmd_misuse(uint32_t scenario)
{
	uint8_t buf[64] = { 0 };
	size_t len = sizeof(buf);
	TEE_OperationHandle op = TEE_HANDLE_NULL;
	TEE_ObjectHandle key;
	TEE_Result res;

	switch (scenario) {
	case CT_MISUSE_UPDATE_BEFORE_INIT:
		TEE_AllocateOperation(&op, TEE_ALG_AES_ECB_NOPAD, TEE_MODE_ENCRYPT, 128);
		TEE_SetOperationKey(op, secret_key(TEE_TYPE_AES, 128, TEE_USAGE_DEFAULT));
		return TEE_CipherUpdate(op, buf, 16, buf, &len);
	case CT_MISUSE_WRONG_KEY_TYPE:
		TEE_AllocateOperation(&op, TEE_ALG_AES_ECB_NOPAD, TEE_MODE_ENCRYPT, 256);
		return TEE_SetOperationKey(op, secret_key(TEE_TYPE_HMAC_SHA256, 256, TEE_USAGE_DEFAULT));
	case CT_MISUSE_MAC_FINAL_TWICE:
		TEE_AllocateOperation(&op, TEE_ALG_HMAC_SHA256, TEE_MODE_MAC, 256);
		TEE_SetOperationKey(op, secret_key(TEE_TYPE_HMAC_SHA256, 256, TEE_USAGE_DEFAULT));
		TEE_MACInit(op, NULL, 0);
		TEE_MACComputeFinal(op, buf, 3, buf, &len);
		len = sizeof(buf);
		return TEE_MACComputeFinal(op, buf, 3, buf, &len);
	case CT_MISUSE_KEY_USAGE:
		TEE_AllocateOperation(&op, TEE_ALG_AES_CBC_NOPAD, TEE_MODE_ENCRYPT, 128);
		return TEE_SetOperationKey(op, secret_key(TEE_TYPE_AES, 128, TEE_USAGE_DECRYPT));
	case CT_MISUSE_KEY_TOO_LARGE:
		TEE_AllocateOperation(&op, TEE_ALG_AES_CBC_NOPAD, TEE_MODE_ENCRYPT, 128);
		return TEE_SetOperationKey(op, secret_key(TEE_TYPE_AES, 256, TEE_USAGE_DEFAULT));
	case CT_MISUSE_GCM_TAG_72:
		TEE_AllocateOperation(&op, TEE_ALG_AES_GCM, TEE_MODE_ENCRYPT, 128);
		TEE_SetOperationKey(op, secret_key(TEE_TYPE_AES, 128, TEE_USAGE_DEFAULT));
		res = TEE_AEInit(op, buf, 12, 72, 0, 0);
		TEE_FreeOperation(op);
		return res;
	case CT_MISUSE_NOT_EXTRACTABLE:
		key = secret_key(TEE_TYPE_AES, 128, ~TEE_USAGE_EXTRACTABLE);
		return TEE_GetObjectBufferAttribute(key, TEE_ATTR_SECRET_VALUE, buf, &len);
	case CT_MISUSE_POPULATE_TWICE: {
		TEE_Attribute a;

		key = secret_key(TEE_TYPE_AES, 128, TEE_USAGE_DEFAULT);
		TEE_InitRefAttribute(&a, TEE_ATTR_SECRET_VALUE, buf, 16);
		return TEE_PopulateTransientObject(key, &a, 1);
	}
	case CT_MISUSE_MODE_MISMATCH:
		return TEE_AllocateOperation(&op, TEE_ALG_SHA256, TEE_MODE_ENCRYPT, 0);
	case CT_MISUSE_BAD_OBJECT_SIZE:
		return TEE_AllocateTransientObject(TEE_TYPE_AES, 100, &key);
	case CT_MISUSE_MISSING_ATTR: {
		TEE_Attribute a[2];

		TEE_AllocateTransientObject(TEE_TYPE_RSA_KEYPAIR, 512, &key);
		memset(buf, 0xff, sizeof(buf));
		TEE_InitRefAttribute(&a[0], TEE_ATTR_RSA_MODULUS, buf, 64);
		TEE_InitRefAttribute(&a[1], TEE_ATTR_RSA_PUBLIC_EXPONENT, buf, 3);
		res = TEE_PopulateTransientObject(key, a, 2);
		TEE_FreeTransientObject(key);
		return res;
	}
	case CT_MISUSE_CBC_PARTIAL:
		TEE_AllocateOperation(&op, TEE_ALG_AES_CBC_NOPAD, TEE_MODE_ENCRYPT, 128);
		TEE_SetOperationKey(op, secret_key(TEE_TYPE_AES, 128, TEE_USAGE_DEFAULT));
		TEE_CipherInit(op, buf, 16);
		return TEE_CipherDoFinal(op, buf, 17, buf + 32, &len);
	case CT_MISUSE_SET_KEY_ACTIVE:
		TEE_AllocateOperation(&op, TEE_ALG_AES_CTR, TEE_MODE_ENCRYPT, 128);
		key = secret_key(TEE_TYPE_AES, 128, TEE_USAGE_DEFAULT);
		TEE_SetOperationKey(op, key);
		TEE_CipherInit(op, buf, 16);
		return TEE_SetOperationKey(op, key);
	default:
		return TEE_ERROR_BAD_PARAMETERS;
	}
}

static TEE_Result cmd_copy(struct call *c)
{
	TEE_OperationHandle a, b;
	size_t half = c->op.data_len / 2;
	size_t la = c->out_size / 2, lb = c->out_size / 2;
	uint8_t *out = c->out;
	TEE_Result res = TEE_AllocateOperation(&a, c->algo, TEE_MODE_DIGEST, 0);

	if (res)
		return res;
	res = TEE_AllocateOperation(&b, c->algo, TEE_MODE_DIGEST, 0);
	if (res)
		return res;
	TEE_DigestUpdate(a, c->op.data, half);
	TEE_CopyOperation(b, a);
	res = TEE_DigestDoFinal(a, c->op.data + half, c->op.data_len - half, out, &la);
	if (!res)
		res = TEE_DigestDoFinal(b, c->op.data + half, c->op.data_len - half, out + la, &lb);
	TEE_FreeOperation(b);
	return finish(c, a, res, la + lb);
}

/*
 * Raw syscalls a hostile TA could make (bypassing the library's checks); each result goes to
 * out[] in order. None may crash the TEE; the client checks the codes.
 */
static TEE_Result cmd_hostile(struct call *c)
{
	static const char text[] = "read-only";
	uint32_t *out = c->out;
	uint32_t obj = 0, st = 0;
	uint64_t len = 64;
	uint8_t buf[64];
	struct utee_attribute ua = { .a = (uintptr_t)buf, .b = 1u << 30, .attribute_id = TEE_ATTR_SECRET_VALUE };
	size_t n = 0;

	if (c->out_size < 12 * sizeof(uint32_t))
		return TEE_ERROR_SHORT_BUFFER;
	out[n++] = _utee_cryp_obj_alloc(TEE_TYPE_AES, 128, (uint32_t *)0xdead000000UL);
	out[n++] = _utee_cryp_obj_alloc(TEE_TYPE_AES, 128, &obj);
	out[n++] = _utee_cryp_obj_populate(obj, (struct utee_attribute *)0x10, 1);
	out[n++] = _utee_cryp_obj_populate(obj, &ua, 1);
	out[n++] = _utee_cryp_obj_populate(obj, &ua, 100000);
	out[n++] = _utee_cryp_obj_get_info(0x7fffffff, (struct utee_object_info *)buf);
	out[n++] = _utee_cryp_state_alloc(TEE_ALG_AES_ECB_NOPAD, TEE_MODE_ENCRYPT, 0x7ffffffe, 0, &st);
	out[n++] = _utee_cryp_state_alloc(TEE_ALG_SHA256, TEE_MODE_DIGEST, 0, 0, &st);
	out[n++] = _utee_hash_final(st, NULL, 0, buf, (uint64_t *)text);
	out[n++] = _utee_hash_update(st, (void *)0xffffffffffff0000UL, 0xffffff);
	out[n++] = _utee_cryp_obj_get_info(st, (struct utee_object_info *)buf);
	out[n++] = _utee_hash_final(st, NULL, 0, buf, &len);
	c->params[3].memref.size = n * sizeof(uint32_t);
	return TEE_SUCCESS;
}

TEE_Result TA_CreateEntryPoint(void)
{
	return TEE_SUCCESS;
}

void TA_DestroyEntryPoint(void)
{
}

TEE_Result TA_OpenSessionEntryPoint(uint32_t param_types, TEE_Param params[4], void **sess_ctx)
{
	*sess_ctx = NULL;
	return TEE_SUCCESS;
}

void TA_CloseSessionEntryPoint(void *sess_ctx)
{
}

TEE_Result TA_InvokeCommandEntryPoint(void *sess_ctx, uint32_t cmd_id, uint32_t param_types,
				      TEE_Param params[4])
{
	struct call c;
	TEE_Result res;

	if (cmd_id == CT_CMD_MISUSE) {
		if (TEE_PARAM_TYPE_GET(param_types, 0) != TEE_PARAM_TYPE_VALUE_INPUT)
			return TEE_ERROR_BAD_PARAMETERS;
		return cmd_misuse(params[0].value.a);
	}
	res = unpack(param_types, params, &c);
	if (res)
		return res;
	switch (cmd_id) {
	case CT_CMD_DIGEST: return cmd_digest(&c);
	case CT_CMD_MAC: return cmd_mac(&c);
	case CT_CMD_CIPHER: return cmd_cipher(&c);
	case CT_CMD_AE: return cmd_ae(&c);
	case CT_CMD_ASYM: return cmd_asym(&c);
	case CT_CMD_DERIVE: return cmd_derive(&c);
	case CT_CMD_GENERATE: return cmd_generate(&c);
	case CT_CMD_COPY: return cmd_copy(&c);
	case CT_CMD_HOSTILE: return cmd_hostile(&c);
	default: return TEE_ERROR_BAD_PARAMETERS;
	}
}
