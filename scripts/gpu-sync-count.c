// Counts the host synchronisations of a CUDA program that links the driver library (libcuda.so.1)
// dynamically, as candle's cudarc does: every device-to-host copy, host-to-device copy and
// stream/context/event synchronisation goes through this library first (LD_PRELOAD), is counted,
// and is handed on to the driver. At exit it writes one line of counts to the file named by
// SYOPS_SYNC_COUNT_FILE (or to stderr):
//
//   gcc -shared -fPIC -O2 -o libgpu-sync-count.so scripts/gpu-sync-count.c -ldl
//   LD_PRELOAD=$PWD/libgpu-sync-count.so SYOPS_SYNC_COUNT_FILE=counts.txt cargo-syops syops zoo ...
//
// Run the same command over two numbers of batches: the difference of the counts, divided by the
// difference of the batches, is what one batch costs (scripts/gpu-check.sh does this).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef int CUresult;
typedef uint64_t CUdeviceptr;
typedef void *CUstream;
typedef void *CUevent;
typedef void *CUcontext;

static atomic_ulong dtoh, dtoh_bytes, htod, stream_sync, ctx_sync, event_sync;

static void *next(const char *name) {
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        fprintf(stderr, "gpu-sync-count: no %s in the driver library\n", name);
        abort();
    }
    return f;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, CUstream s) {
    static CUresult (*f)(void *, CUdeviceptr, size_t, CUstream);
    if (!f) f = next("cuMemcpyDtoHAsync_v2");
    atomic_fetch_add(&dtoh, 1);
    atomic_fetch_add(&dtoh_bytes, n);
    return f(dst, src, n, s);
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) {
    static CUresult (*f)(void *, CUdeviceptr, size_t);
    if (!f) f = next("cuMemcpyDtoH_v2");
    atomic_fetch_add(&dtoh, 1);
    atomic_fetch_add(&dtoh_bytes, n);
    return f(dst, src, n);
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, CUstream s) {
    static CUresult (*f)(CUdeviceptr, const void *, size_t, CUstream);
    if (!f) f = next("cuMemcpyHtoDAsync_v2");
    atomic_fetch_add(&htod, 1);
    return f(dst, src, n, s);
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) {
    static CUresult (*f)(CUdeviceptr, const void *, size_t);
    if (!f) f = next("cuMemcpyHtoD_v2");
    atomic_fetch_add(&htod, 1);
    return f(dst, src, n);
}

CUresult cuStreamSynchronize(CUstream s) {
    static CUresult (*f)(CUstream);
    if (!f) f = next("cuStreamSynchronize");
    atomic_fetch_add(&stream_sync, 1);
    return f(s);
}

CUresult cuCtxSynchronize(void) {
    static CUresult (*f)(void);
    if (!f) f = next("cuCtxSynchronize");
    atomic_fetch_add(&ctx_sync, 1);
    return f();
}

CUresult cuEventSynchronize(CUevent e) {
    static CUresult (*f)(CUevent);
    if (!f) f = next("cuEventSynchronize");
    atomic_fetch_add(&event_sync, 1);
    return f(e);
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("SYOPS_SYNC_COUNT_FILE");
    FILE *out = path ? fopen(path, "w") : NULL;
    fprintf(out ? out : stderr,
            "dtoh_copies %lu dtoh_bytes %lu htod_copies %lu stream_syncs %lu ctx_syncs %lu event_syncs %lu\n",
            atomic_load(&dtoh), atomic_load(&dtoh_bytes), atomic_load(&htod), atomic_load(&stream_sync),
            atomic_load(&ctx_sync), atomic_load(&event_sync));
    if (out) fclose(out);
}
