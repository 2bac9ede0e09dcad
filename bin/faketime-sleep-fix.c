/* Preloaded ahead of libfaketime by `make test-clock`.

   With FAKETIME_DONT_FAKE_MONOTONIC=1, Debian bookworm's libfaketime 0.9.10 turns
   clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, ...) into EINVAL
   (https://github.com/wolfcw/libfaketime/issues/426), and that is how Python 3.11's
   time.sleep() sleeps. The monotonic clock is not faked, so its sleeps go straight to
   the kernel; sleeps on every other clock are still libfaketime's. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int clock_nanosleep(clockid_t clock_id, int flags, const struct timespec *req, struct timespec *rem)
{
    static int (*next)(clockid_t, int, const struct timespec *, struct timespec *);

    if (clock_id == CLOCK_MONOTONIC || clock_id == CLOCK_BOOTTIME)
        return syscall(SYS_clock_nanosleep, clock_id, flags, req, rem) == -1 ? errno : 0;
    if (next == NULL)
        next = dlsym(RTLD_NEXT, "clock_nanosleep");
    return next(clock_id, flags, req, rem);
}
