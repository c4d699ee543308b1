#pragma once
// SHA-256 (FIPS 180-4) of bytes and of files, as lowercase hex: what `sha256sum` prints. Used to
// recognise a model file by its content (a fine-tuned run records the one it started from).
#include <string>

namespace seqseg {

std::string sha256Hex(const std::string& bytes);

// The file's digest. Throws InputError naming the file when it cannot be read.
std::string fileSha256(const std::string& path);

}  // namespace seqseg
