#include <windows.h>
#include <ntsecapi.h>
/* Wine 8 has no bcryptprimitives.dll; Rust's std (1.78+) takes its randomness from
   ProcessPrng there. Windows 10/11 have the real one: this stub is for the Wine smoke test. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, n)) return FALSE;
        data += n; len -= n;
    }
    return TRUE;
}
