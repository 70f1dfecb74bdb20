/* wine 8.0 lacks bcryptprimitives.dll, which pydantic-core (Rust std) needs for ProcessPrng:
   this stand-in forwards to BCryptGenRandom. Built by tools/windows_check.py with
   x86_64-w64-mingw32-gcc; copied into the wine prefix only (never shipped). */
#include <windows.h>
#include <bcrypt.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    return BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG));
}
