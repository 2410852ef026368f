/*
 * Instance start-up, run once before the first TA_CreateEntryPoint: heap, TLS, constructors.
 * Modules come from __elf_phdr_info, which the loader fills (main TA first, then libraries);
 * a loader that leaves count at 0 simply gets no TLS and no constructors.
 */
#include <string.h>
#include <tee_internal_api.h>
#include <user_ta_header.h>
#include "elf_min.h"
#include "utee_private.h"

/* AArch64 TLS variant 1: a 16-byte TCB head, then each module's block back to back. */
#define TCB_HEAD_SIZE 16

typedef void (*init_fn)(void);

static const Elf64_Phdr *find_phdr(const struct dl_phdr_info *m, uint32_t type)
{
	const Elf64_Phdr *ph = m->dlpi_phdr;

	for (unsigned int i = 0; ph && i < m->dlpi_phnum; i++)
		if (ph[i].p_type == type)
			return &ph[i];
	return NULL;
}

static size_t tls_total_size(void)
{
	size_t total = 0;

	for (unsigned int i = 0; i < __elf_phdr_info.count; i++) {
		const Elf64_Phdr *tls = find_phdr(&__elf_phdr_info.dlpi[i], PT_TLS);

		if (tls)
			total += tls->p_memsz;
	}
	return total;
}

/* Same order and packing as the loader's TPREL relocations assume: no padding between blocks. */
static void tls_init(void)
{
	size_t total = tls_total_size();
	uint8_t *tcb;
	size_t off = TCB_HEAD_SIZE;

	if (!total)
		return;
	tcb = TEE_Malloc(TCB_HEAD_SIZE + total, TEE_MALLOC_FILL_ZERO);
	if (!tcb)
		TEE_Panic(TEE_ERROR_OUT_OF_MEMORY);
	for (unsigned int i = 0; i < __elf_phdr_info.count; i++) {
		const struct dl_phdr_info *m = &__elf_phdr_info.dlpi[i];
		const Elf64_Phdr *tls = find_phdr(m, PT_TLS);

		if (!tls)
			continue;
		/* .tbss stays zero from the FILL_ZERO allocation. */
		memcpy(tcb + off, (const void *)(uintptr_t)(m->dlpi_addr + tls->p_vaddr),
		       tls->p_filesz);
		off += tls->p_memsz;
	}
	__asm__ volatile("msr tpidr_el0, %0" : : "r"(tcb));
}

static void run_init_array(const struct dl_phdr_info *m)
{
	const Elf64_Phdr *dynph = find_phdr(m, PT_DYNAMIC);
	const Elf64_Dyn *dyn;
	uint64_t array = 0;
	uint64_t size = 0;

	if (!dynph)
		return;
	dyn = (const Elf64_Dyn *)(uintptr_t)(m->dlpi_addr + dynph->p_vaddr);
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_INIT_ARRAY)
			array = dyn->d_val;
		else if (dyn->d_tag == DT_INIT_ARRAYSZ)
			size = dyn->d_val;
	}
	if (!array)
		return;
	/* Entries were relocated by the loader: they already hold run-time addresses. */
	const init_fn *fn = (const init_fn *)(uintptr_t)(m->dlpi_addr + array);

	for (size_t i = 0; i < size / sizeof(*fn); i++)
		fn[i]();
}

/* Dependencies first: the module list is in load order, so walk it backwards. */
static void run_constructors(void)
{
	for (unsigned int i = __elf_phdr_info.count; i > 0; i--)
		run_init_array(&__elf_phdr_info.dlpi[i - 1]);
}

void utee_instance_init(void)
{
	utee_heap_init(ta_heap, ta_heap_size);
	tls_init();
	run_constructors();
}
