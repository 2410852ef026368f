/* The few ELF64 definitions the library reads from the loader-provided program headers. */
#ifndef ELF_MIN_H
#define ELF_MIN_H

#include <stdint.h>

#define PT_DYNAMIC 2
#define PT_TLS 7

#define DT_NULL 0
#define DT_INIT_ARRAY 25
#define DT_FINI_ARRAY 26
#define DT_INIT_ARRAYSZ 27
#define DT_FINI_ARRAYSZ 28

typedef struct {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
} Elf64_Phdr;

typedef struct {
	int64_t d_tag;
	uint64_t d_val;
} Elf64_Dyn;

#endif /* ELF_MIN_H */
