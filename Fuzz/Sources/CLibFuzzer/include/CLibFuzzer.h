#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt FuzzerInterface.h): parses libFuzzer's flags from argv and fuzzes
/// `callback`. SwiftPM names an executable's entry point itself, so the fuzz executable's `main` calls
/// this instead of using libFuzzer's own `main`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
