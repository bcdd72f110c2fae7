// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* heap.c - memory handed back to the system (see heap.h). */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "heap.h"

void fg_heap_tune(void)
{
#ifdef __GLIBC__
	/* glibc raises both thresholds each time it frees a large mapped
	 * block (up to 32 MiB): after the kernel's BTF (5 MiB, parsed
	 * three times at a start) every later large block would come from
	 * the heap and stay there when freed. Fixed thresholds keep large
	 * blocks mapped (given back by free()) and the heap's top trimmed.
	 * musl's allocator gives memory back by itself. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 256 * 1024);
#endif
}

void fg_heap_give_back(void)
{
#ifdef __GLIBC__
	/* free pages in the middle of the heap, not only at its top */
	malloc_trim(0);
#endif
}

void fg_heap_drop_pages(void *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(page - 1);

	/* private anonymous memory (malloc's): zero-filled when touched
	 * again; a failure only leaves the pages resident */
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_DONTNEED);
}
