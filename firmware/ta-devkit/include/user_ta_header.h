/*
 * What a TA image carries for the loader and for the library inside it: the 32-byte .ta_head,
 * the TA flags, the property table and the module list the loader fills (reference 1.3, 1.4, 1.6).
 */
#ifndef USER_TA_HEADER_H
#define USER_TA_HEADER_H

#include <tee_api_types.h>

/* Deprecated flags kept as 0 so old user_ta_header_defines.h files still compile. */
#define TA_FLAG_USER_MODE 0
#define TA_FLAG_EXEC_DDR 0
#define TA_FLAG_REMAP_SUPPORT 0

#define TA_FLAG_SINGLE_INSTANCE (1u << 2)
#define TA_FLAG_MULTI_SESSION (1u << 3)
#define TA_FLAG_INSTANCE_KEEP_ALIVE (1u << 4)
#define TA_FLAG_SECURE_DATA_PATH (1u << 5)
#define TA_FLAG_CACHE_MAINTENANCE (1u << 7)
#define TA_FLAG_CONCURRENT (1u << 8)
#define TA_FLAG_DEVICE_ENUM (1u << 9)
#define TA_FLAG_DEVICE_ENUM_SUPP (1u << 10)
#define TA_FLAG_DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT (1u << 11)
#define TA_FLAG_DEVICE_ENUM_TEE_STORAGE_PRIVATE (1u << 12)
#define TA_FLAG_INSTANCE_KEEP_CRASHED (1u << 13)
/* The loader refuses any bit outside this mask. */
#define TA_FLAGS_MASK 0x3FFFu

/* Stack the framework itself needs on top of the TA's TA_STACK_SIZE. */
#define TA_FRAMEWORK_STACK_SIZE 2048

/* depr_entry value of every current TA: "use e_entry", not a legacy entry address. */
#define TA_HEAD_NO_DEPR_ENTRY 0xFFFFFFFFFFFFFFFFull

struct ta_head {
	TEE_UUID uuid;
	uint32_t stack_size;
	uint32_t flags;
	uint64_t depr_entry;
};
_Static_assert(sizeof(struct ta_head) == 32, "struct ta_head is 32 bytes");

enum user_ta_prop_type {
	USER_TA_PROP_TYPE_BOOL = 0,         /* bool */
	USER_TA_PROP_TYPE_U32 = 1,          /* uint32_t */
	USER_TA_PROP_TYPE_UUID = 2,         /* TEE_UUID */
	USER_TA_PROP_TYPE_IDENTITY = 3,     /* TEE_Identity */
	USER_TA_PROP_TYPE_STRING = 4,       /* NUL-terminated string */
	USER_TA_PROP_TYPE_BINARY_BLOCK = 5, /* base64 string in ta_props */
	USER_TA_PROP_TYPE_U64 = 6,          /* uint64_t */
	USER_TA_PROP_TYPE_INVALID = 7,
};

struct user_ta_property {
	const char *name;
	enum user_ta_prop_type type;
	const void *value;
};
_Static_assert(sizeof(struct user_ta_property) == 24, "struct user_ta_property is 24 bytes");

/* Standard property names the dev kit generates for every TA. */
#define TA_PROP_STR_SINGLE_INSTANCE "gpd.ta.singleInstance"
#define TA_PROP_STR_MULTI_SESSION "gpd.ta.multiSession"
#define TA_PROP_STR_KEEP_ALIVE "gpd.ta.instanceKeepAlive"
#define TA_PROP_STR_KEEP_CRASHED "optee.ta.instanceKeepCrashed"
#define TA_PROP_STR_DATA_SIZE "gpd.ta.dataSize"
#define TA_PROP_STR_STACK_SIZE "gpd.ta.stackSize"
#define TA_PROP_STR_VERSION "gpd.ta.version"
#define TA_PROP_STR_DESCRIPTION "gpd.ta.description"
#define TA_PROP_STR_ENDIAN "gpd.ta.endian"
#define TA_PROP_STR_DOES_NOT_CLOSE_HANDLE_ON_CORRUPT_OBJECT "gpd.ta.doesNotCloseHandleOnCorruptObject"

/* One loaded module as the loader describes it (64 bytes, glibc's dl_phdr_info layout). */
struct dl_phdr_info {
	uint64_t dlpi_addr;          /* load bias of the module */
	const char *dlpi_name;
	const void *dlpi_phdr;       /* Elf64_Phdr array, readable by the TA */
	uint16_t dlpi_phnum;
	unsigned long long dlpi_adds;
	unsigned long long dlpi_subs;
	size_t dlpi_tls_modid;       /* always 0 on AArch64 */
	void *dlpi_tls_data;
};
_Static_assert(sizeof(struct dl_phdr_info) == 64, "struct dl_phdr_info is 64 bytes");

/* Filled by the loader after relocation; count 0 means "no constructors, no TLS". */
struct __elf_phdr_info {
	uint32_t reserved;
	uint16_t count;
	uint8_t reserved2;
	char zero;
	struct dl_phdr_info *dlpi;
};
_Static_assert(sizeof(struct __elf_phdr_info) == 16, "struct __elf_phdr_info is 16 bytes");

/* Emitted into every TA by the dev kit's user_ta_header.c. */
extern const struct ta_head ta_head;
extern const struct user_ta_property ta_props[];
extern const size_t ta_num_props;
extern uint8_t ta_heap[];
extern const size_t ta_heap_size;
extern struct __elf_phdr_info __elf_phdr_info;

#endif /* USER_TA_HEADER_H */
