#pragma once
// Whether this build has AddressSanitizer (scripts/test-sanitizers, the fuzzing build): gcc says
// so with __SANITIZE_ADDRESS__, clang with __has_feature.

namespace seqseg {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace seqseg
