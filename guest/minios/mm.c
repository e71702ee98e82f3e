/* SPDX-License-Identifier: MIT */
/* minios: the page allocator, a bump pointer with a free list. */
#include "console.h"
#include "mm.h"

struct free_page {
    struct free_page *next;
};

static uint64_t next_page, end_page; /* addresses */
static struct free_page *free_list;
static uint64_t nfree;

void mm_init(uint64_t start, uint64_t end)
{
    next_page = (start + XKVM_PAGE_SIZE - 1) & ~(uint64_t)(XKVM_PAGE_SIZE - 1);
    end_page = end & ~(uint64_t)(XKVM_PAGE_SIZE - 1);
    if (end_page < next_page)
        end_page = next_page;
    nfree = (end_page - next_page) / XKVM_PAGE_SIZE;
}

void *page_alloc(void)
{
    void *p;

    if (free_list) {
        p = free_list;
        free_list = free_list->next;
    } else if (next_page < end_page) {
        p = (void *)(uintptr_t)next_page;
        next_page += XKVM_PAGE_SIZE;
    } else {
        return NULL;
    }
    nfree--;
    memset(p, 0, XKVM_PAGE_SIZE);
    return p;
}

void page_free(void *p)
{
    struct free_page *f = p;

    if (!p)
        return;
    f->next = free_list;
    free_list = f;
    nfree++;
}

uint64_t mm_free_pages(void)
{
    return nfree;
}
